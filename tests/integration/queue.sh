#!/bin/bash
# queue.sh - relaydeck queue against a running Postfix instance whose
# queue holds 1,000 real deferred messages (tests/lib/queue_fill.sh:
# submission files through pickup, cleanup and qmgr, deferred by smtp to
# a dead port and by retry(8) with rate-limit, TLS and DNS reasons).
# Counts, shape and reasons are checked against postqueue -j and qshape
# for the same queue; each action against the queue afterwards. Runs
# over SSH too (queue_ssh.sh): then every relaydeck call goes through -H.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/rdtest.sh"
. "$here/../lib/postfix_instance.sh"
. "$here/../lib/queue_fill.sh"

rd_require_root_postfix
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
rd_tmpdir
trap 'qf_cleanup; rd_cleanup' EXIT
N=1000
check=$RD_SRCDIR/tests/lib/queue_check.py
T=$RD_TMP

tap_plan 51

qf_create || { tap_not_ok "instance created"; tap_done; }
# the flush service keeps a list for d00.example (postqueue -s)
postconf -c "$PFI_CONF" -e "fast_flush_domains = d00.example"
pfi_start || { tap_not_ok "instance started"; tap_done; }
qf_fill $N || { tap_not_ok "queue filled"; tap_done; }
tap_is "$(qf_count deferred)" "$N" "postqueue -j lists $N deferred messages"

q() { rd -c "$PFI_CONF" --state-dir "$T/state" queue "$@"; }
pq() { postqueue -c "$PFI_CONF" -j >"$T/pq.json"; }

# --- list ---------------------------------------------------------------------
pq
q list --json
printf '%s\n' "$RD_OUT" >"$T/rd.json"
tap_check "list --json: every message as postqueue -j has it (queue, time, size, sender, recipients, reasons)" \
	python3 "$check" list "$T/pq.json" "$T/rd.json"
tap_is "$(grep -c . "$T/rd.json")" "$N" "list --json: one object per message"
q list
tap_like "$(printf '%s\n' "$RD_OUT" | tail -n 1)" "^-- 1,000 messages \(1,000 deferred\), [0-9,]+ recipients$" \
	"list: the summary counts them"
tap_is "$(printf '%s\n' "$RD_OUT" | sed -n '2,$p' | grep -vc '^--')" "$N" "list: a line per message"

# --- filters, checked against postqueue -j ----------------------------------
now=$(date +%s)
q list --json --domain mx1.rl.example
printf '%s\n' "$RD_OUT" >"$T/f.json"
tap_is "$(python3 "$check" ids "$T/f.json")" "$(python3 "$check" select "$T/pq.json" "$now" domain=mx1.rl.example)" \
	"--domain: the messages with a recipient there"
q list --json --domain rl.example
printf '%s\n' "$RD_OUT" >"$T/f.json"
tap_is "$(python3 "$check" ids "$T/f.json")" "$(python3 "$check" select "$T/pq.json" "$now" domain=rl.example)" \
	"--domain: below the domain too"
q list --json --older-than 90m --younger-than 6h
printf '%s\n' "$RD_OUT" >"$T/f.json"
tap_is "$(python3 "$check" ids "$T/f.json")" "$(python3 "$check" select "$T/pq.json" "$now" older=5400 younger=21600)" \
	"--older-than / --younger-than"
q list --json --sender '<>'
printf '%s\n' "$RD_OUT" >"$T/f.json"
tap_is "$(python3 "$check" ids "$T/f.json")" "$(python3 "$check" select "$T/pq.json" "$now" 'sender=<>')" \
	"--sender '<>': the bounces"
q list --json --reason 'rate limited' --domain mx2.rl.example --sort size
printf '%s\n' "$RD_OUT" >"$T/f.json"
tap_is "$(python3 -c 'import json,sys
s=[json.loads(l)["size"] for l in open(sys.argv[1]) if l.strip()]
print(s == sorted(s, reverse=True) and len(s) > 0)' "$T/f.json")" "True" "--sort size: largest first"

# --- shape, against qshape ----------------------------------------------------
qshape -c "$PFI_CONF" deferred >"$T/qshape.txt"
q shape --json
printf '%s\n' "$RD_OUT" >"$T/shape.json"
tap_check "shape: qshape deferred's rows and counts" python3 "$check" shape "$T/qshape.txt" "$T/shape.json"
if [ -n "${RD_SSH_HOST:-}" ]; then
	want_src="postqueue -j"
else
	want_src="queue files"
