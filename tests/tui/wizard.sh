#!/bin/sh
# wizard.sh - walk the console's Setup wizard with keystrokes on a sandbox:
# custom relay (host, port), user, masked password with ':' and a space,
# one sender rewrite, rate limits, review, apply; then check the review
# on screen (the password never shown), main.cf through postconf, the
# sasl_passwd mode and `postmap -q` returning user:password; the finish
# offers to remove the old relay's now unused credential and does; the
# last step opens the Probe screen on the new next hop.
#
# Skips when tmux is missing or when not root (postmap of a 0600 root file).
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
tui_init wiz
tap_plan 22
PASS='Pw:with space'
# Every capture is kept to look for the password.
TUI_SEEN=$DIR/captures
: >"$TUI_SEEN"
TUI_COLS=120 TUI_ROWS=40 tui_start

check_screen "console opens" "relaydeck - Dashboard"
keys 4
check_screen "4 opens the wizard on the detected state" "default_database_type:"

keys Enter
wait_for "Step 2 of 10: Provider" || tap_diag "no provider step"
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "Custom smart host"
keys Enter
sleep 0.2
keys Enter
check_screen "choosing the custom relay asks for the host" "Smart host ("
# The sandbox has a relay already: its values are pre-filled.
keys C-u
text "192.0.2.10"
keys Enter
check_screen "the port step marks STARTTLS and implicit TLS" "implicit TLS (wrapper mode)"
# A screen switch would drop the answers: the console asks first; n stays.
keys 1
check_screen "a screen switch asks before dropping the answers" "will be lost. Leave?"
keys n
wait_gone "will be lost. Leave?" || tap_diag "leave question did not close"
keys Enter
check_screen "the user name is asked" "User name ("
keys C-u
text "relayuser"
keys Enter
check_screen "the password is asked, masked" "Password for relayuser at [192.0.2.10]:587"
text "$PASS"
keys Enter
check_screen "sender rewriting step" "Step 7 of 10: Sender rewriting"
keys a
wait_for "Rewrite the sender" || tap_diag "no rewrite prompt"
text "root@localhost=admin@example.com"
keys Enter
wait_for "   root@localhost=admin@example.com" || tap_diag "rewrite not listed"
keys Enter
wait_for "Step 8 of 10: Rate limits" || tap_diag "no limits step"
keys Enter
check_screen "review shows the main.cf diff" "+relayhost = [192.0.2.10]:587"
check_screen "review shows the rewrite table" "root@localhost"

check_screen "the review names the previous relay's credential that goes unused" \
	"The previous relay's credential [smtp.example.com]:587"
keys Enter
check_screen "apply asks for confirmation" "changed file(s) to $C? y/n"
keys y
check_screen "apply succeeds" "Apply succeeded"
keys Enter
# The sandbox's entry for the old relay is now a stale secret: offered for removal.
check_screen "the finish offers to remove the old relay's credential" \
	"-[smtp.example.com]:587 ********"
keys y
check_screen "its removal is applied" "Apply succeeded"
keys Enter
got=$(postmap -q "[smtp.example.com]:587" "$(postconf -c "$C" -h smtp_sasl_password_maps)")
tap_is "$got" "" "the old relay's entry is gone"

got=$(postconf -c "$C" -h relayhost)
tap_is "$got" "[192.0.2.10]:587" "postconf reads the new relayhost"

maps=$(postconf -c "$C" -h smtp_sasl_password_maps)
src=${maps#*:}
mode=$(stat -c %a "$src" 2>/dev/null)
tap_is "$mode" "600" "sasl_passwd is 0600"
got=$(postmap -q "[192.0.2.10]:587" "$maps")
tap_is "$got" "relayuser:$PASS" "postmap -q returns user:password"

wait_for "test the connection" || tap_diag "no done step"
keys Enter
check_screen "the last step opens Probe on the new next hop" "Host[:port]  [192.0.2.10]:587"

if grep -qF -- "$PASS" "$DIR/captures" || grep -qF -- "with space" "$DIR/captures"; then
	tap_not_ok "the password never appears on screen"
else
	tap_ok "the password never appears on screen"
fi

# Probe, then the wizard, then the console itself.
keys q
wait_for "Step 10 of 10: Done" || tap_diag "q did not return to the wizard"
keys q
wait_for "relaydeck - Dashboard" || tap_diag "q did not leave the wizard"
keys q
tui_quit_check

tap_done
