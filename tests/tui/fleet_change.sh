#!/bin/bash
# fleet_change.sh - a fleet change from the Fleet screen at 80x24 on three
# relays (real sshd servers, each in front of its own Postfix sandbox,
# relaying through a lab smart host that a probe passes on).
#   Two of three: r1 and r2 marked (r1 first: the canary), c opens the
#   change, s stages a parameter on both: one diff for the two hosts; a,
#   batch size, y: r1 alone first (postfix check and the probe pass), then
#   r2; both have the change, r3 (not marked) is untouched.
#   Stop on failure: r1, r3, r2 marked in that order, a change that r3
#   fails validation on ($fleet_peers, defined on r1 and r2 only: Postfix
#   warns about the undefined parameter), batches of 1: the canary r1
#   gets it, r3 fails and is restored byte for byte, r2 is not reached
#   (main.cf untouched, the edit still staged there).
#   A canary whose probe fails: r1 then r3 marked, a relayhost nothing
#   listens on (and no credential for it): postfix check passes on r1, the
#   probe from it does not, so r1 is rolled back byte for byte and r3 is
#   not reached.
#   No smart host: relayhost unset on the canary r1 and on r2 (mail goes
#   out by MX): nothing to probe, so postfix check decides; both applied.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
lib=$top_srcdir/tests/lib
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"
. "$lib/fleet_hosts.sh"
. "$lib/postfix_instance.sh"
. "$lib/smarthost.sh"
. "$lib/fleet_lab.sh"
. "$lib/tui.sh"

fl_begin fleetchange 34 r1 r2 r3
postconf -c "$tmp/sb-r1/etc" -e "fleet_peers = 127.0.0.1"
postconf -c "$tmp/sb-r2/etc" -e "fleet_peers = 127.0.0.1"
for h in r1 r2 r3; do cp -p "$tmp/sb-$h/etc/main.cf" "$tmp/main.cf.$h"; done
# val HOST NAME - the relay's own value of NAME
val() { postconf -c "$tmp/sb-$1/etc" -h "$2" 2>/dev/null; }

fl_console relays

check_screen "the Fleet screen opens on 3 hosts" "Fleet: 3 hosts"
wait_for "read in" || tap_diag "$(screen)"

# --- two of three, one canary ---------------------------------------------------
keys Space Space
check_screen "r1 and r2 marked" "2 marked"
keys c
check_screen "c opens the fleet change on the 2 marked hosts" "Fleet change: 2 hosts"
check_screen "... r1, marked first, is the canary" "Canary: r1"
wait_for "(s: set" || tap_diag "$(screen)"
keys s
wait_for "Stage on the 2 hosts" || tap_diag "$(screen)"
text "smtp_helo_timeout=123s"
keys Enter
check_screen "s stages it on both: one diff for the two hosts" "2 hosts: r1, r2"
check_screen "... the diff" "+smtp_helo_timeout = 123s"
keys a
wait_for "Hosts at a time" || tap_diag "$(screen)"
keys Enter
check_screen "a asks before applying, naming the canary" "Apply? y/n"
keys y
check_screen "the change is applied to both" "applied to every host"
check_screen "the canary passed postfix check and the probe" "canary: postfix check and the probe"
tap_is "$(val r1 smtp_helo_timeout):$(val r2 smtp_helo_timeout):$(val r3 smtp_helo_timeout)" \
	"123s:123s:300s" "r1 and r2 have the change, r3 (not marked) does not"
"$RELAYDECK" --inventory "$tmp/inv.yml" -F none -H r2 --json history >"$tmp/hist" 2>&1
tap_like "$(cat "$tmp/hist")" "set smtp_helo_timeout" "r2's own history records the change"

# --- one host fails validation: the rest is not reached --------------------------
keys q
wait_for "Fleet: 3 hosts" || tap_diag "$(screen)"
for h in r1 r2 r3; do cp -p "$tmp/sb-$h/etc/main.cf" "$tmp/main.cf.$h"; done
# marks in this order: r1, r3, r2 (rows: r1, r2, r3)
keys u g Space j Space k Space
check_screen "three marked" "3 marked"
keys c
check_screen "the change screen on 3 hosts" "Fleet change: 3 hosts"
wait_for "(s: set" || tap_diag "$(screen)"
keys s
wait_for "Stage on the 3 hosts" || tap_diag "$(screen)"
text 'debug_peer_list=$fleet_peers'
keys Enter
check_screen "staged on the three: r1 and r2 alike" '2 hosts: r1, r2'
check_screen "... r3 (no fleet_peers line in its context) apart" '1 host: r3'
keys a
wait_for "Hosts at a time" || tap_diag "$(screen)"
keys C-u
text 1
keys Enter
wait_for "Apply? y/n" || tap_diag "$(screen)"
keys y
check_screen "the rollout stops at the failure" "stopped at a failure"
# the message comes before the results (shown once what is left staged is read)
wait_for "Result:" || tap_diag "$(screen)"
res=$(screen)
tap_like "$res" "r1 +ok " "the canary r1: ok"
tap_like "$res" "r3 +FAILED, restored" "r3 fails validation and is restored"
tap_like "$res" "r2 +not reached" "r2, after the failure: not reached"
tap_check "r3's main.cf byte for byte as before" cmp -s "$tmp/sb-r3/etc/main.cf" "$tmp/main.cf.r3"
tap_check "r2's main.cf untouched" cmp -s "$tmp/sb-r2/etc/main.cf" "$tmp/main.cf.r2"
tap_is "$(val r1 debug_peer_list)" '$fleet_peers' "r1 keeps the change"

