#!/bin/sh
# password_prompt.sh - the password prompt of `creds add` in a real
# terminal (a shell in a detached tmux): while it waits, the process has
# a core size limit of 0 and is not dumpable (run as nobody, its
# /proc/PID files belong to root); Ctrl-C (and any other signal that ends
# a process, SIGUSR1 here) ends it as the signal would, and the same
# shell's `stty -a` shows echo on again; Ctrl-Z stops it with echo
# on, and after fg the prompt asks again (and Ctrl-C still ends it).
#
# Environment: RELAYDECK (the built binary; make check sets it),
# top_srcdir (the source tree). TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "not root"
command -v setpriv >/dev/null 2>&1 || tap_skip_all "setpriv not installed"
tui_init pp
tap_plan 13
KEY='[127.0.0.1]:2587'

# shell_idle - wait until the shell waits for a command (its prompt is the last line).
shell_idle() {
	_i=0
	while [ "$_i" -lt $((TIMEOUT * 10)) ]; do
		[ "$(screen | grep -v '^$' | tail -n 1)" = 'rd$' ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	tap_diag "the shell did not come back: $(screen | grep -v '^$' | tail -n 3)"
	return 1
}

# run CMD - type a command line into the shell.
run() {
	text "$1"
	keys Enter
}

# prompt_pid - the relaydeck process the shell is running (setpriv execs
# it in place), waited for.
prompt_pid() {
	_pp=$(tmux -L "$SOCK" list-panes -F '#{pane_pid}')
	_i=0
	while [ "$_i" -lt $((TIMEOUT * 10)) ]; do
		# the newest live one: an earlier run may linger as a zombie
		for _c in $(pgrep -n -P "$_pp" relaydeck); do
			grep -q '^State:[[:space:]]*[^Z]' "/proc/$_c/status" 2>/dev/null &&
				{ echo "$_c"; return 0; }
		done
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# echo_state MARK - "echo" or "-echo" as the shell's stty -a reports it now.
echo_state() {
	run "stty -a | tr ' ' '\\n' | grep -x -- '-*echo' | sed 's/^/$1=/'"
	# the typed command line shows "$1=" too: wait for a line that starts so
	_i=0
	while [ "$_i" -lt $((TIMEOUT * 10)) ]; do
		_s=$(screen | sed -n "s/^$1=//p" | tail -n 1)
		[ -n "$_s" ] && { echo "$_s"; return 0; }
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# A plain POSIX shell in the pane: it leaves the terminal as the last
# program left it (an interactive bash would reset it for its own editor).
tmux -u -L "$SOCK" new-session -d -x 120 -y 30 \
	"cd '$DIR' && env PS1='rd\$ ' TERM=screen LANG=C.UTF-8 sh -i"
shell_idle

# --- root: core limit 0, Ctrl-C gives echo back -------------------------
run "'$RELAYDECK' --state-dir '$DIR/sb/state' -c '$C' creds add '$KEY' --user prompt-user"
check_screen "creds add asks for the password on the terminal" "Password:"
pid=$(prompt_pid)
if [ -n "$pid" ] && grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits"; then
	tap_ok "while it waits, the core size limit is 0 (soft and hard)"
else
	tap_not_ok "while it waits, the core size limit is 0 (soft and hard)"
	tap_diag "pid '$pid': $(grep -i core "/proc/$pid/limits" 2>&1)"
fi
text "half-typed"
keys C-c
shell_idle
run 'echo status=$?'
check_screen "Ctrl-C ends it with status 130 (killed by SIGINT)" "status=130"
tap_is "$(echo_state A)" "echo" "after Ctrl-C the shell's terminal echoes again"

# --- any signal that ends a process: SIGUSR1 from kill -------------------------
run "clear"
shell_idle
run "'$RELAYDECK' --state-dir '$DIR/sb/state' -c '$C' creds add '$KEY' --user prompt-user"
wait_for "Password:" || tap_diag "no prompt"
kill -USR1 "$(prompt_pid)"
shell_idle
run 'echo status=$?'
check_screen "kill -USR1 ends it with status 138 (killed by SIGUSR1)" "status=138"
tap_is "$(echo_state U)" "echo" "after SIGUSR1 the shell's terminal echoes again"

# --- Ctrl-Z: stopped with echo on, asked again after fg ------------------------
# A clean screen first: the last run's "Password:" would send Ctrl-Z before
# this run reached its prompt, and the prompt's own handling went untested.
run "clear"
shell_idle
run "'$RELAYDECK' --state-dir '$DIR/sb/state' -c '$C' creds add '$KEY' --user prompt-user"
wait_for "Password:" || tap_diag "no prompt"
keys C-z
wait_for "Stopped" || tap_diag "no job stopped message"
shell_idle
tap_is "$(echo_state B)" "echo" "stopped at the prompt with Ctrl-Z, the terminal echoes"
run "clear"
shell_idle
run "fg"
check_screen "after fg the prompt asks again" "Password:"
keys C-c
shell_idle
run 'echo status=$?'
# the handlers of the first prompt must not become "the old ones" of the second
check_screen "Ctrl-C after fg still ends it with status 130" "status=130"
tap_is "$(echo_state C)" "echo" "Ctrl-C after fg gives echo back too"

# --- nobody: not dumpable ---------------------------------------------------
chmod 755 "$DIR"
mkdir -m 700 "$DIR/nobody-state" && chown nobody "$DIR/nobody-state"
run "clear"
shell_idle
run "setpriv --reuid=nobody --regid=nogroup --clear-groups '$RELAYDECK' --state-dir '$DIR/nobody-state' -c '$C' creds add '$KEY' --user prompt-user"
check_screen "as nobody, creds add reaches the prompt" "Password:"
pid=$(prompt_pid)
owner=$(stat -c %u "/proc/$pid/status" 2>/dev/null)
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
if [ -n "$pid" ] && [ "$uid" = 65534 ] && [ "$owner" = 0 ]; then
	tap_ok "the process is not dumpable (its /proc files belong to root, not to nobody)"
else
	tap_not_ok "the process is not dumpable (its /proc files belong to root, not to nobody)"
	tap_diag "pid '$pid' uid '$uid' /proc owner '$owner' $(grep State "/proc/$pid/status" 2>&1)"
fi
keys C-c
shell_idle
tap_is "$(echo_state D)" "echo" "and Ctrl-C gives its echo back"

tap_done
