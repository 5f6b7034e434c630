#!/bin/sh
# precheck.sh - a main.cf Postfix already rejects (setgid_group =): the
# console's first screen says so in Postfix's words, and an apply from
# the console names the refusal as older than the change instead of
# blaming it.  Skips only when tmux is missing.
#
# Environment: RELAYDECK (the built binary; make check sets it),
# top_srcdir (the source tree). TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

tui_init precheck
[ "$(id -u)" -eq 0 ] || tap_skip_all "postfix check needs root"
tap_plan 5
echo 'setgid_group =' >>"$C/main.cf"
cp "$C/main.cf" "$DIR/main.cf.orig"
tui_start

check_screen "console opens on the Dashboard" "relaydeck - Dashboard"
check_screen "the first screen says Postfix already rejects main.cf, in Postfix's words" \
    "Postfix already rejects this main.cf: fatal: bad string length 0 < 1: setgid_group ="
keys 1
wait_for "relaydeck - Relay settings" || tap_diag "1 did not open Relay settings"

# Stage an edit and apply it from the console.
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "^relayhost"
keys Enter
wait_gone "Search rows" || tap_diag "search prompt did not close"
keys Enter
wait_for "relayhost = " || tap_diag "edit field did not open"
keys C-u
text "[192.0.2.60]:587"
keys Enter
wait_for "1 pending" || tap_diag "the edit was not staged"
keys c
wait_for "+relayhost = [192.0.2.60]:587" || tap_diag "no diff"
keys a
wait_for "y/n" || tap_diag "no confirmation"
keys y
check_screen "the result names the refusal as older than the change" \
    "before this change too"
if cmp -s "$C/main.cf" "$DIR/main.cf.orig"; then
	tap_ok "main.cf is byte-identical after the refused apply"
else
	tap_not_ok "main.cf is byte-identical after the refused apply"
fi

keys Enter
keys q
keys q
keys q
wait_for "Quit?" && keys y
tui_quit_check

tap_done
