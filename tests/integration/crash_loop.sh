#!/bin/bash
# crash_loop.sh - kill -9 at random points of `relaydeck setup --yes`
# (main.cf, sasl_passwd 0600, postmap), then run `relaydeck show`, and
# check that the next command put the files back to exactly the old set
# or left exactly the new set: main.cf, sasl_passwd and the entries in
# sasl_passwd.db (postmap -s) all old or all new.
#
# The kill lands after a random delay between 0 and the duration of one
# uninterrupted setup, measured first. Counted over CRASH_KILLS kills
# (default 40; `make check-crash` runs 1,000):
#	torn		a mix of old and new files, or the marker still there (must be 0)
#	readable	files holding a password that group or others can read,
#			and temporary files of a killed writer still holding one (must be 0)
#	leftover	processes the killed relaydeck started still running
#			after the next command (must be 0)
#	in_apply	kills that landed while the apply was under way (its
#			marker was there), i.e. the ones recovery had to undo
# The figures go to stdout as a TAP comment (and to $CRASH_REPORT when set).
# Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT
tap_plan 7

KILLS=${CRASH_KILLS:-40}
OLD_SECRET='example-not-a-real-password'
NEW_SECRET='Crash-Loop-Secret-7'
SB=$RD_TMP/sb
"$RD_SRCDIR/tests/lib/sandbox.sh" "$SB" >/dev/null || tap_skip_all "no sandbox"
S=$SB/etc
export RELAYDECK_STATE_DIR=$SB/state
PW=$RD_TMP/password
(umask 077 && printf '%s\n' "$NEW_SECRET" >"$PW")

# dump DIR - the three files' versions: main.cf, sasl_passwd, .db entries.
dump() {
	mkdir -p "$1"
	cp "$S/main.cf" "$1/main.cf"
	cp "$S/sasl_passwd" "$1/sasl_passwd"
	postmap -c "$S" -s "hash:$S/sasl_passwd" 2>&1 | LC_ALL=C sort >"$1/db"
}

# reset - the old files back, fresh state: the next setup changes them again.
reset() {
	cp "$RD_TMP/old/main.cf" "$S/main.cf"
	cp "$RD_TMP/old/sasl_passwd" "$S/sasl_passwd"
	chmod 600 "$S/sasl_passwd"
	# Postfix's programs wait while main.cf is less than a second old
	touch -d '-5 seconds' "$S/main.cf" "$S/sasl_passwd"
	postmap -c "$S" "hash:$S/sasl_passwd"
	rm -rf "$RELAYDECK_STATE_DIR"
	mkdir -m 700 "$RELAYDECK_STATE_DIR"
}

setup_cmd() {
	"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$S" setup --yes --provider custom --host 192.0.2.25 --port 2525 \
	    --user crash-user --password-file "$PW"
}

# now_ms - milliseconds since the epoch.
now_ms() { date +%s%3N; }

# ours - PIDs of processes whose command line or environment names the
# sandbox: what a killed relaydeck left running. ("[b]": the pattern does
# not match grep's own command line.)
ours() {
	local pat="${SB%b}[b]/"
	{ grep -las -- "$pat" /proc/[0-9]*/cmdline; grep -las -- "${pat}etc" /proc/[0-9]*/environ; } 2>/dev/null |
	    sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -u |
	    while read -r p; do
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] || echo "$p"
	    done
}

# secrets_exposed - files under the sandbox holding a password that
# group or others can read, and temp files (".NAME.rdXXXXXX") holding one.
secrets_exposed() {
	local f n=0
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		if [ $(( 0$(stat -c %a "$f") & 077 )) -ne 0 ]; then
			tap_diag "readable by others: $f ($(stat -c %a "$f"))"
			n=$((n + 1))
		elif [[ $(basename "$f") == .*.rd* ]]; then
			tap_diag "temporary file left with a secret: $f"
			n=$((n + 1))
		fi
	done < <(grep -rlaF -e "$NEW_SECRET" -e "$OLD_SECRET" "$SB" 2>/dev/null)
	echo "$n"
}

