#!/bin/sh
# secret_maps.sh - the console's Maps screens never show a password from a
# credentials table reached under another name: a rewrite parameter that
# points at sasl_passwd through "./" (a sender-dependent key lives
# there), a password already written into main.cf (static:), and the try
# box answering from the credentials file. Every capture of the pane is
# kept and searched for the passwords.
#
# Environment: RELAYDECK (the built binary; make check sets it),
# top_srcdir (the source tree). TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "not root"
tui_init sm
tap_plan 7
SEEN=$DIR/seen
TUI_SEEN=$SEEN

# billing@example.org authenticates with its own entry of sasl_passwd; a
# rewrite parameter names that file through "./"; lmtp carries a
# password in main.cf itself.
( umask 077; printf 'billing@example.org billing-user:Tui-Sender-S3cret\n' >>"$C/sasl_passwd" )
postmap -c "$C" "hash:$C/sasl_passwd"
postconf -c "$C" -e "sender_dependent_relayhost_maps = hash:$C/./sasl_passwd" \
	"lmtp_sasl_password_maps = static:lmtp-user:Tui-Static-S3cret"
tui_start

check_screen "console opens" "relaydeck - Dashboard"
keys 3
check_screen "Maps lists the password written into main.cf, masked" "static:••••"
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "sender_dependent_relayhost_maps"
keys Enter
wait_gone "Search rows" || tap_diag "search prompt did not close"
keys Enter
check_screen "the table reached through ./ opens masked as credentials" "billing-user:••••"
check_screen "and says its values are credentials" "credentials: masked"

keys t
wait_for "Sender or recipient address" || tap_diag "no try box"
keys C-u
text "billing@example.org"
keys Enter
check_screen "the try box masks the answer from the credentials file" \
	"sender_dependent_relayhost_maps -> billing-user:••••"
keys Enter
wait_gone "Try an address" || tap_diag "try result did not close"

if [ -s "$SEEN" ] && ! grep -q 'S3cret' "$SEEN" && ! grep -qF example-not-a-real "$SEEN" &&
	! grep -q 'S3cret' "$DIR/stderr"; then
	tap_ok "no capture of the pane ever showed a password"
else
	tap_not_ok "no capture of the pane ever showed a password"
	tap_diag "$(grep -E 'S3cret|example-not-a-real' "$SEEN" | head -n 5)"
fi

keys q q q
tui_quit_check

tap_done
