#!/bin/bash
# fleet_canary.sh - `relaydeck -g GROUP apply --canary HOST` probes the
# canary after its apply: three relays (real sshd servers, each in front
# of its own Postfix sandbox) relay through a lab SMTP server (STARTTLS
# with a lab CA, AUTH). A change whose probe passes on the canary goes
# on to the others; one that passes postfix check but breaks the way to
# the smart host (a relayhost where nothing listens) is taken back on the
# canary, byte for byte, stays staged there, and reaches no other relay.
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

fl_setup 14 r1 r2 r3
rdg() {
	"$RELAYDECK" --inventory "$tmp/inv.yml" -F none --connect-timeout 60 -g relays "$@" \
		>"$tmp/out" 2>"$tmp/err"
	RD_RC=$?
	RD_OUT=$(cat "$tmp/out")
	RD_ERR=$(cat "$tmp/err")
}
val() { postconf -c "$tmp/sb-$1/etc" -h "$2" 2>/dev/null; }
keep() { for h in r1 r2 r3; do cp -p "$tmp/sb-$h/etc/main.cf" "$tmp/main.cf.$h"; done; }
auths() { cat "$FL_RECORD" 2>/dev/null | grep -c '^[0-9]*: AUTH '; }

# --- a change whose probe passes on the canary ---------------------------
rdg set smtp_helo_timeout=123s
tap_is "$RD_RC" 0 "a harmless edit staged on the 3 relays"
before=$(auths)
rdg apply --yes --canary r2 --batch 1
tap_is "$RD_RC" 0 "apply --canary r2: exit 0"
tap_like "$RD_OUT" "canary: postfix check and the probe of \[127\.0\.0\.1\]:$FL_PORT passed" \
	"the canary's probe of its smart host passed, and it says so"
tap_is "$(val r1 smtp_helo_timeout):$(val r2 smtp_helo_timeout):$(val r3 smtp_helo_timeout)" \
	"123s:123s:123s" "every relay has the change"
tap_is "$(($(auths) - before))" 1 "one AUTH reached the smart host: the canary's, none from the others"

# --- a change that breaks the way to the smart host -----------------------
keep
dead=$(_sshd_free_port)
rdg set "relayhost=[127.0.0.1]:$dead"
tap_is "$RD_RC" 0 "a relayhost where nothing listens staged on the 3 relays"
rdg --json apply --yes --canary r1 --batch 1
tap_is "$RD_RC" 1 "apply --canary r1: exit 1 (one host failed)"
tap_is "$(python3 - "$tmp/out" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "summary" in d:
        s = d["summary"]
        print(s["ok"], s["failed"], " ".join(r["host"] + "=" + r["status"] for r in s["results"]))
PY
)" "0 1 r1=validate r2=skipped r3=skipped" "the summary: r1 failed its checks, r2 and r3 not reached" ||
	tap_diag "$RD_OUT"
tap_like "$RD_ERR$RD_OUT" "canary: probe of \[127\.0\.0\.1\]:$dead" "the reason names the probe of the new relayhost"
tap_check "r1's main.cf is byte for byte as before" cmp -s "$tmp/sb-r1/etc/main.cf" "$tmp/main.cf.r1"
tap_check "r2's main.cf untouched" cmp -s "$tmp/sb-r2/etc/main.cf" "$tmp/main.cf.r2"
tap_check "r3's main.cf untouched" cmp -s "$tmp/sb-r3/etc/main.cf" "$tmp/main.cf.r3"
"$RELAYDECK" --inventory "$tmp/inv.yml" -F none -H r1 diff >"$tmp/d1" 2>&1
tap_like "$(cat "$tmp/d1")" "\+relayhost = \[127\.0\.0\.1\]:$dead" \
	"the canary, rolled back, keeps the edit staged (the next apply probes it again)"
"$RELAYDECK" --inventory "$tmp/inv.yml" -F none -H r1 history >"$tmp/h1" 2>&1
tap_like "$(cat "$tmp/h1")" "rollback" "r1's history records the rollback" || tap_diag "$(cat "$tmp/h1")"
tap_done
