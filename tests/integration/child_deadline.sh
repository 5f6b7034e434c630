#!/bin/bash
# child_deadline.sh - programs relaydeck starts never outlive the deadline
# it was given: probe send --timeout 6 with a sendmail_path that never
# returns (and starts a child of its own) ends within about 6 s and leaves
# no process of it behind; a relative sendmail_path is refused; a FIFO as
# main.cf or as a map is refused at once instead of blocking the open.
# Needs root and a running private Postfix instance.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"

rd_require_root_postfix
rd_tmpdir
tag=rdhang$$
# kill_left - end, by PID, whatever of the hanging script is still running.
kill_left() {
	local p
	for p in $(ps -eo pid=,args= | TAG=$tag awk 'index($0, ENVIRON["TAG"]) { print $1 }'); do
		kill -9 "$p" 2>/dev/null
	done
}
trap 'kill_left; rd_cleanup' EXIT

tap_plan 21

port=$(pfi_free_port)
if ! pfi_create "$port" || ! pfi_start; then
	tap_not_ok "managed Postfix instance runs"
	tap_done
fi
tap_ok "managed Postfix instance runs on 127.0.0.1:$port"
C=$PFI_CONF
S=$RD_TMP/state
mkdir -m 700 "$S"

# A sendmail that reads nothing and never ends, with a child of its own
# (as sendmail has postdrop). Both run a copy of sleep named $tag, so
# that ps finds every one of them.
mkdir -m 755 "$RD_TMP/bin"
cp "$(command -v sleep)" "$RD_TMP/bin/$tag"
cat >"$RD_TMP/bin/hang-sendmail" <<EOF
#!/bin/sh
$RD_TMP/bin/$tag 3600 &
exec $RD_TMP/bin/$tag 3601
EOF
chmod 755 "$RD_TMP/bin/hang-sendmail"
postconf -c "$C" -e "sendmail_path = $RD_TMP/bin/hang-sendmail"

# --timeout 6: the postconf lookups and postfix status before the
# submission spend the same budget (over SSH on a loaded machine, up to
# 3 s of it), and sendmail must still be reached for this case. Locally,
# the process tree is taken while sendmail hangs.
( sleep 3; ps -eo pid=,ppid=,args= >"$RD_TMP/tree" ) &
start=$(date +%s%N)
rd -c "$C" --state-dir "$S" probe send --to rcpt@example.net --timeout 6
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait
tap_is "$RD_RC" 1 "probe send --timeout 6 with a sendmail that hangs: exit 1"
# Without the deadline it would wait an hour: 20 s proves the deadline and
# leaves room for a loaded test machine (8.5 s was seen under make -j2).
tap_check "... it returns long before sendmail would (took $ms ms)" test "$ms" -lt 20000
tap_like "$RD_ERR" "hang-sendmail: no answer within the --timeout of 6 s" "... and says the deadline passed"
# still running (a zombie, dead and waiting for its new parent, is not);
# a killed process on a loaded machine may take a moment to exit: up to 5 s
for i in $(seq 50); do
	left=$(ps -eo pid=,stat=,args= | TAG=$tag awk '$2 !~ /^Z/ && index($0, ENVIRON["TAG"])' |
	    tee "$RD_TMP/left" | wc -l)
	[ "$left" -eq 0 ] && break
	sleep 0.1
done
[ "$left" -eq 0 ] || tap_diag "left: $(cat "$RD_TMP/left")"
tap_is "$left" 0 "... no process of that sendmail is left (its process group was killed)"

# The program's parent is its guard: relaydeck itself in guard mode,
# started by relaydeck (posix_spawn, not a fork of the big process).
if [ -z "${RD_SSH_HOST:-}" ]; then
	kid=$(TAG="$tag 3601" awk 'index($0, ENVIRON["TAG"]) { print $1; exit }' "$RD_TMP/tree")
	guard=$(awk -v p="$kid" '$1 == p { print $2 }' "$RD_TMP/tree")
	guard_args=$(awk -v p="$guard" '$1 == p { $1 = ""; $2 = ""; print }' "$RD_TMP/tree")
	parent=$(awk -v p="$guard" '$1 == p { print $2 }' "$RD_TMP/tree")
	parent_args=$(awk -v p="$parent" '$1 == p { $1 = ""; $2 = ""; print }' "$RD_TMP/tree")
	tap_like "$guard_args" "^ *relaydeck --internal-child-guard $parent [0-9]+ .*/hang-sendmail" \
	    "the hanging sendmail's parent is relaydeck in guard mode, naming its parent"
	tap_like "$parent_args" "probe send" "... whose parent is the relaydeck that runs the probe"
else
	tap_skip "process tree: guard" "the program runs on the SSH host's side"
	tap_skip "process tree: parent" "the program runs on the SSH host's side"
fi

