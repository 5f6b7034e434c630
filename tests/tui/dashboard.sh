#!/bin/bash
# dashboard.sh - the Dashboard on a real running private Postfix instance:
#   - at 80x24 the console opens on it (a relayhost is set), "loading…"
#     first, then Postfix running with the master's pid from
#     queue_directory/pid/master.pid;
#   - with a main.cf Postfix rejects (debug_peer_level = 0) the Config
#     item is red with Postfix's reason and the key of Relay settings;
#     the cursor starts on it, Enter opens Relay settings, q comes back;
#   - a probes the relayhost: its failure shows in the TLS item, and the
#     probe is kept in the state dir (probe-tls);
#   - with Postfix stopped, r shows it red; Enter on it asks, y starts the
#     real instance (postfix status then passes) and the item turns ok;
#   - at 200x50 every item shows on one screen and no line is wider than
#     the pane; on a main.cf without relayhost the console opens on the
#     Setup wizard instead.
# Skips when tmux is missing or when not root.
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"
. "$top_srcdir/tests/lib/postfix_instance.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
tui_init dashboard
trap 'tui_cleanup; pfi_cleanup' EXIT
tap_plan 22

port=$(pfi_free_port)
if ! pfi_create "$port" || ! pfi_start; then
	tap_not_ok "private Postfix instance started"
	tap_done
fi
C=$PFI_CONF
qdir=$(postconf -c "$C" -h queue_directory)
pid=$(tr -d ' \n' <"$qdir/pid/master.pid")
cp "$C/main.cf" "$DIR/main.cf.good"
echo "debug_peer_level = 0" >>"$C/main.cf"

TUI_COLS=80 TUI_ROWS=24 tui_start
check_screen "80x24: the console opens on the Dashboard" "relaydeck - Dashboard"
first=$(screen)
case $first in
*"Postfix    running"*) tap_diag "the check was already done at the first capture" ;;
esac
tap_like "$first" "loading…|CRIT|ok  " "the first capture shows loading… or the result, never a blank screen"
check_screen "Postfix is running, with the master's pid" "Postfix    running, master pid $pid"
check_screen "Config is red with Postfix's reason" "CRIT Config     Postfix rejects main.cf:"
check_screen "... says what to do" "-> correct the setting Postfix names in Relay settings"
check_screen "... and names the key of the screen that fixes it" "[1:"
keys Enter
check_screen "Enter on the red item opens Relay settings" "relaydeck - Relay settings"
keys q
check_screen "q goes back to the Dashboard" "relaydeck - Dashboard"
cp "$DIR/main.cf.good" "$C/main.cf"
keys r
check_screen "r checks again: Config passes now" "ok   Config     postfix check passed"

# a probes the relayhost (the sandbox's, which resolves nowhere here).
keys a
check_screen "a probes: the TLS item says what failed" "CRIT TLS        no TLS with the relayhost"
tap_check "the probe is kept in the state dir" test -s "$DIR/sb/state/probe-tls"

# Postfix stopped: red, Enter asks, y starts it.
pfi_stop
keys r
check_screen "r: Postfix stopped shows red" "CRIT Postfix    not running"
keys g
keys Enter
check_screen "Enter on it asks first" "Start Postfix (postfix -c $C start)"
keys y
check_screen "y starts it" "Postfix started"
check_screen "... and the item turns ok" "Postfix    running, master pid"
tap_check "the real instance runs (postfix status)" pfi_running
keys q
tui_quit_check

# 200x50: everything on one screen, nothing wider than the pane.
tui_kill
: >"$DIR/exit"
TUI_COLS=200 TUI_ROWS=50 tui_start
check_screen "200x50: the Dashboard" "This relay needs attention"
check_screen "... down to the last item" "Quota"
wide=$(screen | python3 -c '
import sys
print(sum(1 for l in sys.stdin if len(l.rstrip("\n")) > 200))')
tap_is "$wide" 0 "no captured line is wider than 200 columns"
keys q
tui_quit_check

# No relayhost yet: the wizard comes first.
tui_kill
: >"$DIR/exit"
postconf -c "$C" -X relayhost
TUI_COLS=80 TUI_ROWS=24 tui_start
check_screen "no relayhost: the console opens on the Setup wizard" "relaydeck - Setup wizard"
tap_done
