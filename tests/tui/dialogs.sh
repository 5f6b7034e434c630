#!/bin/sh
# dialogs.sh - the console's dialogs at 80x24 hide nothing:
# - a review question (Credentials: add) whose masked diff is taller than
#   the dialog scrolls (j, PgDn) down to its last line before y/n, and
#   says so in its footer; PgUp goes back to the question;
# - an input dialog's validation message wraps under the field instead
#   of being clipped at the box's edge (relayhost: the reason after the
#   quoted value);
# - the search field starts empty: a second search is for what is typed
#   (it was appended to the last pattern), and Enter on nothing repeats.
#
# Skips when tmux is missing or when not root (the sandbox).
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
tui_init dlg
tap_plan 11
# Three long comments at the end of sasl_passwd: the context of the new
# entry's hunk wraps into more rows than a dialog at 80x24 has.
long=$(printf 'note %s ' $(seq 1 60))
for i in 1 2 3; do
	printf '# %s %s\n' "$i" "$long" >>"$C/sasl_passwd"
done
TUI_COLS=80 TUI_ROWS=24 tui_start

wait_for "relaydeck - Dashboard" || tap_diag "console did not open"
keys 2
wait_for "••••" || tap_diag "no credentials screen"
keys a
wait_for "Add credentials (1/3)" || tap_diag "no key field"
text "[127.0.0.1]:2587"
keys Enter
wait_for "Add credentials (2/3)" || tap_diag "no user field"
text "dialog-user@example.net"
keys Enter
wait_for "Add credentials (3/3)" || tap_diag "no password field"
text "not-a-real-password"
keys Enter
check_screen "the review asks its question first" "apply 1 changed file(s)"
last="+[127.0.0.1]:2587 ********"
if screen | grep -qF -- "$last"; then
	tap_not_ok "the diff is taller than the dialog (premise)"
else
	tap_ok "the diff is taller than the dialog (premise)"
fi
check_screen "the footer says the question scrolls" "PgUp/PgDn: scroll   y: yes   n: no"
keys j
sleep 0.3
if wait_gone "apply 1 changed file(s)"; then
	tap_ok "j scrolls the review by a line"
else
	tap_not_ok "j scrolls the review by a line"
	tap_diag "$(screen)"
fi
n=0
while ! screen | grep -qF -- "$last" && [ "$n" -lt 10 ]; do
	keys NPage
	sleep 0.2
	n=$((n + 1))
done
check_screen "PgDn reaches the new entry, the last line of the diff" "$last"
keys PPage PPage PPage PPage
check_screen "PgUp goes back to the question" "apply 1 changed file(s)"
keys n
wait_for "not applied" || tap_diag "n did not close the review"

# --- an input dialog's message ------------------------------------------------
keys 1
wait_for "Relay settings" || tap_diag "no relay screen"
keys Home Enter
wait_for "relayhost =" || tap_diag "no relayhost field"
keys C-u
text "[smtp.example.com]:99999 extra words here"
keys Enter
check_screen "the validation message is shown whole, wrapped under the field" \
	"without spaces or commas"
keys Escape
wait_gone "relayhost =" || tap_diag "the relayhost field stayed"

# --- search: what is typed is the pattern, Enter on nothing repeats it -------
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "myhostname"
keys Enter
check_screen "/ finds a row" "myhostname  (string)"
keys /
wait_for "empty: myhostname again" || tap_diag "the prompt does not name the last pattern"
text "relayhost"
keys Enter
check_screen "a second / searches for what is typed (not appended to the last pattern)" \
	"relayhost  (next hop)"
keys /
wait_for "Search rows" || tap_diag "no search prompt"
keys Enter
check_screen "Enter on an empty field searches the last pattern again" \
	"sender_dependent_relayhost_maps  ("
keys q q
tui_quit_check

tap_done
