#!/bin/sh
# creds_maps.sh - drive the Credentials and Maps screens in a detached tmux
# on a sandbox: add a credential by typing its password (never shown: every
# capture of the pane is kept and searched), check the file is 0600 and
# the real postmap -q returns user:password; add a generic map entry (a bad
# key first: the message stays in the dialog, nothing written), apply,
# check postmap -q; try an address and read the rewritten one.
#
# Environment: RELAYDECK (the built binary; make check sets it),
# top_srcdir (the source tree). TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "not root"
tui_init cm
tap_plan 20
KEY="[127.0.0.1]:2587"
USER_NAME=tui-user@example.net
# ':' and a blank inside: Postfix splits user:password at the first ':'.
PASSWORD="Tui:pw 7Qx-$$-zz"
# Every capture of the pane lands here, to search for the password.
SEEN=$DIR/seen
TUI_SEEN=$SEEN
tui_start

check_screen "console opens on the Dashboard (a relayhost is set)" "relaydeck - Dashboard"
keys ?
check_screen "help lists the screen switch" "Go to Credentials"
keys Enter
wait_gone "Go to Credentials" || tap_diag "help did not close"

# --- Credentials ------------------------------------------------------------
keys 2
check_screen "2 opens Credentials with the sandbox entry masked" "••••"

keys a
wait_for "Add credentials (1/3)" || tap_diag "no key field"
text "$KEY"
keys Enter
wait_for "Add credentials (2/3)" || tap_diag "no user field"
text "$USER_NAME"
keys Enter
wait_for "Add credentials (3/3)" || tap_diag "no password field"
text "$PASSWORD"
# The field shows one '*' per character, never the characters.
check_screen "the password field shows only a mask" "$(printf '%s' "$PASSWORD" | sed 's/./*/g')"
keys Enter
check_screen "the review shows the masked diff" "+[127.0.0.1]:2587 ********"
check_screen "comment lines of sasl_passwd are shown as they are, not masked" \
	" # The entry below is a placeholder, not a real account."
keys y
check_screen "apply reports success" "Apply succeeded"
keys Enter
check_screen "the new entry is listed, masked" "$USER_NAME"

mode=$(stat -c %a "$C/sasl_passwd" 2>/dev/null)
dbmode=$(stat -c %a "$C/sasl_passwd.db" 2>/dev/null)
if [ "$mode" = 600 ] && [ "$dbmode" = 600 ]; then
	tap_ok "sasl_passwd and sasl_passwd.db are 0600"
else
	tap_not_ok "sasl_passwd and sasl_passwd.db are 0600"
	tap_diag "modes: $mode $dbmode"
fi
got=$(postmap -c "$C" -q "$KEY" "hash:$C/sasl_passwd")
if [ "$got" = "$USER_NAME:$PASSWORD" ]; then
	tap_ok "postmap -q returns user:password for the new key"
else
	tap_not_ok "postmap -q returns user:password for the new key"
fi

# --- Maps ---------------------------------------------------------------------
keys 3
check_screen "3 opens Maps with the generic table and its entry count" "smtp_generic_maps"
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "smtp_generic_maps"
keys Enter
wait_gone "Search rows" || tap_diag "search prompt did not close"
keys Enter
check_screen "Enter opens the generic table view" "Maps: smtp_generic_maps = hash:"

cp "$C/generic" "$DIR/generic.orig"
keys a
wait_for "Add an entry (1/2)" || tap_diag "no key field"
text "bad key"
keys Enter
wait_for "Add an entry (2/2)" || tap_diag "no value field"
text "x@example.net"
keys Enter
check_screen "a key with a blank is refused in the dialog (maps_check_entry)" \
	"whitespace or control character in a key"
keys Escape
wait_gone "Add an entry (2/2)" || tap_diag "value field did not close"
if cmp -s "$C/generic" "$DIR/generic.orig"; then
	tap_ok "the refused entry wrote nothing"
else
	tap_not_ok "the refused entry wrote nothing"
fi

keys a
wait_for "Add an entry (1/2)" || tap_diag "no key field"
text "tuitest@relay01.localdomain"
keys Enter
wait_for "Add an entry (2/2)" || tap_diag "no value field"
text "tui-rewritten@example.net"
keys Enter
check_screen "the review shows the new line in the diff" "+tuitest@relay01.localdomain"
keys y
check_screen "apply of the map entry reports success" "Apply succeeded"
keys Enter
got=$(postmap -c "$C" -q tuitest@relay01.localdomain "hash:$C/generic")
tap_is "$got" "tui-rewritten@example.net" "postmap -q sees the new generic entry"

# --- Try an address -------------------------------------------------------------
keys t
wait_for "Sender or recipient address" || tap_diag "no try box"
text "tuitest@relay01.localdomain"
keys Enter
check_screen "the try box shows the generic rewrite from postmap -q" \
	"smtp_generic_maps -> tui-rewritten@example.net"
keys Enter
wait_gone "Try an address" || tap_diag "try result did not close"

# --- the password never reached the terminal ------------------------------------
# The plain password, and its part after the ':' (what a user:password
# split would show), in any capture taken during the run.
tail_pw=${PASSWORD#*:}
# The sandbox's own entry must stay hidden too.
if [ -s "$SEEN" ] && ! grep -qF -- "$PASSWORD" "$SEEN" && ! grep -qF -- "$tail_pw" "$SEEN" &&
	! grep -qF -- "$tail_pw" "$DIR/stderr" && ! grep -qF example-not-a-real "$SEEN"; then
	tap_ok "no capture of the pane ever showed the password"
else
	tap_not_ok "no capture of the pane ever showed the password"
fi

# q from the table view, Maps, then quits from the root (nothing pending).
keys q q q
tui_quit_check

tap_done
