#!/bin/sh
# relay_edit.sh - drive the console in a detached tmux on a sandbox:
# reject an invalid relayhost, then edit relayhost, open Changes, apply,
# and read the result from the screen and from main.cf (via the real
# postconf).  Skips only when tmux is missing.
#
# Environment: RELAYDECK (the built binary; make check sets it),
# top_srcdir (the source tree). TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
RELAYDECK=${RELAYDECK:-${top_builddir:-$top_srcdir}/relaydeck}
TIMEOUT=${TUI_TIMEOUT:-30}
. "$top_srcdir/tests/lib/tap.sh"

command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
command -v postconf >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin

tap_plan 11

SOCK=relaydeck-test-$$
DIR=$(mktemp -d /tmp/relaydeck-tui.XXXXXX)
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	# kill-server can leave the socket file behind.
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# postconf and postqueue refuse to run without the machine's main.cf; an
# empty one is created only when none exists.
[ -e /etc/postfix/main.cf ] || : >/etc/postfix/main.cf
sh "$top_srcdir/tests/lib/sandbox.sh" "$DIR/sb" >/dev/null
C=$DIR/sb/etc
cp "$C/main.cf" "$DIR/main.cf.orig"
OLD=$(postconf -c "$C" -h relayhost)

# screen - the visible pane as text.
screen() {
	tmux -L "$SOCK" capture-pane -p 2>/dev/null
}

# wait_for TEXT - poll the pane until it shows TEXT (fixed string).
wait_for() {
	i=0
	while [ "$i" -lt $((TIMEOUT * 10)) ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_gone TEXT - poll the pane until TEXT is no longer shown.
wait_gone() {
	i=0
	while [ "$i" -lt $((TIMEOUT * 10)) ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# check_screen NAME TEXT - ok when TEXT shows up in time; shows the pane if not.
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

# text - literal characters, so "[" or "^" are never read as key names.
text() {
	tmux -L "$SOCK" send-keys -l -- "$1"
}

# The exit status and stderr (sanitizer reports) land in files.
tmux -u -L "$SOCK" new-session -d -x 100 -y 30 \
	"cd '$DIR' && LANG=C.UTF-8 LC_ALL=C.UTF-8 RELAYDECK_STATE_DIR='$DIR/sb/state' RELAYDECK_THEMES_DIR='$top_srcdir/themes' \
	 TERM=screen '$RELAYDECK' -c '$C' 2>'$DIR/stderr'; echo \$? >'$DIR/exit'; sleep 600"

check_screen "console opens on the Relay settings screen" "Relay settings"

# Search, then open the edit field on relayhost.
keys /
wait_for "Search rows" || tap_diag "no search prompt"
text "^relayhost"
keys Enter
wait_gone "Search rows" || tap_diag "search prompt did not close"
keys Enter
check_screen "Enter opens the edit field on relayhost" "relayhost = "

# An invalid value: the message shows under the field, the field stays open.
keys C-u
text "[bad"
keys Enter
ok=no
i=0
while [ "$i" -lt $((TIMEOUT * 10)) ]; do
	# The line below the field (the one showing "[bad") holds the
	# message, which names the parameter (params.h).
	msg=$(screen | awk 'index($0, "[bad") && !done { getline; print; done = 1 }')
	if printf '%s\n' "$msg" | grep -q "relayhost" && screen | grep -qF "Enter: save"; then
		ok=yes
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
if [ "$ok" = yes ]; then
	tap_ok "invalid relayhost shows a validation message and keeps the field open"
	tap_diag "message: $msg"
else
	tap_not_ok "invalid relayhost shows a validation message and keeps the field open"
	tap_diag "$(screen)"
fi
keys Escape
wait_gone "Enter: save" || tap_diag "edit field did not close"
if cmp -s "$C/main.cf" "$DIR/main.cf.orig" && [ "$(postconf -c "$C" -h relayhost)" = "$OLD" ] &&
	! grep -qs relayhost "$DIR/sb/state/pending"; then
	tap_ok "the invalid value changed nothing (main.cf, staged edits)"
else
	tap_not_ok "the invalid value changed nothing (main.cf, staged edits)"
fi

# A valid value is staged.
keys Enter
wait_for "relayhost = " || tap_diag "edit field did not reopen"
keys C-u
text "[192.0.2.10]:587"
keys Enter
check_screen "a valid value is staged" "1 pending"

keys c
check_screen "Changes shows the diff" "+relayhost = [192.0.2.10]:587"

keys a
check_screen "apply asks for confirmation" "Apply 1 changed file(s) to $C? y/n"
keys y
check_screen "the result dialog reports success" "Apply succeeded"

got=$(postconf -c "$C" -h relayhost)
tap_is "$got" "[192.0.2.10]:587" "postconf reads the new relayhost from main.cf"

# Close the result, go back: the Relay settings row shows the new value.
keys Enter
keys q
ok=no
i=0
while [ "$i" -lt $((TIMEOUT * 10)) ]; do
	if screen | grep -qE '^ *relayhost +\[192\.0\.2\.10\]:587' &&
		screen | grep -qF "no pending edits"; then
		ok=yes
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
if [ "$ok" = yes ]; then
	tap_ok "Relay settings shows the applied value and no pending edits"
else
	tap_not_ok "Relay settings shows the applied value and no pending edits"
	tap_diag "$(screen)"
fi

# q on the root with nothing pending quits; the exit is clean.
keys q
i=0
while [ ! -s "$DIR/exit" ] && [ "$i" -lt $((TIMEOUT * 10)) ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(cat "$DIR/exit" 2>/dev/null)" = 0 ] &&
	! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$DIR/stderr"; then
	tap_ok "q quits with status 0 and no sanitizer report"
else
	tap_not_ok "q quits with status 0 and no sanitizer report"
	tap_diag "exit: $(cat "$DIR/exit" 2>/dev/null)"
	tap_diag "$(head -n 40 "$DIR/stderr" 2>/dev/null)"
fi

tap_done