# --- a canary whose probe fails is rolled back, nothing else is touched -----------
keys q
wait_for "Fleet: 3 hosts" || tap_diag "$(screen)"
for h in r1 r2 r3; do cp -p "$tmp/sb-$h/etc/main.cf" "$tmp/main.cf.$h"; done
dead=$(_sshd_free_port)
keys u g Space j j Space
wait_for "2 marked" || tap_diag "$(screen)"
keys c
wait_for "(s: set" || tap_diag "$(screen)"
keys s
wait_for "Stage on the 2 hosts" || tap_diag "$(screen)"
text "relayhost=[127.0.0.1]:$dead"
keys Enter
wait_for "staged relayhost" || tap_diag "$(screen)"
keys a
wait_for "Hosts at a time" || tap_diag "$(screen)"
keys Enter
wait_for "Apply? y/n" || tap_diag "$(screen)"
keys y
check_screen "the canary's probe fails: the rollout stops" "stopped at a failure"
# the message above is the last section's too: wait for this result
wait_for "FAILED, restored" || tap_diag "$(screen)"
res=$(screen)
tap_like "$res" "r1 +FAILED, restored +probe" \
	"the canary r1: the probe of the new relayhost failed, its files restored"
tap_like "$res" "r3 +not reached" "r3 not reached"
tap_check "r1's main.cf byte for byte as before" cmp -s "$tmp/sb-r1/etc/main.cf" "$tmp/main.cf.r1"
tap_check "r3's main.cf untouched" cmp -s "$tmp/sb-r3/etc/main.cf" "$tmp/main.cf.r3"
# rolled back, the canary keeps the edit staged: applied again, it is
# probed again (with nothing staged it would pass unprobed, r3 next)
"$RELAYDECK" --inventory "$tmp/inv.yml" -F none -H r1 diff >"$tmp/d1" 2>&1
tap_like "$(cat "$tmp/d1")" "\+relayhost = \[127\.0\.0\.1\]:$dead" \
	"the canary r1, rolled back, still has the edit staged"

# --- no relayhost on the canary: postfix check decides ------------------------------
keys q
wait_for "Fleet: 3 hosts" || tap_diag "$(screen)"
keys u g Space Space
wait_for "2 marked" || tap_diag "$(screen)"
keys c
wait_for "(s: set" || tap_diag "$(screen)"
keys s
wait_for "Stage on the 2 hosts" || tap_diag "$(screen)"
text "-relayhost"
keys Enter
wait_for "staged unset relayhost" || tap_diag "$(screen)"
keys a
wait_for "Hosts at a time" || tap_diag "$(screen)"
keys Enter
wait_for "Apply? y/n" || tap_diag "$(screen)"
keys y
check_screen "no relayhost on the canary: the change goes to both" "applied to every host"
check_screen "... the canary says why it was not probed" "postfix check passed; no relayhost"
tap_is "$(val r1 relayhost):$(val r2 relayhost)" ":" "r1 and r2 have no relayhost now"

# --- a host that cannot take the edit: the message counts what was staged ------
keys q
wait_for "Fleet: 3 hosts" || tap_diag "$(screen)"
keys u g Space Space Space
wait_for "3 marked" || tap_diag "$(screen)"
keys c
wait_for "(s: set" || tap_diag "$(screen)"
mv "$tmp/sb-r3/etc/main.cf" "$tmp/r3-main.cf.away"
keys s
wait_for "Stage on the 3 hosts" || tap_diag "$(screen)"
text "smtp_helo_timeout=77s"
keys Enter
check_screen "r3 without a main.cf: staged on 2 of 3, the failure counted" \
	"on 2 of 3 hosts; 1 failed"
mv "$tmp/r3-main.cf.away" "$tmp/sb-r3/etc/main.cf"
tap_check "... r3's main.cf byte for byte as at the start" cmp -s "$tmp/sb-r3/etc/main.cf" "$tmp/main.cf.r3"
keys q q
tui_quit_check
tap_done
