#!/bin/bash
# fleet.sh - one command on many relays: real sshd servers on loopback,
# each with SetEnv MAIL_CONFIG= its own Postfix sandbox, selected from an
# inventory by group, by --limit, and by -H given twice. Among them, hosts
# that fail in every way a fleet meets: nothing listening (down), a port
# that accepts TCP and never answers (hung), a host whose key changed, and
# one that refuses our key. Each is reported with its own status within
# its own deadline, none delays the others, and the healthy hosts answer.
lib=$(cd "$(dirname "$0")/../lib" && pwd)
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"
. "$lib/fleet_hosts.sh"

rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
tap_plan 25
rd_tmpdir
tmp=$RD_TMP
hung_pid=
cleanup() {
	[ -n "$hung_pid" ] && kill "$hung_pid" 2>/dev/null
	fh_cleanup
	sshd_cleanup
	rd_cleanup
}
trap cleanup EXIT
unset SSH_AUTH_SOCK
export HOME=$tmp/home
mkdir -p -m 0700 "$HOME/.ssh"
fh_init
GOOD=5
ok=1
for i in $(seq 1 $GOOD); do
	fh_start "r$i" || ok=0
done
fh_start changed && fh_start wrongkey noauth || ok=0
[ $ok = 1 ] || { tap_not_ok "sshd servers started"; tap_done; }
# the changed host: known_hosts holds another key for its address
ssh-keygen -q -t ed25519 -N '' -f "$tmp/other_host"
sed -i "/^\[127.0.0.1\]:$PORT_changed /d; /^\[::1\]:$PORT_changed /d" "$tmp/known_hosts"
echo "[127.0.0.1]:$PORT_changed $(cut -d' ' -f1,2 "$tmp/other_host.pub")" >>"$tmp/known_hosts"
# down: a port nobody listens on; hung: accepts, never says a word
PORT_down=$(_sshd_free_port)
PORT_hung=$(_sshd_free_port)
python3 -c "
import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(50)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
" "$PORT_hung" &
hung_pid=$!
for _ in $(seq 50); do
	ss -ltn | grep -q ":$PORT_hung " && break
	sleep 0.1
done

{
	fh_inventory
	for h in r1 r2 r3 r4 r5 changed wrongkey; do
		fh_host_line $h
	done
	echo "  down: {host: 127.0.0.1, port: $PORT_down}"
	echo "  hung: {host: 127.0.0.1, port: $PORT_hung}"
	echo "  hung2: {host: 127.0.0.1, port: $PORT_hung}"	# a second connection to it
	echo "groups:"
	echo "  eu:"
	echo "    hosts: [r1, r2, r3]"
	echo "  us:"
	echo "    hosts: [r4, r5]"
	echo "  bad:"
	echo "    hosts: [changed, wrongkey, down, hung, hung2]"
} >"$tmp/inv.yml"

rdf() {
	"$RELAYDECK" --inventory "$tmp/inv.yml" -F none "$@" >"$tmp/out" 2>"$tmp/err"
	RD_RC=$?
	RD_OUT=$(cat "$tmp/out")
	RD_ERR=$(cat "$tmp/err")
}

# 1-4: a group, text output
rdf -g eu show relayhost
tap_is "$RD_RC" 0 "-g eu: exit 0 when every host answers"
tap_is "$(sort <<<"$RD_OUT")" "r1: relayhost = [smtp-r1.example]:587
r2: relayhost = [smtp-r2.example]:587
r3: relayhost = [smtp-r3.example]:587" "-g eu: each host's own Postfix answers, its name before each line"
tap_like "$RD_ERR" "3 hosts: 3 ok, 0 failed" "a summary on stderr"
rdf -g eu -g us --limit '!r2:!r4' show relayhost
tap_is "$(cut -d: -f1 <<<"$RD_OUT" | sort | tr '\n' ' ')" "r1 r3 r5 " "--limit '!r2:!r4' removes hosts from two groups"

# 5-7: --limit with a glob and an intersection; -H twice
rdf -g all --limit 'r*:&eu' show relayhost
tap_is "$(cut -d: -f1 <<<"$RD_OUT" | sort | tr '\n' ' ')" "r1 r2 r3 " "--limit 'r*:&eu': the r hosts that are also in eu"
rdf -H r2 -H r5 show relayhost
tap_is "$(cut -d: -f1 <<<"$RD_OUT" | sort | tr '\n' ' ')" "r2 r5 " "-H twice: both hosts"
rdf -g nosuch show relayhost
tap_like "$RD_RC:$RD_ERR" "^6:.*no group nosuch" "an unknown group: exit 6, named"