fi
tap_like "$(cat "$T/shape.json")" "\"source\":\"$want_src\"" "shape: read from the $want_src"
# a filter takes the postqueue -j way; the shape is the same
q shape --json --older-than 0
printf '%s\n' "$RD_OUT" >"$T/shape2.json"
tap_check "shape from postqueue -j: the same rows" python3 "$check" shape "$T/qshape.txt" "$T/shape2.json"
qshape -c "$PFI_CONF" -s deferred >"$T/qshape-s.txt"
q shape --json --by sender
printf '%s\n' "$RD_OUT" >"$T/shape-s.json"
tap_check "shape --by sender: qshape -s deferred" python3 "$check" shape "$T/qshape-s.txt" "$T/shape-s.json"
q shape
tap_like "$(printf '%s\n' "$RD_OUT" | sed -n 2p)" "^ +TOTAL +[0-9]+ " "shape: text table with TOTAL first"

# --- reasons --------------------------------------------------------------------
q reasons --json
printf '%s\n' "$RD_OUT" >"$T/reasons.json"
tap_check "reasons: four groups, each with the recipients postqueue -j gives that reason" \
	python3 "$check" reasons "$T/pq.json" "$T/reasons.json"
q reasons
tap_like "$RD_OUT" "host \* said: 421 4\.7\.0 Too many messages from \*, rate limited; try again in # seconds" \
	"reasons: host and numbers folded"

# --- show -------------------------------------------------------------------------
esc_id=$(grep -l -r 'URGENT' "$QF_QUEUE/deferred" | head -n 1 | xargs -n 1 basename)
q show "$esc_id"
tap_like "$RD_OUT" 'Subject: Invoice \\x1b\[31mURGENT\\x1b\[0m' "show: headers, the escape sequence shown as \\\\x1b"
tap_unlike "$RD_OUT" $'\x1b' "show: no ESC byte reaches the terminal"
tap_unlike "$RD_OUT" "line 0 of the body" "show: no body by default"
q show "$esc_id" --body
tap_like "$RD_OUT" "line 0 of the body of message" "show --body: the body"
q show "$esc_id" --json
tap_is "$(printf '%s' "$RD_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("\x1b[31mURGENT" in d["headers"], d["body"] is None, "recipient:" in d["envelope"])')" \
	"True True True" "show --json: envelope and headers as sent, body null"

# --- actions --------------------------------------------------------------------------
ids=$(python3 -c 'import json,sys
print(" ".join(json.loads(l)["queue_id"] for l in list(open(sys.argv[1]))[:3]))' "$T/pq.json")
q hold $ids --yes --json
tap_is "$(printf '%s' "$RD_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["done"], d["missing"])')" \
	"3 []" "hold ID ID ID: three placed on hold"
tap_is "$(qf_count hold)" "3" "postqueue -j: three in hold"
printf '%s\n' $ids >"$T/ids"
q release --yes
tap_is "$RD_RC" "2" "release without IDs or a filter: usage error"
rd_stdin "$T/ids" -c "$PFI_CONF" --state-dir "$T/state" queue release - --yes
tap_like "$RD_OUT" "^released from hold: 3 messages" "release -: IDs from stdin"
tap_is "$(qf_count hold)" "0" "postqueue -j: none in hold"
want=$(python3 "$check" select "$T/pq.json" "$now" domain=mx2.tls.example | grep -c .)
q hold --domain mx2.tls.example --yes
tap_like "$RD_OUT" "^placed on hold: $want messages" "hold --domain: what the filter matches"
tap_is "$(qf_count hold)" "$want" "postqueue -j: those $want in hold"
q hold --domain mx2.tls.example --yes
tap_like "$RD_OUT" "no message matches" "hold again: the held ones are left out"
q release --queue hold
tap_is "$RD_RC" "2" "release without --yes and without a terminal: refused (exit 2)"
tap_is "$(qf_count hold)" "$want" "... nothing released"

# a message that disappears between the list and the action
pq
set -- $(python3 -c 'import json,sys
print(" ".join(json.loads(l)["queue_id"] for l in list(open(sys.argv[1]))[5:7]))' "$T/pq.json")
gone=$1 kept=$2
postsuper -c "$PFI_CONF" -d "$gone" >/dev/null 2>&1
q hold "$gone" "$kept" --yes --json
tap_is "$RD_RC" "0" "a vanished message is not an error"
tap_is "$(printf '%s' "$RD_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["done"], d["missing"])')" \
	"1 ['$gone']" "... it is reported, the other one is held"
