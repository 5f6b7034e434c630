#!/bin/sh
# wizard_password.sh - a password given in the Setup wizard belongs to the
# next hop and user it was typed for. Typed for Amazon SES, then the admin
# goes back, picks Mailgun and a new user and cancels the password
# question: the credentials step shows the new user and no password, Enter
# asks for one, and the wizard never goes on with the SES secret. Keeping
# "the current one" is offered only when the next hop has an entry for
# the user.
# A provider with a fixed user name (SendGrid's apikey) shows that name,
# not the user typed for another provider. A port typed for a custom
# relay makes the next hop the password is asked for.
#
# Skips when tmux is missing or when not root (the sandbox).
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
tui_init wizpw
tap_plan 9
TUI_COLS=100 TUI_ROWS=30 tui_start

# pick ID - choose a provider on step 2 by its catalog name.
pick() {
	wait_for "Step 2 of 10: Provider" || tap_diag "no provider step"
	keys /
	wait_for "Search rows" || tap_diag "no search prompt"
	text "$1"
	keys Enter
	sleep 0.2
	keys Enter
}

# back_to_provider - Esc until the provider list shows.
back_to_provider() {
	n=0
	while ! screen | grep -qF "Step 2 of 10: Provider" && [ "$n" -lt 10 ]; do
		keys Escape
		sleep 0.3
		n=$((n + 1))
	done
}

wait_for "relaydeck - Dashboard" || tap_diag "console did not open"
keys 4
wait_for "default_database_type:" || tap_diag "no wizard"
keys Enter
pick "Amazon SES"
wait_for "Step 4 of 10: Region" || tap_diag "no region step"
keys Enter
wait_for "Step 5 of 10: Port" || tap_diag "no port step"
keys Enter
wait_for "User name (" || tap_diag "no user field"
keys C-u
text "AKIAIOSFODNN7EXAMPLE"
keys Enter
wait_for "Password for AKIAIOSFODNN7EXAMPLE" || tap_diag "no password field"
text "ses-secret-0123456789"
keys Enter
check_screen "SES: the password is taken" "Step 7 of 10: Sender rewriting"

back_to_provider
pick "Mailgun"
wait_for "Step 4 of 10: Region" || tap_diag "no mailgun region step"
keys Enter
wait_for "Step 5 of 10: Port" || tap_diag "no mailgun port step"
keys Enter
wait_for "User name (" || tap_diag "no mailgun user field"
keys C-u
text "relay-user@example.net"
keys Enter
wait_for "Password for relay-user@example.net at [smtp.mailgun.org]:587" ||
	tap_diag "no mailgun password field"
# The sandbox's relay has an entry for this user, but not at this next
# hop: there is no "current one" to keep.
if screen | grep -qF "Empty: keep the current one"; then
	tap_not_ok "no entry for Mailgun yet: keeping 'the current one' is not offered"
else
	tap_ok "no entry for Mailgun yet: keeping 'the current one' is not offered"
fi
keys Escape
wait_gone "Password for postmaster" || tap_diag "the password question stayed"
check_screen "after a cancelled password the step shows the new user" \
	"user:     relay-user@example.net"
check_screen "... and no password (the SES one is forgotten)" "password: (not set)"
keys Enter
# Enter asks the credentials again: the user (kept), then the password.
wait_for "User name (" && keys Enter
check_screen "Enter asks for Mailgun's password instead of going on" \
	"Password for relay-user@example.net at [smtp.mailgun.org]:587"
if screen | grep -qF "Step 7 of 10"; then
	tap_not_ok "the wizard did not go on with the SES secret"
else
	tap_ok "the wizard did not go on with the SES secret"
fi
keys Escape
back_to_provider
pick "Twilio SendGrid"
wait_for "Step 5 of 10: Port" || tap_diag "no sendgrid port step"
keys Enter
wait_for "Password for apikey" || tap_diag "no sendgrid password field"
keys Escape
wait_for "Step 5 of 10: Port" || tap_diag "Esc did not go back"
keys Enter
wait_for "Password for apikey" || tap_diag "no sendgrid password field (2)"
text "SG.not-a-real-key"
keys Enter
wait_for "Step 7 of 10: Sender rewriting" || tap_diag "no rewrite step"
keys Escape
check_screen "SendGrid's credentials step names its fixed user, apikey" "user:     apikey"
# A custom relay on a port typed in ("other port…"): the password is
# asked for that next hop.
back_to_provider
pick "Custom smart host"
wait_for "Smart host (" || tap_diag "no host field"
keys C-u
text "192.0.2.10"
keys Enter
wait_for "Step 5 of 10: Port" || tap_diag "no custom port step"
keys End Enter
wait_for "Port (465" || tap_diag "no port field"
text "2525"
keys Enter
wait_for "User name (" && keys Enter
check_screen "a typed port makes the next hop the password is asked for" \
	"Password for relay-user@example.net at [192.0.2.10]:2525"
keys Escape
keys q
wait_for "Leave?" && keys y
wait_for "relaydeck - Dashboard" || tap_diag "q did not leave the wizard"
keys q
tui_quit_check

tap_done
