#!/bin/sh
# narrow.sh - resizing the console around an open dialog, and text with
# combining marks in a field:
# - a relayhost typed with a combining accent (e + U+0301) keeps the
#   accent on its letter, and the cursor stands right after the text;
# - shrunk to 30x10, the "terminal too small" message wraps to the width
#   there is, sizes whole; keys other than q are ignored there;
# - grown back to 80x24, the dialog is still open with what was typed.
#
# Skips when tmux is missing or when not root (the sandbox).
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
tui_init narrow
tap_plan 8
TUI_COLS=80 TUI_ROWS=24 tui_start

# col_after TEXT - the display column just after TEXT on the pane row
# that holds it (combining marks take no column, CJK two).
col_after() {
	screen | python3 -c '
import sys, unicodedata
want = sys.argv[1]
for line in sys.stdin.read().split("\n"):
    i = line.find(want)
    if i >= 0:
        cols = 0
        for ch in line[:i + len(want)]:
            if unicodedata.combining(ch):
                continue
            cols += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        print(cols)
        break
' "$1"
}

wait_for "relaydeck - Dashboard" || tap_diag "console did not open"
keys 1
wait_for "relaydeck - Relay settings" || tap_diag "1 did not open Relay settings"
keys Home Enter
wait_for "relayhost =" || tap_diag "no relayhost field"
keys C-u
value=$(printf 'smtp.cafe\314\201.example')
text "$value"
check_screen "the accent stays on its letter" "$value"
# The column after "smtp.caf", then "e.example": 9 columns.
want=$(( $(col_after "smtp.caf") + 9 ))
got=$(tmux -L "$SOCK" display -p '#{cursor_x}')
tap_is "$got" "$want" "the cursor stands right after the text (a mark takes no column)"

tmux -L "$SOCK" resize-window -x 30 -y 10
check_screen "at 30x10 the message says so" "terminal too small"
# Wrapped to 30 columns: the needed size is never cut off.
check_screen "... with the sizes whole" "need 80x24"
text "zz"
tmux -L "$SOCK" resize-window -x 80 -y 24
check_screen "back at 80x24 the dialog is still open" "relayhost ="
check_screen "... with what was typed" "$value"
if screen | grep -qF -- "${value}zz"; then
	tap_not_ok "keys typed while too small did not reach the field"
else
	tap_ok "keys typed while too small did not reach the field"
fi
keys Escape
keys q q
tui_quit_check

tap_done