dump "$RD_TMP/old"
reset
t0=$(now_ms)
setup_cmd >/dev/null 2>"$RD_TMP/setup.err"
rc=$?
t1=$(now_ms)
dump "$RD_TMP/new"
tap_is "$rc" 0 "an uninterrupted setup --yes succeeds"
[ "$rc" -eq 0 ] || tap_diag "$(cat "$RD_TMP/setup.err")"
if ! cmp -s "$RD_TMP/old/main.cf" "$RD_TMP/new/main.cf" &&
    ! cmp -s "$RD_TMP/old/sasl_passwd" "$RD_TMP/new/sasl_passwd" &&
    ! cmp -s "$RD_TMP/old/db" "$RD_TMP/new/db"; then
	tap_ok "setup changes main.cf, sasl_passwd and its database"
else
	tap_not_ok "setup changes main.cf, sasl_passwd and its database"
fi
span=$((t1 - t0))
tap_diag "one setup --yes takes $span ms"

torn=0 readable=0 leftover=0 in_apply=0 killed_alive=0
start=$(date +%s)
for i in $(seq 1 "$KILLS"); do
	reset
	delay=$(( (RANDOM * 32768 + RANDOM) % (span + 1) ))
	"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$S" setup --yes --provider custom --host 192.0.2.25 --port 2525 \
	    --user crash-user --password-file "$PW" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -9 "$pid" 2>/dev/null && killed_alive=$((killed_alive + 1))
	wait "$pid" 2>/dev/null
	[ -e "$RELAYDECK_STATE_DIR/applying" ] && in_apply=$((in_apply + 1))
	"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$S" show >/dev/null 2>"$RD_TMP/show.err"
	left=$(ours | wc -l)
	# one that is being torn down right now is not left over
	[ "$left" -ne 0 ] && sleep 0.5 && left=$(ours | wc -l)
	if [ "$left" -ne 0 ]; then
		tap_diag "kill $i after $delay ms: $left process(es) left: $(for p in $(ours); do tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline"; echo; done)"
		leftover=$((leftover + left))
	fi
	dump "$RD_TMP/now"
	state=
	for f in main.cf sasl_passwd db; do
		if cmp -s "$RD_TMP/now/$f" "$RD_TMP/old/$f"; then
			state="$state old"
		elif cmp -s "$RD_TMP/now/$f" "$RD_TMP/new/$f"; then
			state="$state new"
		else
			state="$state torn"
		fi
	done
	if [ "$state" != " old old old" ] && [ "$state" != " new new new" ] ||
	    [ -e "$RELAYDECK_STATE_DIR/applying" ]; then
		torn=$((torn + 1))
		tap_diag "kill $i after $delay ms: main.cf, sasl_passwd, db:$state$([ -e "$RELAYDECK_STATE_DIR/applying" ] && echo ', marker left'); show said: $(head -c 300 "$RD_TMP/show.err")"
	fi
	n=$(secrets_exposed)
	readable=$((readable + n))
done
secs=$(( $(date +%s) - start ))

summary="kills=$KILLS in_apply=$in_apply killed_while_running=$killed_alive torn=$torn secrets_readable=$readable leftover_processes=$leftover seconds=$secs apply_ms=$span"
tap_diag "$summary"
[ -n "${CRASH_REPORT:-}" ] && echo "$summary" >>"$CRASH_REPORT"
tap_is "$torn" 0 "no torn state after $KILLS kills: every time all old or all new"
tap_is "$readable" 0 "no password readable by others and no temporary file left holding one"
tap_is "$leftover" 0 "no process of a killed relaydeck still running after the next command"
if [ "$in_apply" -gt 0 ]; then
	tap_ok "kills landed inside the apply ($in_apply of $KILLS)"
else
	tap_not_ok "kills landed inside the apply ($in_apply of $KILLS)"
fi
# The last state is whatever the last kill left; one more clean setup
# must apply on top of it (no marker, no lock in the way).
setup_cmd >/dev/null 2>"$RD_TMP/setup.err"
rc=$?
dump "$RD_TMP/now"
if [ "$rc" -eq 0 ] && cmp -s "$RD_TMP/now/main.cf" "$RD_TMP/new/main.cf" &&
    cmp -s "$RD_TMP/now/db" "$RD_TMP/new/db"; then
	tap_ok "after the last kill a plain setup --yes applies the new set"
else
	tap_not_ok "after the last kill a plain setup --yes applies the new set"
	tap_diag "$(cat "$RD_TMP/setup.err")"
fi
tap_done
