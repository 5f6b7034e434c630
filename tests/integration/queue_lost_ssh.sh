#!/bin/bash
# queue_lost_ssh.sh - the connection to a remote relay is lost while
# postqueue -j streams 2,000 messages: a relay between relaydeck and a
# real sshd (tests/lib/cut_proxy.py) resets both sides after 400 KB.
# relaydeck says the connection was lost, exits non-zero, and what it had
# read is kept: the messages before the cut are printed, whole.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/rdtest.sh"
. "$here/../lib/postfix_instance.sh"
. "$here/../lib/queue_fill.sh"
. "$here/../lib/sshd.sh"

rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
rd_tmpdir
proxy_pid=
trap '[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; sshd_cleanup; qf_cleanup; rd_cleanup' EXIT
N=2000
T=$RD_TMP
tap_plan 6

qf_create && pfi_start && qf_fill $N || { tap_not_ok "queue of $N filled"; tap_done; }
sshd_start || { tap_not_ok "sshd started"; tap_done; }
pp=$(pfi_free_port)
python3 "$RD_SRCDIR/tests/lib/cut_proxy.py" "$pp" "$SSHD_PORT" 400000 >"$T/proxy.out" 2>&1 &
proxy_pid=$!
for _ in $(seq 50); do grep -q listening "$T/proxy.out" && break; sleep 0.1; done
echo "[127.0.0.1]:$pp $SSHD_HOSTKEY_PUB" >"$T/known_hosts"
via=(-H "root@127.0.0.1:$pp" --known-hosts "$T/known_hosts" -i "$SSHD_KEY" -c "$PFI_CONF"
     --state-dir "$T/state")

rc=0
"$RELAYDECK" "${via[@]}" queue list --json >"$T/out.json" 2>"$T/err" </dev/null || rc=$?
tap_is "$rc" "1" "list --json: exit 1 when the connection is lost"
tap_like "$(cat "$T/err")" "postqueue: connection lost" "... and says the connection was lost"
# whole messages, then the error object (--json reports errors on stdout too)
n=$(python3 -c 'import json,sys
lines=[json.loads(l) for l in open(sys.argv[1])]
assert lines[-1]["error"]["code"] == "network"
assert all("id" in d for d in lines[:-1])
print(len(lines) - 1)' "$T/out.json" 2>/dev/null || echo bad)
echo "# $n of $N messages arrived before the cut"
tap_like "$n" "^[0-9]+$" "what arrived is whole JSON, one message a line, then the network error"
if [ "$n" != bad ] && [ "$n" -gt 0 ] && [ "$n" -lt "$N" ]; then
	tap_ok "the messages before the cut are kept ($n of $N)"
else
	tap_not_ok "the messages before the cut are kept ($n of $N)"
fi
rc=0
"$RELAYDECK" "${via[@]}" queue list >"$T/out.txt" 2>"$T/err" </dev/null || rc=$?
tap_like "$(tail -n 1 "$T/out.txt")" "^-- [0-9,]+ messages \([0-9,]+ deferred\), [0-9,]+ recipients so far \(incomplete\)$" \
	"list: the summary says the list is incomplete"
tap_is "$(grep -c 'Accepted publickey' "$SSHD_LOG")" "2" "both runs reached sshd through the relay"
tap_done
