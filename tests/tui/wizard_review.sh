#!/bin/sh
# wizard_review.sh - the Setup wizard's review at 80x24 is the same
# scrollable diff view as the Changes screen: the diff (sasl_passwd, then
# main.cf with two hunks: relayhost and the provider's limits) is longer
# than the screen; one PgDn scrolls it, PgDn reaches the last line of the
# last hunk, every hunk's body is shown on the way, PgUp goes back.
#
# Skips when tmux is missing or when not root (the sandbox).
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
tui_init wizrev
tap_plan 9
TUI_SEEN=$DIR/captures
: >"$TUI_SEEN"
TUI_COLS=80 TUI_ROWS=24 tui_start

wait_for "relaydeck - Dashboard" || tap_diag "console did not open"
keys 4
wait_for "default_database_type:" || tap_diag "no wizard"
keys Enter
wait_for "Step 2 of 10: Provider" || tap_diag "no provider step"
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "Twilio SendGrid"
keys Enter
sleep 0.2
keys Enter
wait_for "Step 5 of 10: Port" || tap_diag "no port step"
keys Enter
wait_for "Password for apikey" || tap_diag "no password field"
text "SG.not-a-real-key"
keys Enter
wait_for "Step 7 of 10: Sender rewriting" || tap_diag "no rewrite step"
keys Enter
wait_for "Step 8 of 10: Rate limits" || tap_diag "no limits step"
keys Enter
check_screen "the review opens on its summary" "SendGrid: next hop [smtp.sendgrid.net]:587"
last="+default_destination_recipient_limit = 1000"
if screen | grep -qF -- "$last"; then
	tap_not_ok "the diff is longer than the 80x24 screen (premise)"
else
	tap_ok "the diff is longer than the 80x24 screen (premise)"
fi
keys PPage NPage
sleep 0.3
if wait_gone "SendGrid: next hop"; then
	tap_ok "one PgDn scrolls the review"
else
	tap_not_ok "one PgDn scrolls the review"
	tap_diag "$(screen)"
fi
n=0
while ! screen | grep -qF -- "$last" && [ "$n" -lt 10 ]; do
	keys NPage
	sleep 0.2
	n=$((n + 1))
done
check_screen "PgDn reaches the last line of the last hunk" "$last"
for want in "+[smtp.sendgrid.net]:587 ********" "+relayhost = [smtp.sendgrid.net]:587" \
	"-default_destination_concurrency_limit = 5"; do
	if grep -qF -- "$want" "$TUI_SEEN"; then
		tap_ok "every hunk's body is shown: $want"
	else
		tap_not_ok "every hunk's body is shown: $want"
	fi
done
keys PPage PPage PPage PPage PPage
check_screen "PgUp scrolls back to the summary" "SendGrid: next hop [smtp.sendgrid.net]:587"
keys q
wait_for "Leave?" && keys y
wait_for "relaydeck - Dashboard" || tap_diag "q did not leave the wizard"
keys q
tui_quit_check

tap_done