q show "$gone"
tap_is "$RD_RC" "6" "show of a vanished message: not found (exit 6)"
tap_like "$RD_ERR" "$gone: no longer in the queue" "... said so"

# requeue: a new queue ID for the same message
q requeue "$kept" --yes
tap_like "$RD_OUT" "^requeued: 1 message" "requeue"
postkick -c "$PFI_CONF" public pickup W
for _ in $(seq 50); do
	[ "$(qf_count)" = "$((N - 1))" ] && ! postqueue -c "$PFI_CONF" -j | grep -q "\"$kept\"" && break
	sleep 0.2
done
tap_ok_if() { if eval "$2"; then tap_ok "$1"; else tap_not_ok "$1"; fi; }
tap_ok_if "... the old ID is gone and the message is back under a new one" \
	"! postqueue -c '$PFI_CONF' -j | grep -q '\"$kept\"' && [ \"\$(qf_count)\" = $((N - 1)) ]"

# flush one message: Postfix tries it again (a new line in the log)
pq
fid=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["queue_id"])' "$T/pq.json")
before=$(grep -c "$fid: to=.*status=deferred" "$PFI_LOG")
q flush "$fid" --yes
tap_like "$RD_OUT" "^scheduled for delivery: 1 message" "flush ID: postqueue -i"
for _ in $(seq 50); do
	[ "$(grep -c "$fid: to=.*status=deferred" "$PFI_LOG")" -gt "$before" ] && break
	sleep 0.2
done
tap_ok_if "... Postfix tried it again" "[ \"\$(grep -c '$fid: to=.*status=deferred' '$PFI_LOG')\" -gt $before ]"
q flush --site d01.example --yes
tap_like "$RD_ERR" "Flush service is not configured for destination" "flush --site: Postfix's own refusal"
q flush --site d00.example --yes
tap_is "$RD_RC" "0" "flush --site d00.example (fast_flush_domains): postqueue -s"

# delete: by ID, and everything
q delete "$fid"
tap_is "$RD_RC" "2" "delete without --yes and without a terminal: refused"
q delete "$fid" --yes
tap_like "$RD_OUT" "^deleted: 1 message" "delete ID --yes"
tap_is "$(postqueue -c "$PFI_CONF" -j | grep -c "\"$fid\"")" "0" "... gone from postqueue -j"

# --- bad input (postqueue -j output saved earlier: --input) -------------------------------
head -n 5 "$T/pq.json" >"$T/in.json"
printf '%s\n' '{"queue_name": "deferred", "queue_id": "ABC", "arrival_tim' >>"$T/in.json"
sed -n '6,10p' "$T/pq.json" >>"$T/in.json"
head -c 150 "$T/pq.json" | sed -n 1p | tr -d '\n' >>"$T/in.json"
q list --input "$T/in.json"
tap_like "$RD_OUT" "^-- 10 messages" "--input: the good lines are listed"
tap_like "$RD_ERR" "warning: 2 lines of postqueue -j output skipped \(line 6: JSON: .*the last line was cut short" \
	"... a corrupt and a cut line named, with the line number"
: >"$T/empty.json"
q shape --input "$T/empty.json"
tap_like "$(printf '%s\n' "$RD_OUT" | sed -n 2p)" "^ +TOTAL +0 +0" "an empty queue: a shape of zeros"

# postqueue failing: as nobody, postqueue refuses another instance's config
if [ -z "${RD_SSH_HOST:-}" ] && command -v setpriv >/dev/null 2>&1; then
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$RELAYDECK" -c "$PFI_CONF" \
	      --state-dir "$T/nobody" queue list 2>&1)
	rc=$?
	tap_like "$out" "postqueue -j failed \(exit [0-9]+\): postqueue: (fatal|error): " \
		"postqueue failing: its own fatal line (exit $rc)"
else
	tap_skip "postqueue failing as nobody" "only locally"
fi
# postqueue missing: hidden in a private mount namespace
if [ -z "${RD_SSH_HOST:-}" ] && command -v unshare >/dev/null 2>&1; then
	out=$(unshare -m sh -c "mount --bind /dev/null /usr/sbin/postqueue &&
	      '$RELAYDECK' -c '$PFI_CONF' --state-dir '$T/state' queue list" 2>&1)
	tap_like "$out" "postqueue: program not found or not executable" "postqueue missing: said so"
else
	tap_skip "postqueue missing" "only locally"
fi

# the queue of 0
q delete --all --yes
q list
tap_like "$RD_OUT" "^-- 0 messages" "after delete --all: an empty queue"

tap_done
