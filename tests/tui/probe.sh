#!/bin/bash
# probe.sh - run a probe from the console's Probe screen against the lab
# smart host (tests/lib/smarthost.sh): the form takes the host, the probe
# runs in the background ("running…"), and the result panel shows the
# verified TLS step and the leaf's SHA-256 fingerprint, equal to what
# `openssl x509 -fingerprint -sha256` says, in the same lines as
# `relaydeck probe auth` prints (core/report). With no user typed, the probe
# authenticates with the target's sasl_passwd entry and says so (never the
# secret). p pins the public key: warning, mode, review, apply; postmap -q
# on the policy table and main.cf's smtp_tls_policy_maps show the result.
# On Credentials, rotate with a wrong password shows the 535 reply and,
# declined, leaves sasl_passwd as it was.
# Skips when tmux is missing or when not root.
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
. "$here/../lib/rdtest.sh"
. "$here/../lib/postfix_instance.sh"
. "$here/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$here/../lib/tui.sh"
rd_tmpdir
SOCK=relaydeck-probe-$$
DIR=$RD_TMP
cleanup() {
	tui_kill
	sh_stop
	rd_cleanup
}
trap cleanup EXIT

tap_plan 21

sh_start_checked "$RD_TMP/lab"

sh "$top_srcdir/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
# The console probes with the CA the target's Postfix trusts.
postconf -c "$C" -e "smtp_tls_CAfile = $SH_CA"
fp=$(openssl x509 -in "$SH_LEAF" -noout -fingerprint -sha256 | sed 's/^[^=]*=//')
pubfp=$(sh_fp_pubkey "$SH_LEAF")
# The credential the console falls back to when no user is typed.
"$RELAYDECK" --state-dir "$RD_TMP/sb/state" -c "$C" creds add \
    "[127.0.0.1]:$SH_SUBMIT_PORT" --user "$SH_USER" --password-file "$SH_PASS_FILE" --yes \
    >"$RD_TMP/creds.out" 2>&1 || tap_diag "creds add failed: $(cat "$RD_TMP/creds.out")"

TUI_COLS=160 TUI_ROWS=50 tui_start

wait_for "relaydeck - Dashboard" || tap_diag "console did not open"
keys 5
check_screen "5 opens the Probe screen" "Run the probe"
keys Enter
wait_for "Smart host, [host]:port" || tap_diag "no host field"
keys C-u
text "[127.0.0.1]:$SH_SUBMIT_PORT"
keys Enter
wait_for "Host[:port]  [127.0.0.1]:$SH_SUBMIT_PORT" || tap_diag "host not taken"
keys r
check_screen "the result panel shows the verified chain" "verified:    yes"
if screen | grep -qE '^ +ok +[0-9]+ ms  verify'; then
	tap_ok "the verify step is ok"
else
	tap_not_ok "the verify step is ok"
	tap_diag "$(screen)"
fi
check_screen "the fingerprint equals openssl's" "fingerprint (sha256) cert:   $fp"
# The console's result is core/report's, the lines `relaydeck probe auth`
# prints for the same probe: the certificate's names, its validity and
# the verdict (the console used to word them its own way, without names).
"$RELAYDECK" --state-dir "$RD_TMP/sb/state" -c "$C" probe auth \
    "[127.0.0.1]:$SH_SUBMIT_PORT" >"$RD_TMP/cli.out" 2>&1
for pat in '^  names: ' '^  valid: ' '^verdict: '; do
	want=$(grep -m1 -E "$pat" "$RD_TMP/cli.out")
	if [ -n "$want" ] && screen | grep -qF -- " $want"; then
		tap_ok "the console shows the command line's line: $want"
	else
		tap_not_ok "the console shows the command line's line: ${want:-$pat}"
		tap_diag "$(cat "$RD_TMP/cli.out")"
		tap_diag "$(screen)"
	fi
done
check_screen "the screen names the credential source" \
    "AUTH credential: user $SH_USER, from the target's sasl_passwd entry"
check_screen "AUTH with the sasl_passwd credential is accepted" "AUTH PLAIN: accepted"
if screen | grep -qF -- "$(cat "$SH_PASS_FILE")"; then
	tap_not_ok "the password is not on the screen"
else
	tap_ok "the password is not on the screen"
fi

# --- pin from the console ------------------------------------------------------
keys p
check_screen "p shows the rotation warning and the allowed modes" \
    "Mode: fingerprint pubkey secure verify"
keys C-u
text pubkey
keys Enter
check_screen "the review shows the policy entry in the diff" \
    "+[127.0.0.1]:$SH_SUBMIT_PORT fingerprint"
keys y
check_screen "apply reports success" "Apply succeeded"
keys Enter
maps=$(postconf -c "$C" -h smtp_tls_policy_maps)
tap_like "$maps" "^[a-z]+:$C/tls_policy\$" "main.cf: smtp_tls_policy_maps = $maps"
tap_is "$(postmap -q "[127.0.0.1]:$SH_SUBMIT_PORT" "$maps" 2>&1)" "fingerprint match=$pubfp" \
    "postmap -q finds the public-key pin"

# --- Credentials: rotate tests the new password first -------------------------
sasl_map=$(postconf -c "$C" -h smtp_sasl_password_maps)
keys 2
wait_for "Credentials" || tap_diag "no Credentials screen"
keys /
text "127.0.0.1"
keys Enter
keys r
check_screen "r asks for the new password" "New password for [127.0.0.1]:$SH_SUBMIT_PORT"
text "Wr0ng-$$"
keys Enter
check_screen "a refused password shows the server's 535 reply" "refused it: 535"
keys n
check_screen "declining leaves it unapplied" "not applied: the password is unchanged"
tap_is "$(postmap -q "[127.0.0.1]:$SH_SUBMIT_PORT" "$sasl_map" 2>&1)" \
    "$SH_USER:$(cat "$SH_PASS_FILE")" "sasl_passwd still holds the working password"

keys q
keys q
tui_quit_check
tap_done
