#!/bin/bash
# recover_open.sh - an apply killed half way is undone by the very next
# command, whichever it is, before it reads anything: locally and, run by
# recover_open_ssh.sh, on a remote host (the marker lives in the host's
# state directory; the recovery runs through the SSH target when the
# session opens).
#
# `setup --yes` is killed (kill -9) after it replaced sasl_passwd and
# while it writes main.cf (each write stalls before its rename:
# RELAYDECK_TEST_STALL_BEFORE_RENAME_MS). Then `show`, `history`,
# `queue list` and `diff` each find such a torn state in turn: each says
# the apply was interrupted, and main.cf, sasl_passwd and the entries of
# sasl_passwd.db are the old ones again, the marker and the temporary
# file gone; `show` prints the old relayhost. A marker naming a backup
# that was never completed (killed while backing up) is only removed.
# Needs root and Postfix.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT
tap_plan 11

"$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null || tap_skip_all "no sandbox"
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
cp "$C/main.cf" "$RD_TMP/main.cf.orig"
cp "$C/sasl_passwd" "$RD_TMP/sasl_passwd.orig"
db_orig=$(postmap -c "$C" -s "hash:$C/sasl_passwd" | sort)
(umask 077 && printf 'Recover-Open-Secret\n' >"$RD_TMP/pw")

# torn - run setup and kill it between its sasl_passwd and main.cf writes.
torn() {
	local via=(--state-dir "$RELAYDECK_STATE_DIR") i=0 pid
	if [ -n "${RD_SSH_HOST:-}" ]; then
		via+=(-H "$RD_SSH_HOST" --known-hosts "$RD_SSH_KNOWN_HOSTS" -i "$RD_SSH_KEY")
	fi
	RELAYDECK_TEST_STALL_BEFORE_RENAME_MS=800 "$RELAYDECK" "${via[@]}" -c "$C" setup --yes \
	    --provider custom --host 192.0.2.25 --port 2525 --user crash \
	    --password-file "$RD_TMP/pw" >/dev/null 2>&1 &
	pid=$!
	while cmp -s "$C/sasl_passwd" "$RD_TMP/sasl_passwd.orig" && [ "$i" -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	cmp -s "$C/main.cf" "$RD_TMP/main.cf.orig" && [ -e "$RELAYDECK_STATE_DIR/applying" ] &&
	    ! cmp -s "$C/sasl_passwd" "$RD_TMP/sasl_passwd.orig"
}

# back_to_old WHAT - the three files old again, no marker, no temp file.
back_to_old() {
	if cmp -s "$C/main.cf" "$RD_TMP/main.cf.orig" &&
	    cmp -s "$C/sasl_passwd" "$RD_TMP/sasl_passwd.orig" &&
	    [ "$(postmap -c "$C" -s "hash:$C/sasl_passwd" | sort)" = "$db_orig" ] &&
	    [ ! -e "$RELAYDECK_STATE_DIR/applying" ] && ! ls -a "$C" | grep -q '\.rd'; then
		tap_ok "$1: main.cf, sasl_passwd and its database old again, no marker, no temp file"
	else
		tap_not_ok "$1: main.cf, sasl_passwd and its database old again, no marker, no temp file"
		tap_diag "$(ls -a "$C" "$RELAYDECK_STATE_DIR")"
		rd_diag
	fi
}

for cmd in show history "queue list" diff; do
	if torn; then
		tap_ok "$cmd: setup killed between its writes (sasl_passwd new, main.cf old, marker)"
	else
		tap_not_ok "$cmd: setup killed between its writes (sasl_passwd new, main.cf old, marker)"
	fi
	# shellcheck disable=SC2086
	rd -c "$C" $cmd
	case $cmd in
	show) tap_like "$RD_ERR" "an earlier apply to .* was interrupted; its files are back" \
		"show says the interrupted apply was undone" ;;
	*) : ;;
	esac
	back_to_old "$cmd"
	[ "$cmd" = show ] && tap_like "$RD_OUT" "relayhost += \\[smtp\\.example\\.com\\]:587" \
		"show prints the old relayhost"
done

# Killed while backing up: a marker whose backup has no meta yet.
mkdir -p -m 700 "$RELAYDECK_STATE_DIR/backups/20000101T000000Z-1"
(umask 077 && cp "$C/sasl_passwd" "$RELAYDECK_STATE_DIR/backups/20000101T000000Z-1/file.0")
printf '20000101T000000Z-1' >"$RELAYDECK_STATE_DIR/applying"
rd -c "$C" show
if [ "$RD_RC" -eq 0 ] && [ ! -e "$RELAYDECK_STATE_DIR/applying" ] &&
    [ ! -e "$RELAYDECK_STATE_DIR/backups/20000101T000000Z-1/file.0" ] &&
    cmp -s "$C/main.cf" "$RD_TMP/main.cf.orig"; then
	tap_ok "a marker of an apply killed while backing up is removed with its partial backup"
else
	tap_not_ok "a marker of an apply killed while backing up is removed with its partial backup"
	rd_diag
fi
tap_done