# Guard mode is relaydeck's own: run by anything else it refuses, even
# with the parent's pid right and a descriptor 3 to report on.
# (bash -c with a second command forks relaydeck: its parent is that $$)
RD_RC=0
out=$(bash -c '"$0" --internal-child-guard $$ 0 /bin/echo echo ran 3>"$1"; exit $?' \
    "$RELAYDECK" "$RD_TMP/ready" 2>&1) || RD_RC=$?
tap_is "$RD_RC/$out/$(cat "$RD_TMP/ready")" "127//" \
    "relaydeck --internal-child-guard from a shell: refused (127), nothing run"

# Started through the dynamic loader, /proc/self/exe is the loader: the
# guard cannot start that way, and children are forked instead.
loader=$(ldd "$RELAYDECK" | awk '/ld-linux/ { print $1; exit }')
start=$(date +%s%N)
RD_RC=0
out=$(timeout 60 "$loader" "$RELAYDECK" -c "$C" --state-dir "$S" show 2>&1) || RD_RC=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_is "$RD_RC" 0 "relaydeck run by $loader: show works (children forked; took $ms ms)"
tap_like "$out" "inet_interfaces" "... and lists main.cf's parameters"

# A `postfix status` that does not answer (it runs the postfix-script of
# daemon_directory): --timeout bounds that check too.
mkdir -m 755 "$RD_TMP/daemon"
cat >"$RD_TMP/daemon/postfix-script" <<EOF
#!/bin/sh
exec $RD_TMP/bin/$tag 3602
EOF
chmod 755 "$RD_TMP/daemon/postfix-script"
dd=$(postconf -c "$C" -h daemon_directory)
postconf -c "$C" -e "daemon_directory = $RD_TMP/daemon"
start=$(date +%s%N)
rd -c "$C" --state-dir "$S" probe send --to rcpt@example.net --timeout 3
ms=$(( ($(date +%s%N) - start) / 1000000 ))
postconf -c "$C" -e "daemon_directory = $dd"
tap_check "a postfix status that hangs: probe send --timeout 3 fails" test "$RD_RC" -ne 0
# the hung script would wait an hour; 15 s leaves room for SSH under load
tap_check "... long before the script would end (took $ms ms)" test "$ms" -lt 15000
tap_like "$RD_ERR" "postfix status: no answer .*--timeout" "... naming the check"

# A relative sendmail_path: looked up in our PATH, not where Postfix is.
postconf -c "$C" -e "sendmail_path = sendmail"
rd -c "$C" --state-dir "$S" probe send --to rcpt@example.net --timeout 10
tap_is "$RD_RC" 3 "a relative sendmail_path: refused (exit 3)"
tap_like "$RD_ERR" "sendmail_path = sendmail is not an absolute path" "... the message says why"
postconf -c "$C" -e "sendmail_path = /usr/sbin/sendmail"

# A FIFO as main.cf: open(2) would wait for a writer for ever.
sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/fifo" >/dev/null || exit 1
F=$RD_TMP/fifo/etc
mv "$F/main.cf" "$F/main.cf.real"
mkfifo -m 644 "$F/main.cf"
start=$(date +%s%N)
RD_RC=0
RD_ERR=$(timeout 20 "$RELAYDECK" -c "$F" --state-dir "$RD_TMP/fifo/state" show 2>&1 >/dev/null) ||
    RD_RC=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_is "$RD_RC" 4 "a FIFO as main.cf: refused (exit 4), not a hang (took $ms ms)"
tap_like "$RD_ERR" "$F/main.cf: not a regular file \(a FIFO\)" "... the message names the file and what it is"
# Refused without being opened: a device's open has effects of its own
# (/dev/watchdog starts its timer). A writer waiting on the FIFO gets
# through its open only when a reader opens it.
sh -c 'exec 3>"$1"; : >"$2"' sh "$F/main.cf" "$RD_TMP/opened" &
writer=$!
RD_RC=0
timeout 20 "$RELAYDECK" -c "$F" --state-dir "$RD_TMP/fifo/state" show >/dev/null 2>&1 || RD_RC=$?
sleep 0.3
tap_check "... and never opened: a writer waiting on it is still waiting" test ! -e "$RD_TMP/opened"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

# A FIFO as a map.
rm "$F/main.cf"
mv "$F/main.cf.real" "$F/main.cf"
mv "$F/generic" "$F/generic.real"
mkfifo -m 644 "$F/generic"
RD_RC=0
RD_ERR=$(timeout 20 "$RELAYDECK" -c "$F" --state-dir "$RD_TMP/fifo/state" map show smtp_generic_maps \
    2>&1 >/dev/null) || RD_RC=$?
tap_is "$RD_RC" 4 "a FIFO as a map: map show refused (exit 4), not a hang"
tap_like "$RD_ERR" "$F/generic: not a regular file \(a FIFO\)" "... the message names the map file"
RD_RC=0
timeout 20 "$RELAYDECK" -c "$F" --state-dir "$RD_TMP/fifo/state" map add smtp_generic_maps \
    a@example.net b@example.net --yes >/dev/null 2>&1 || RD_RC=$?
tap_is "$RD_RC" 4 "... map add refused too (exit 4)"

tap_done
