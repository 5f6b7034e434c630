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
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

tui_init edit
tap_plan 13
cp "$C/main.cf" "$DIR/main.cf.orig"
OLD=$(postconf -c "$C" -h relayhost)
tui_start

wait_for "relaydeck - Dashboard" || tap_diag "console did not open on the Dashboard"
keys 1
check_screen "1 opens the Relay settings screen" "relaydeck - Relay settings"
check_screen "the status line names the target" " ${RD_SSH_HOST:-localhost}  $C"

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

# A value written with $name shows what Postfix expands it to.
want=$(postconf -c "$C" -x -h myorigin)
keys /
wait_for "Search rows" || tap_diag "no search prompt"
keys C-u	# the prompt starts with the last pattern
text "^myorigin"
keys Enter
check_screen "a \$name value shows Postfix's expansion" "expands to: $want"

# q back to the Dashboard, q there with nothing pending quits; the exit is clean.
keys q q
tui_quit_check

tap_done
