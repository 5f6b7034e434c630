#!/bin/bash
# ssh_shell.sh - the kept shell of an SSH target (remote/ssh_shell): the
# commands of one connection share one session channel and one login;
# each command's stdout comes back byte for byte (NULs, no final newline,
# text that looks like a marker), its stderr apart, its exit status and
# its signal; a streamed line arrives when it is printed; it reads
# /dev/null, not the next commands; what the login's
# rc files print never mixes into the output; a command past its deadline
# is killed with its shell and the next command gets a new one, as it
# does after a shell that ended between commands.
# Needs root and openssh-server; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/sshd.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (sshd)"
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
SSH_EXEC=${SSH_EXEC:-$(dirname "$RELAYDECK")/tests/remote/ssh_exec}
[ -x "$SSH_EXEC" ] || tap_skip_all "tests/remote/ssh_exec not built"
rd_tmpdir
trap 'sshd_cleanup; rd_cleanup' EXIT
unset SSH_AUTH_SOCK

tap_plan 16

sshd_extra_config "LogLevel DEBUG1"
if ! sshd_start; then
	tap_not_ok "sshd started"
	tap_diag "$(tail -n 5 "$SSHD_LOG")"
	tap_done
fi
x() { "$SSH_EXEC" -H "root@127.0.0.1:$SSHD_PORT" --known-hosts "$SSHD_KNOWN_HOSTS" \
	-i "$SSHD_KEY" "$@"; }
sessions() { grep -c 'Starting session: command' "$SSHD_LOG"; }

# The login's rc file talks on both streams (bash reads ~/.bashrc when sshd
# runs it; where it does not, these checks pass without testing much).
printf 'echo RC-NOISE-OUT\necho RC-NOISE-ERR >&2\n' >"$SSHD_DIR/home/.bashrc"

before=$(sessions)
x each -- printf 'a\000b' ::: printf 'no newline' ::: \
    sh -c 'printf "\nrd-00 0\n"; echo to-err >&2; exit 4' ::: printf '%s' '' \
    >"$RD_TMP/out" 2>"$RD_TMP/err"
printf 'a\000b[exit 0]\nno newline[exit 0]\n\nrd-00 0\n[exit 4]\n[exit 0]\n' >"$RD_TMP/want"
tap_check "four commands: each one's stdout byte for byte (a NUL, no final newline, a marker look-alike), its exit status" \
    cmp -s "$RD_TMP/out" "$RD_TMP/want"
tap_is "$(cat "$RD_TMP/err")" "to-err" "... stderr kept apart, with nothing of the login's rc file"
tap_unlike "$(tr -d '\000' <"$RD_TMP/out")" "RC-NOISE" "... and nothing of it on stdout"
# the opening probe and the four commands: one shell
tap_is "$(( $(sessions) - before ))" 1 "the opening probe and four commands: one session channel, one login shell"

x each -- cat ::: echo after-cat >"$RD_TMP/out" 2>&1
tap_is "$(cat "$RD_TMP/out")" "[exit 0]
after-cat
[exit 0]" "a command that reads stdin gets /dev/null, not the next command"

x each -- sh -c 'kill -TERM $$' ::: echo still-here >"$RD_TMP/out" 2>/dev/null
tap_is "$(cat "$RD_TMP/out")" "[exit 125]
still-here
[exit 0]" "a command a signal ends is reported as killed; the shell goes on"

# The shell ends between two commands (killed on the host): the next
# command finds it gone before it is sent and gets a new shell, not an error.
x each --pause 1500 -- sh -c '(sleep 0.5; kill -KILL $PPID) >/dev/null 2>&1 &' \
    ::: echo after-the-shell-died >"$RD_TMP/out" 2>&1
tap_is "$(cat "$RD_TMP/out")" "[exit 0]
after-the-shell-died
[exit 0]" "a shell killed between commands: the next command runs in a new one"

before=$(sessions)
t0=$(date +%s%N)
x each --timeout 1000 -- sleep 31.9 ::: echo next >"$RD_TMP/out" 2>&1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
tap_is "$(cat "$RD_TMP/out")" "[exit 124]
next
[exit 0]" "past its deadline: timed out, and the next command runs"
sleep 0.3
tap_is "$(ps -eo args | grep -c '^sleep 31\.9$')" 0 "... the command no longer runs on the host"
# the kill runs on a channel of its own; the next command opens a new shell
tap_is "$(( $(sessions) - before ))" 3 "... the next command got a new shell (shell, kill, new shell)"
if [ "$ms" -lt 15000 ]; then
	tap_ok "... all within the deadline and a little: $ms ms"
else
	tap_not_ok "... all within the deadline and a little: $ms ms"
fi

# A follower's line comes when it is printed, not when the next one does
# (a marker's first bytes are held back, never a line's newline).
x stream -- sh -c 'echo first-line; sleep 4; echo second-line' >"$RD_TMP/stream" 2>/dev/null &
sp=$!
for _ in $(seq 30); do [ "$(wc -c <"$RD_TMP/stream")" -ge 11 ] && break; sleep 0.1; done
printf 'first-line\n' >"$RD_TMP/first"
tap_check "streamed: a line arrives whole, newline and all, while the command still runs" \
    cmp -s "$RD_TMP/stream" "$RD_TMP/first"
wait "$sp"
tap_is "$(cat "$RD_TMP/stream")" "first-line
second-line
[exit 0]" "... then the rest, and the exit status"

# stdin data still takes a channel of its own, and the kept shell stays
printf 'echo SHELL-READ-THIS\n' >"$RD_TMP/in"
tap_is "$(x run --stdin "$RD_TMP/in" -- cat 2>/dev/null)" "echo SHELL-READ-THIS" \
    "stdin data: the command gets it on a channel of its own (and not the rc file's output)"

# hostile argv through the kept shell, checked on the host
nl='
'
hostile=("it's" "\$(touch $RD_TMP/pwned)" "; touch $RD_TMP/pwned2" "a${nl}touch $RD_TMP/pwned3" "")
x each -- sh -c 'for a in "$@"; do printf "%s\0" "$a"; done >"$0"' "$RD_TMP/argv.out" "${hostile[@]}" \
    ::: true >/dev/null 2>&1
printf '%s\0' "${hostile[@]}" >"$RD_TMP/argv.want"
tap_check "hostile argv values arrive unchanged through the kept shell" \
    cmp -s "$RD_TMP/argv.out" "$RD_TMP/argv.want"
tap_is "$(ls "$RD_TMP"/pwned* 2>/dev/null)" "" "... and none of them ran"

tap_done