# 8-16: every host, bad ones included, JSON
rdf -g all --json --connect-timeout 10 --host-timeout 60 show relayhost
tap_is "$RD_RC" 5 "-g all: exit status = 5 hosts failed"
json=$tmp/out
status_of() {
	python3 -c "
import json, sys
for line in open('$json'):
    d = json.loads(line)
    if 'summary' in d:
        for r in d['summary']['results']:
            if r['host'] == sys.argv[1]: print(r['status'])
" "$1"
}
tap_is "$(status_of r1)$(status_of r5)" "okok" "good hosts: ok"
tap_is "$(status_of down)" "network" "down: network (connection refused)"
tap_is "$(status_of hung):$(status_of hung2)" "timeout:timeout" "hung, hung2: timeout"
tap_is "$(status_of changed)" "host-key-refused" "changed key: host-key-refused"
tap_is "$(status_of wrongkey)" "auth" "wrong user key: auth"
tap_is "$(python3 -c "
import json
n = 0
for line in open('$json'):
    d = json.loads(line)
    if 'parameters' in d:
        assert d['host'].startswith('r'), d
        n += 1
print(n)")" "$GOOD" "--json: one show object per good host, each with its \"host\""
tap_is "$(python3 -c "
import json
for line in open('$json'):
    d = json.loads(line)
    if 'error' in d: print(d['host'])
" | sort | tr '\n' ' ')" "changed down hung hung2 wrongkey " "--json: an error object for each bad host, with its \"host\""
# each hung host costs its own connect timeout at the same time as the
# other: the bad group (two of them hung) takes one timeout, not two
start_ms=$(date +%s%3N)
rdf -g bad --connect-timeout 10 show relayhost
elapsed=$(( $(date +%s%3N) - start_ms ))
# one after the other they would take 20 s
tap_check "-g bad: the two hung hosts wait their 10 s together (${elapsed} ms < 19 s)" \
	test "$elapsed" -lt 19000

# 17-18: one at a time the same command takes the sum of the waits: the
# parallel run is not serial
start_ms=$(date +%s%3N)
rdf -g bad --parallel 1 --connect-timeout 10 show relayhost
elapsed1=$(( $(date +%s%3N) - start_ms ))
tap_is "$RD_RC" 5 "-g bad --parallel 1: 5 failed"
tap_check "--parallel 1 waits for each hung host in turn (${elapsed1} ms >= 20 s)" test "$elapsed1" -ge 20000

# 19: --host-timeout ends a host's run without ending the others'
rdf -g all --connect-timeout 120 --host-timeout 30 show relayhost
tap_is "$(grep -c 'relayhost = ' <<<"$RD_OUT"):$RD_RC" "$GOOD:5" "--host-timeout 30: the hung hosts time out at 30 s, the good ones answer"

# 20: no change is ever pushed to a host whose key is not trusted
before=$(md5sum <"$tmp/sb-changed/etc/main.cf")
rdf -g bad set relayhost=[evil.example]:25
tap_is "$(md5sum <"$tmp/sb-changed/etc/main.cf")" "$before" "set on the changed-key host: main.cf untouched"

# 21-22: a change on several hosts is never asked host by host
rdf -g eu set myhostname=fleet.example
# diff on several hosts: hosts whose change is the same, once
# r1b: r1 again under another name (the same config dir, the same edits)
sed "s/^hosts:\$/hosts:\n  r1b: {host: 127.0.0.1, port: $PORT_r1}/" "$tmp/inv.yml" >"$tmp/inv2.yml"
rdf --inventory "$tmp/inv2.yml" -H r1 -H r1b -H r2 diff
tap_like "$(grep '^== ' <<<"$RD_OUT" | tr '\n' ' ')" "^== 2 hosts: r1, r1b == == 1 host: r2 == $" \
	"diff groups the hosts whose change is byte for byte the same"
rdf -g eu apply
tap_is "$RD_RC:$(grep -c 'several hosts: add --yes' <<<"$RD_ERR")" "3:3" "apply on a group without --yes: refused on each host"
rdf -g eu apply --yes
tap_is "$RD_RC:$(postconf -c "$tmp/sb-r2/etc" -h myhostname)" "0:fleet.example" "apply --yes: applied on every host of the group"

# a credential on every host, the password read once from stdin
printf 'Fleet-S3cret\n' | rdf -g eu creds add '[smtp.fleet.example]:587' --user fleetuser \
	--password-file - --yes
got=0
for h in r1 r2 r3; do
	grep -q '^\[smtp.fleet.example\]:587[[:space:]]*fleetuser:Fleet-S3cret$' "$tmp/sb-$h/etc/sasl_passwd" &&
		got=$((got + 1))
done
tap_is "$RD_RC:$got" "0:3" "creds add --password-file - on a group: every host got the password read once"
[ "$got" = 3 ] || tap_diag "$(grep -c fleetuser "$tmp"/sb-r[123]/etc/sasl_passwd) $RD_ERR"
tap_unlike "$RD_OUT$RD_ERR" "Fleet-S3cret" "... and it is printed nowhere"
tap_done
