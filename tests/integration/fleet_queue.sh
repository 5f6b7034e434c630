#!/bin/bash
# fleet_queue.sh - the queues of three relays as one: each relay is a
# running private Postfix instance whose queue holds real deferred mail
# (tests/lib/queue_fill.sh; different message mixes), behind its own sshd
# with SetEnv MAIL_CONFIG. `-g all queue shape` is one qshape table whose
# counts are the sum of qshape's on each relay; `queue reasons` one list of
# groups, each with the number of relays it was seen on; `--json queue
# list` one line per message with its "host"; an action goes to each host
# with its own IDs.
lib=$(cd "$(dirname "$0")/../lib" && pwd)
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"
. "$lib/postfix_instance.sh"
. "$lib/queue_fill.sh"
. "$lib/fleet_hosts.sh"

rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
command -v qshape >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
tap_plan 12
rd_tmpdir
tmp=$RD_TMP
roots=() queues=() confs=()
cleanup() {
	local i
	for i in "${!roots[@]}"; do
		PFI_ROOT=${roots[$i]} PFI_CONF=${confs[$i]} QF_QUEUE=${queues[$i]}
		qf_cleanup
	done
	fh_cleanup
	sshd_cleanup
	rd_cleanup
}
trap cleanup EXIT
unset SSH_AUTH_SOCK
export HOME=$tmp/home
mkdir -p -m 0700 "$HOME/.ssh"
fh_init
ok=1
{ fh_inventory; } >"$tmp/inv.yml"
for i in 1 2 3; do
	qf_create && pfi_start && qf_fill $((100 * i)) $((1000 * i)) || ok=0
	roots+=("$PFI_ROOT") confs+=("$PFI_CONF") queues+=("$QF_QUEUE")
	sshd_start "MAIL_CONFIG=$PFI_CONF" || ok=0
	cat "$tmp/admin_key.pub" >>"$SSHD_DIR/authorized_keys"
	cat "$SSHD_KNOWN_HOSTS" >>"$tmp/known_hosts"
	echo "  q$i: {host: 127.0.0.1, port: $SSHD_PORT}" >>"$tmp/inv.yml"
done
[ $ok = 1 ] || { tap_not_ok "three relays with queues"; tap_done; }

rdf() {
	"$RELAYDECK" --inventory "$tmp/inv.yml" -F none "$@" >"$tmp/out" 2>"$tmp/err"
	RD_RC=$?
}

# 1-2: shape: the sum of each relay's qshape
for i in 0 1 2; do
	qshape -c "${confs[$i]}" deferred | awk '$1 == "TOTAL"'
done >"$tmp/qshape.totals"
want=$(awk '{for (k = 2; k <= NF; k++) s[k] += $k} END {for (k = 2; k <= NF; k++) printf "%d ", s[k]}' "$tmp/qshape.totals")
rdf -g all --json queue shape
got=$(python3 -c "
import json
for line in open('$tmp/out'):
    d = json.loads(line)
    if 'rows' in d:
        t = d['rows'][0]
        print(' '.join(str(x) for x in [t['total']] + t['counts']), end=' ')
")
tap_is "$RD_RC:$got" "0:$want" "-g all queue shape: TOTAL row = the sum of qshape deferred on the 3 relays"
rdf -g all queue shape
tap_is "$(grep -c '^ *TOTAL ' "$tmp/out")" 1 "text: one merged table, not one per relay"

# 3-5: reasons
rdf -g all --json queue reasons
python3 - "$tmp/out" >"$tmp/reasons" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if 'groups' in d:
        print("hosts", d['hosts'], "messages", d['messages'])
        for g in d['groups']:
            print(g['hosts'], g['messages'], g['reason'])
PY
tap_is "$(head -n 1 "$tmp/reasons")" "hosts 3 messages 600" "reasons: 600 messages on 3 relays"
sum=0
for i in 0 1 2; do
	# postqueue -j prints a message a line: those with a rate-limited recipient
	n=$(postqueue -c "${confs[$i]}" -j | grep -c 'rate limited' || true)
	sum=$((sum + n))
done
tap_like "$(grep 'rate limited' "$tmp/reasons" | head -n 1)" "^3 $sum " \
	"the rate-limit group: seen on 3 relays, its messages those of postqueue -j on each ($sum)"
rdf -g all queue reasons
tap_like "$(tail -n 1 "$tmp/out")" "^-- .* recipients of 600 messages on 3 relays" "text: a RELAYS column and the total"

# 6-7: list: one line per message, each with its host
rdf -g all --json queue list
tap_is "$(grep -c '"id"' "$tmp/out")" 600 "--json queue list: 600 messages"
tap_is "$(python3 -c "
import json, collections
c = collections.Counter()
for line in open('$tmp/out'):
    d = json.loads(line)
    if 'id' in d: c[d['host']] += 1
print(c['q1'], c['q2'], c['q3'])")" "100 200 300" "... each with its relay's name in \"host\""

# 8-9: an action fanned out, each host with its own IDs
want=0
for i in 0 1 2; do
	n=$(postqueue -c "${confs[$i]}" -j | grep -c '@mx1\.rl\.example"' || true)
	want=$((want + n))
done
rdf -g all queue hold --domain mx1.rl.example --yes
held=0
for i in 0 1 2; do
	n=$(postqueue -c "${confs[$i]}" -j | grep '"queue_name": *"hold"' | grep -c 'mx1.rl.example' || true)
	held=$((held + n))
done
tap_is "$RD_RC:$held" "0:$want" "hold --domain on the fleet: every relay's matching messages held ($want)"
tap_like "$(cat "$tmp/out")" "^q1: placed on hold: " "each relay reports its own count"

# 10-12: IDs on stdin, as `queue list --json` on the fleet prints them:
# each relay gets only its own
"$RELAYDECK" --inventory "$tmp/inv.yml" -F none -g all --json queue list --queue hold \
	--limit q1:q3 >"$tmp/held.json" 2>/dev/null
echo "q2 NOSUCHID" >>"$tmp/held.json"
echo "elsewhere:ABC123" >>"$tmp/held.json"
rdf -g all queue release - --yes <"$tmp/held.json"
left=()
for i in 0 1 2; do
	left+=("$(postqueue -c "${confs[$i]}" -j | grep -c '"queue_name": *"hold"' || true)")
done
tap_is "${left[0]}:${left[2]}" "0:0" "release - with q1's and q3's IDs from queue list --json: released there"
tap_isnt_zero=$(( ${left[1]} > 0 ))
tap_is "$tap_isnt_zero" 1 "q2 got only its own (unknown) ID: its held messages stay held"
tap_like "$(cat "$tmp/err")" "1 line of stdin named no selected host" "a line for another host is reported, not sent"
tap_done
