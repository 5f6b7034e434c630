# tui.sh - drive the console in a detached tmux (source it after tap.sh).
#
# API:
#	tui_init NAME		skip unless tmux exists; make DIR (removed on
#				exit), a sandbox in DIR/sb with C=DIR/sb/etc
#				(a test with its own set-up sets SOCK, DIR and
#				C itself and calls tui_kill in its trap)
#	tui_start [ARGS...]	open "$RELAYDECK -c $C ARGS" (with -H when
#				RD_SSH_HOST is set) in a pane of
#				TUI_COLS x TUI_ROWS (default 100x30);
#				its stderr goes to DIR/stderr, its exit code
#				to DIR/exit
#	screen			the visible pane as text (also appended to
#				$TUI_SEEN when set, to search captures later)
#	wait_for TEXT		poll until the pane shows TEXT (fixed string)
#	wait_gone TEXT		poll until it no longer does
#	check_screen NAME TEXT	TAP ok when TEXT shows up in time; shows the
#				pane as diagnostics when not
#	tui_quit_check		TAP ok when the console has exited with 0 and
#				wrote no sanitizer report (after the test's q)
#	keys KEY...		tmux key names (Enter, Escape, C-u, ...)
#	text STRING		literal characters ("[" or "^" are not key names)
# Environment: RELAYDECK (the binary; make check sets it), top_srcdir,
# TUI_TIMEOUT (seconds per wait, default 30).

RELAYDECK=${RELAYDECK:-${top_builddir:-$top_srcdir}/relaydeck}
TIMEOUT=${TUI_TIMEOUT:-30}
command -v postconf >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin

tui_init() {
	command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
	SOCK=relaydeck-$1-$$
	DIR=$(mktemp -d /tmp/relaydeck-tui.XXXXXX)
	trap tui_cleanup EXIT
	trap 'exit 1' INT TERM
	# postconf refuses to run without the machine's main.cf; an empty one
	# is created only when none exists.
	[ -e /etc/postfix/main.cf ] || : >/etc/postfix/main.cf
	sh "$top_srcdir/tests/lib/sandbox.sh" "$DIR/sb" >/dev/null
	C=$DIR/sb/etc
}

# tui_kill - stop the tmux server of this test (its socket file too).
tui_kill() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	# kill-server can leave the socket file behind.
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
}

tui_cleanup() {
	tui_kill
	rm -rf "$DIR"
}

tui_start() {
	# Over SSH (tests/lib/over_ssh.sh): the same console on the remote host.
	_via=
	if [ -n "${RD_SSH_HOST:-}" ]; then
		_via="-H '$RD_SSH_HOST' --known-hosts '$RD_SSH_KNOWN_HOSTS' -i '$RD_SSH_KEY'"
	fi
	tmux -u -L "$SOCK" new-session -d -x "${TUI_COLS:-100}" -y "${TUI_ROWS:-30}" \
		"cd '$DIR' && LANG=C.UTF-8 LC_ALL=C.UTF-8 RELAYDECK_STATE_DIR='$DIR/sb/state' \
		 RELAYDECK_THEMES_DIR='$top_srcdir/themes' XDG_CONFIG_HOME='$DIR/xdg' \
		 RELAYDECK_PROVIDERS_CATALOG='$top_srcdir/data/providers.yaml' TERM=screen \
		 '$RELAYDECK' $_via --state-dir '$DIR/sb/state' -c '$C' $* 2>'$DIR/stderr'; echo \$? >'$DIR/exit'; sleep 600"
}

screen() {
	if [ -n "${TUI_SEEN:-}" ]; then
		tmux -L "$SOCK" capture-pane -p 2>/dev/null | tee -a "$TUI_SEEN"
	else
		tmux -L "$SOCK" capture-pane -p 2>/dev/null
	fi
}

wait_for() {
	_i=0
	while [ "$_i" -lt $((TIMEOUT * 10)) ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

wait_gone() {
	_i=0
	while [ "$_i" -lt $((TIMEOUT * 10)) ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

check_screen() {
	if wait_for "$2"; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		tap_diag "waited ${TIMEOUT}s for: $2"
		tap_diag "$(screen)"
	fi
}

keys() {
	tmux -L "$SOCK" send-keys "$@"
}

text() {
	tmux -L "$SOCK" send-keys -l -- "$1"
}

tui_quit_check() {
	_i=0
	while [ ! -s "$DIR/exit" ] && [ "$_i" -lt $((TIMEOUT * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ "$(cat "$DIR/exit" 2>/dev/null)" = 0 ] &&
		! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$DIR/stderr"; then
		tap_ok "q quits with status 0 and no sanitizer report"
	else
		tap_not_ok "q quits with status 0 and no sanitizer report"
		tap_diag "exit: $(cat "$DIR/exit" 2>/dev/null)"
		tap_diag "$(head -n 40 "$DIR/stderr" 2>/dev/null)"
	fi
}
