#!/bin/bash
# lost_update.sh - a change made from one version of a file never
# overwrites an edit someone else made since.
#
# main.cf: `set` stages an edit (recording main.cf's version), then
# `postconf -e` changes another parameter; `apply` refuses with "main.cf
# changed since you staged this edit (by someone else); review the new
# diff", exit 8 (--json: code changed-since-staged), and changes nothing;
# `diff` shows the edit on the new file and says so; `set` of a second
# parameter notes it; `apply --rebase --yes` applies it and both edits
# are in main.cf. The same for an edit Postfix's postconf makes to the
# parameter the staged edit sets: the other admin's value stays until the
# rebase.
# A map: `map add` asks on a terminal (a pseudo-terminal here); while it
# waits, another entry is added to the file and postmap run; the answer
# "y" is refused with exit 8, the other entry stays (file and postmap
# -q), and the same command again adds its entry beside it.
# Runs locally and over SSH (lost_update_ssh.sh). Needs root and Postfix.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT
tap_plan 19

"$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null || tap_skip_all "no sandbox"
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
pc() { postconf -c "$C" -h "$1"; }

# --- main.cf ---------------------------------------------------------------
rd -c "$C" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 0 "set stages relayhost"
postconf -c "$C" -e 'smtp_helo_timeout = 77s'
before=$(md5sum <"$C/main.cf")
rd -c "$C" apply --yes
tap_is "$RD_RC" 8 "apply after another edit of main.cf exits 8"
tap_like "$RD_ERR" "main\\.cf changed since you staged this edit \\(by someone else\\); review the new diff" \
	"apply says main.cf changed since the edit was staged"
tap_is "$(md5sum <"$C/main.cf")" "$before" "the refused apply changed no byte of main.cf"
tap_is "$(pc smtp_helo_timeout)" "77s" "the other admin's edit is in main.cf"
rd -c "$C" --json apply --yes
if printf '%s' "$RD_OUT" | rd_json "d['error']['code'] == 'changed-since-staged'"; then
	tap_ok "--json apply names the error changed-since-staged"
else
	tap_not_ok "--json apply names the error changed-since-staged"
	rd_diag
fi
rd -c "$C" --json diff
if printf '%s' "$RD_OUT" | rd_json "(d['changed_since_staged'] is True and
    '+relayhost = [192.0.2.7]:587' in d['diff'] and '77s' not in d['diff'])"; then
	tap_ok "diff --json: main.cf changed since staging; the diff is the edit on the new file"
else
	tap_not_ok "diff --json: main.cf changed since staging; the diff is the edit on the new file"
	rd_diag
fi
rd -c "$C" set 'smtp_connect_timeout=44s'
tap_like "$RD_ERR" "changed since the earlier edits were staged" "set notes that main.cf changed under the earlier edits"
rd -c "$C" apply --rebase --yes
tap_is "$RD_RC" 0 "apply --rebase --yes applies the staged edits on the new main.cf"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_OUT" "\\+relayhost = \\[192\\.0\\.2\\.7\\]:587" "apply --rebase shows the new diff"
if [ "$(pc relayhost)" = "[192.0.2.7]:587" ] && [ "$(pc smtp_helo_timeout)" = 77s ] &&
    [ "$(pc smtp_connect_timeout)" = 44s ]; then
	tap_ok "nothing lost: the staged edits and the other admin's edit are all in main.cf"
else
	tap_not_ok "nothing lost: the staged edits and the other admin's edit are all in main.cf"
	tap_diag "relayhost=$(pc relayhost) helo=$(pc smtp_helo_timeout) connect=$(pc smtp_connect_timeout)"
fi

# The other admin sets the very parameter that is staged.
rd -c "$C" set 'relayhost=[192.0.2.8]:587'
postconf -c "$C" -e 'relayhost = [192.0.2.99]:25'
rd -c "$C" apply --yes
tap_is "$RD_RC:$(pc relayhost)" "8:[192.0.2.99]:25" \
	"an apply over someone else's edit of the same parameter is refused and theirs stays"
rd -c "$C" discard

# --- a map -----------------------------------------------------------------
# tty_answer CMD ARGS... - run relaydeck ARGS on a pseudo-terminal; when it
# asks "[y/N]", run the shell command CMD (someone else's edit), then
# answer y. Output in TTY_OUT, exit code in TTY_RC.
tty_answer() {
	local edit=$1
	shift
	local via=(--state-dir "$RELAYDECK_STATE_DIR")
	if [ -n "${RD_SSH_HOST:-}" ]; then
		via+=(-H "$RD_SSH_HOST" --known-hosts "$RD_SSH_KNOWN_HOSTS" -i "$RD_SSH_KEY")
	fi
	TTY_RC=0
	TTY_OUT=$(python3 - "$edit" "$RELAYDECK" "${via[@]}" "$@" <<'PY'
import os, pty, subprocess, sys, time

edit, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out, asked, deadline = b"", False, time.time() + 60
while time.time() < deadline:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not asked and b"[y/N]" in out:
        asked = True
        subprocess.run(["bash", "-c", edit], check=True)
        os.write(fd, b"y\n")
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status) if asked else 99)
PY
) || TTY_RC=$?
}

gen=$C/generic
other="printf 'ops@relay01.example.net ops@example.net\n' >>'$gen' && postmap -c '$C' 'hash:$gen'"
tty_answer "$other" -c "$C" map add smtp_generic_maps 'web@relay01.example.net' 'web@example.net'
tap_is "$TTY_RC" 8 "map add answered y after another edit of the table exits 8"
tap_like "$TTY_OUT" "generic changed since you staged this edit \\(by someone else\\); review the new diff" \
	"map add says the table changed since the edit was staged"
tap_is "$(postmap -c "$C" -q 'ops@relay01.example.net' "hash:$gen")" "ops@example.net" \
	"the other entry stays (postmap -q)"
tap_is "$(postmap -c "$C" -q 'web@relay01.example.net' "hash:$gen")" "" \
	"the refused entry is not there"
rd -c "$C" map add smtp_generic_maps 'web@relay01.example.net' 'web@example.net' --yes
tap_is "$RD_RC" 0 "map add again, on the table as it is now, exits 0"
if [ "$(postmap -c "$C" -q 'ops@relay01.example.net' "hash:$gen")" = ops@example.net ] &&
    [ "$(postmap -c "$C" -q 'web@relay01.example.net' "hash:$gen")" = web@example.net ] &&
    grep -q '^ops@relay01.example.net' "$gen"; then
	tap_ok "nothing lost: both entries are in the table and its database"
else
	tap_not_ok "nothing lost: both entries are in the table and its database"
	tap_diag "$(cat "$gen")"
fi
# Without another edit the same question applies.
tty_answer "true" -c "$C" map add smtp_generic_maps 'db@relay01.example.net' 'db@example.net'
tap_is "$TTY_RC:$(postmap -c "$C" -q 'db@relay01.example.net' "hash:$gen")" "0:db@example.net" \
	"without another edit the answered map add applies"
tap_done
