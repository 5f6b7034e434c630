#!/bin/sh
# crash_and_rebase.sh - the console and the two ways a change can go
# wrong behind it.
#
# Recovery at open: `setup --yes` is killed (kill -9) after it has
# replaced sasl_passwd and while it writes main.cf (each write stalls
# before its rename, RELAYDECK_TEST_STALL_BEFORE_RENAME_MS); the console
# opened next says the earlier apply was interrupted, and main.cf,
# sasl_passwd and its database are the old ones again, the marker gone,
# before the first screen shows a value.
#
# Someone else's edit: relayhost is staged, then `postconf -e` changes
# another parameter; the Changes screen says "main.cf changed since you
# staged this edit (by someone else); review the new diff", a refuses, r
# rebases, a applies, and both edits are in main.cf.
# Skips only when tmux is missing.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

tui_init crash
tap_plan 11
export RELAYDECK_STATE_DIR="$DIR/sb/state"
export RELAYDECK_PROVIDERS_CATALOG="$top_srcdir/data/providers.yaml"
cp "$C/main.cf" "$DIR/main.cf.orig"
cp "$C/sasl_passwd" "$DIR/sasl_passwd.orig"
db_orig=$(postmap -c "$C" -s "hash:$C/sasl_passwd" | sort)
(umask 077 && printf 'Tui-Crash-Secret\n' >"$DIR/pw")

# --- kill -9 in the middle of an apply ------------------------------------
RELAYDECK_TEST_STALL_BEFORE_RENAME_MS=700 "$RELAYDECK" --state-dir "$DIR/sb/state" -c "$C" setup --yes --provider custom \
	--host 192.0.2.25 --port 2525 --user crash --password-file "$DIR/pw" >/dev/null 2>&1 &
pid=$!
i=0
while cmp -s "$C/sasl_passwd" "$DIR/sasl_passwd.orig" && [ "$i" -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if cmp -s "$C/main.cf" "$DIR/main.cf.orig" && ! cmp -s "$C/sasl_passwd" "$DIR/sasl_passwd.orig" &&
    [ -e "$DIR/sb/state/applying" ]; then
	tap_ok "killed mid-apply: sasl_passwd new, main.cf old, the marker there"
else
	tap_not_ok "killed mid-apply: sasl_passwd new, main.cf old, the marker there"
fi

tui_start
check_screen "the console says the interrupted apply was undone" "an earlier apply was interrupted"
if cmp -s "$C/main.cf" "$DIR/main.cf.orig" && cmp -s "$C/sasl_passwd" "$DIR/sasl_passwd.orig" &&
    [ "$(postmap -c "$C" -s "hash:$C/sasl_passwd" | sort)" = "$db_orig" ]; then
	tap_ok "main.cf, sasl_passwd and its database are the old ones again"
else
	tap_not_ok "main.cf, sasl_passwd and its database are the old ones again"
fi
if [ ! -e "$DIR/sb/state/applying" ] && ! ls -a "$C" | grep -q '\.rd'; then
	tap_ok "no marker and no temporary file left"
else
	tap_not_ok "no marker and no temporary file left"
	tap_diag "$(ls -a "$C" "$DIR/sb/state")"
fi
check_screen "the first screen shows main.cf's old relayhost" "[smtp.example.com]:587"
keys q
tui_quit_check

# --- someone else's edit under staged ones --------------------------------
tui_kill
"$RELAYDECK" --state-dir "$DIR/sb/state" -c "$C" set 'relayhost=[192.0.2.10]:587' >/dev/null 2>&1
postconf -c "$C" -e 'smtp_helo_timeout = 77s'
tui_start
# a configured relay opens on the Dashboard: 1 goes to Relay settings
wait_for "Dashboard" || tap_diag "no first screen"
keys 1
wait_for "Relay settings" || tap_diag "no Relay settings screen"
keys c
check_screen "Changes says main.cf changed since the edit was staged" \
	"main.cf changed since you staged this edit (by someone else); review the new diff"
keys a
sleep 1
if [ "$(postconf -c "$C" -h relayhost)" = "[smtp.example.com]:587" ] &&
    ! screen | grep -qF "Apply succeeded"; then
	tap_ok "a refuses while the edits are not rebased"
else
	tap_not_ok "a refuses while the edits are not rebased"
	tap_diag "$(screen)"
fi
keys r
check_screen "r rebases the edits on the new main.cf" "rebased"
keys a
wait_for "y/n" || tap_diag "no question"
keys y
check_screen "the rebased edits apply" "Apply succeeded"
if [ "$(postconf -c "$C" -h relayhost)" = "[192.0.2.10]:587" ] &&
    [ "$(postconf -c "$C" -h smtp_helo_timeout)" = 77s ]; then
	tap_ok "nothing lost: relayhost and the other admin's smtp_helo_timeout are in main.cf"
else
	tap_not_ok "nothing lost: relayhost and the other admin's smtp_helo_timeout are in main.cf"
fi
tap_done
