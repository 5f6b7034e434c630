#!/bin/bash
# fleet_probe.sh - `relaydeck -g GROUP probe auth` and `-g GROUP health`
# on three relays (real sshd servers, each in front of its own Postfix
# sandbox) whose smart host is a lab SMTP server (STARTTLS, a lab CA,
# AUTH recorded): each relay probes from its own position (through its
# own SSH connection) with its own credential from its own
# smtp_sasl_password_maps; a relay whose smart host does not answer
# fails alone, and the exit status counts the relays that failed.
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

fl_setup 11 r1 r2 r3
rdg() { "$RELAYDECK" --inventory "$tmp/inv.yml" -F none --connect-timeout 60 -g relays "$@"; }

# --- every relay probes its smart host ---------------------------------
rdg --json probe auth >"$tmp/probe.json" 2>"$tmp/probe.err"
tap_is "$?" 0 "probe auth on 3 relays: exit 0"
tap_is "$(python3 - "$tmp/probe.json" <<'EOF'
import json, sys
hosts, summary = [], None
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "summary" in d:
        summary = d["summary"]
    else:
        hosts.append(d["host"])
print(" ".join(sorted(hosts)), summary["ok"], summary["failed"])
EOF
)" "r1 r2 r3 3 0" "one result per relay, each with its host, and a summary: 3 ok"
# the password each sent: AUTH PLAIN carries \0user\0password in base64
sent=$(python3 - "$FL_RECORD" <<'EOF'
import base64, re, sys
out = []
for line in open(sys.argv[1], "rb").read().decode("latin-1").splitlines():
    m = re.match(r"\d+: AUTH PLAIN (\S+)", line)
    if m:
        out.append(base64.b64decode(m.group(1)).split(b"\0")[2].decode())
print(" ".join(sorted(out)))
EOF
)
tap_is "$sent" "secret-r1 secret-r2 secret-r3" \
	"each relay authenticated with its own credential (its own smtp_sasl_password_maps)"
tap_unlike "$(cat "$tmp/probe.json" "$tmp/probe.err")" "secret-r" "no password in the output"

# --- health reads each relay's probe record ----------------------------
rdg --json health >"$tmp/health.json" 2>"$tmp/health.err"
# the relays' Postfix is not running: each is unhealthy, and counts as failed
tap_is "$?" 3 "health on 3 relays whose Postfix is stopped: exit 3"
tap_is "$(python3 - "$tmp/health.json" <<'EOF'
import json, sys
out = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "summary" in d:
        continue
    lv = {i["name"]: i["level"] for i in d["items"]}
    out.append("%s:tls=%s,auth=%s" % (d["host"], lv.get("tls"), lv.get("auth")))
print(" ".join(sorted(out)))
EOF
)" "r1:tls=ok,auth=ok r2:tls=ok,auth=ok r3:tls=ok,auth=ok" \
	"health --json: TLS and AUTH ok on every relay, from its own probe record"

# --- one relay's smart host does not answer ------------------------------
dead=$(_sshd_free_port)
etc=$tmp/sb-r3/etc
postconf -c "$etc" -e "relayhost = [127.0.0.1]:$dead"
printf '[127.0.0.1]:%s user@lab.test:secret-r3\n' "$dead" >>"$etc/sasl_passwd"
postmap -c "$etc" "hash:$etc/sasl_passwd"
rdg probe auth >"$tmp/probe2.out" 2>"$tmp/probe2.err"
tap_is "$?" 1 "r3's smart host down: exit 1 (one relay failed)"
tap_like "$(cat "$tmp/probe2.out" "$tmp/probe2.err")" "r3: .*(refused|connect)" \
	"r3's failure is reported under its name"
tap_like "$(cat "$tmp/probe2.out" "$tmp/probe2.err")" "3 hosts: 2 ok, 1 failed" \
	"the summary counts 2 ok and 1 failed"
tap_like "$(grep -c '^r[12]: ' "$tmp/probe2.out")" "^[1-9]" "r1 and r2 still report their probes"
rdg --limit r3 --json health >"$tmp/h3.json" 2>/dev/null
tap_like "$(cat "$tmp/h3.json")" '"name":"auth"' "health on r3 alone (--limit) still answers"
tap_done
