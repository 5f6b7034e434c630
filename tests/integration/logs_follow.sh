#!/bin/bash
# logs_follow.sh - relaydeck logs follow: the live tail with a filter across
# a rotation. A follower with --status deferred is started on a file; the
# test writes a sent line and a deferred one, renames the file to .1 and
# writes one more deferred line to the renamed file (syslog keeps writing
# to its open file until told), then creates the new file with a third
# deferred line: exactly the three deferred lines come out, in order,
# none twice. --sender follows a message's sender from qmgr's from= line;
# --json gives each line with its kind. logs_follow_ssh.sh runs it over
# SSH (read_at over SFTP; SFTP has no inodes, so the rotation is seen as
# the path's size falling below the offset).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

[ -x "$RELAYDECK" ] || tap_skip_all "relaydeck binary not built: $RELAYDECK"
rd_tmpdir
trap 'kill $fpid 2>/dev/null; rd_cleanup' EXIT
fpid=

tap_plan 8

L=$RD_TMP/mail.log
st() { date '+%b %e %H:%M:%S'; }
line() { printf '%s relay1 postfix/smtp[77]: %s: to=<%s>, relay=mx.example[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, dsn=%s, status=%s\n' "$(st)" "$1" "$2" "$3" "$4"; }
: >"$L"
via=()
if [ -n "${RD_SSH_HOST:-}" ]; then
	via=(-H "$RD_SSH_HOST" --known-hosts "$RD_SSH_KNOWN_HOSTS" -i "$RD_SSH_KEY")
fi
"$RELAYDECK" "${via[@]}" logs follow --file "$L" --status deferred --max-lines 3 \
    >"$RD_TMP/out" 2>"$RD_TMP/err" &
fpid=$!
# wait until it follows (it says so on stderr)
for _ in $(seq 50); do grep -q following "$RD_TMP/err" && break; sleep 0.1; done
sleep 0.7
line AAAAAA0001 a@x.example 2.0.0 'sent (250 ok)' >>"$L"
line AAAAAA0002 b@x.example 4.7.1 'deferred (451 slow down)' >>"$L"
sleep 1.2
mv "$L" "$L.1"
line AAAAAA0003 c@x.example 4.7.1 'deferred (after the rename)' >>"$L.1"
printf '%s relay1 postfix/qmgr[5]: AAAAAA0004: from=<app@shop.example>, size=1, nrcpt=1 (queue active)\n' "$(st)" >"$L"
line AAAAAA0004 d@x.example 4.7.1 'deferred (in the new file)' >>"$L"
for _ in $(seq 100); do kill -0 $fpid 2>/dev/null || break; sleep 0.1; done
if kill -0 $fpid 2>/dev/null; then
	kill $fpid
	tap_not_ok "follow ended after 3 lines (--max-lines)"
else
	wait $fpid
	tap_is "$?" 0 "follow ended after 3 lines (--max-lines): exit 0"
fi
out=$(cat "$RD_TMP/out")
tap_is "$(printf '%s\n' "$out" | sed -n 's/.*: \(AAAAAA000[0-9]\): .*/\1/p' | tr '\n' ' ')" \
    "AAAAAA0002 AAAAAA0003 AAAAAA0004 " \
    "the three deferred lines in order: before the rename, to the renamed file, in the new file"
tap_unlike "$out" "status=sent" "the sent line is filtered out"
tap_unlike "$out" $'\033' "no colour codes off a terminal"

# --sender and --json from the start of the file
rd --json logs follow --file "$L" --from-start --sender app@shop --max-lines 2
tap_is "$RD_RC" 0 "--sender --from-start --json: exit 0"
tap_is "$(printf '%s\n' "$RD_OUT" | sed -n 's/.*"kind":"\([a-z]*\)".*\(AAAAAA000[0-9]\): \(.\{4\}\).*/\1 \2 \3/p' | tr '\n' ' ')" \
    "other AAAAAA0004 from deferred AAAAAA0004 to=< " \
    "the two lines of app@shop.example's message, each with its kind"
"$RELAYDECK" "${via[@]}" logs follow --file "$L" --from-start --rcpt nobody@ --max-lines 1 \
    >"$RD_TMP/out2" 2>&1 &
fpid=$!
sleep 2
if kill -0 $fpid 2>/dev/null; then
	kill $fpid
	wait $fpid
	tap_is "$? $(grep -vc following "$RD_TMP/out2")" "0 0" \
	    "a filter nothing matches prints nothing and ends cleanly on SIGTERM"
else
	tap_not_ok "a filter nothing matches keeps following"
fi
rd logs follow --file "$L" bogus
tap_is "$RD_RC" 2 "follow with an ID: usage error"
tap_done
