#!/bin/sh
# loading.sh - the console never sits blank: with a main.cf that Postfix
# rejects (`setgid_group =`: postconf -m exits with a fatal error after
# Postfix's one-second sleep), the first capture that shows the console's
# frame (the Dashboard) also shows "loading…" (so the frame came before the
# slow calls ended), Relay settings shows main.cf's values, then the loading
# ends, the host's defaults appear and the console keeps working.
#
# Skips when tmux is missing or when not root (the sandbox).
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
tui_init loading
tap_plan 5
echo 'setgid_group =' >>"$C/main.cf"
# The premise: Postfix itself is slow on this file.
start=$(date +%s%N)
postconf -c "$C" -m >/dev/null 2>&1
slow=$(( ($(date +%s%N) - start) / 1000000 ))
tap_diag "postconf -m on this main.cf: $slow ms"
want_default=$(postconf -c "$C" -dh smtp_tls_protocols)

t0=$(date +%s%N)
TUI_COLS=80 TUI_ROWS=24 tui_start
first=
i=0
while [ "$i" -lt $((TIMEOUT * 20)) ]; do
	first=$(screen)
	case $first in *"relaydeck - Dashboard"*) break ;; esac
	sleep 0.05
	i=$((i + 1))
done
tap_diag "first frame after $(( ($(date +%s%N) - t0) / 1000000 )) ms (polled every 50 ms)"
case $first in
*"relaydeck - Dashboard"*"loading…"*) tap_ok "the frame shows while Postfix is still loading (loading…)" ;;
*) tap_not_ok "the frame shows while Postfix is still loading (loading…)"
   tap_diag "$first" ;;
esac
# Relay settings draws main.cf's values before Postfix's facts arrive.
keys 1
if wait_for "[smtp.example.com]:587"; then
	tap_ok "main.cf's values are on Relay settings' first frame"
else
	tap_not_ok "main.cf's values are on Relay settings' first frame"
fi
if wait_gone "loading…"; then
	tap_ok "loading ends"
else
	tap_not_ok "loading ends"
fi
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "^smtp_tls_protocols"
keys Enter
check_screen "the host's defaults (postconf -d) arrive in the background" \
	"default: $want_default   source: not set"
keys q q
tui_quit_check

tap_done
