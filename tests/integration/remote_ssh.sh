#!/bin/bash
# remote_ssh.sh - relaydeck -H against a real sshd on loopback: strict
# host-key checking (unknown, changed, hashed, [host]:port, @revoked,
# negated patterns, key-type order), agent and key-file authentication and
# their failures, connection errors, commands fed to /bin/sh -s with stdin
# data, hostile argv values, file names and parameter values checked on
# the remote side, the remote lock, and the mv fallback for renames.
# Needs root, Postfix and openssh-server; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/sshd.sh"

rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
SSH_EXEC=${SSH_EXEC:-$(dirname "$RELAYDECK")/tests/remote/ssh_exec}
[ -x "$SSH_EXEC" ] || tap_skip_all "tests/remote/ssh_exec not built"
rd_tmpdir
AGENT_PID=
cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null
	sshd_cleanup
	rd_cleanup
}
trap cleanup EXIT
unset SSH_AUTH_SOCK
export HOME=$RD_TMP/home	# no ~/.ssh of the machine is ever read
mkdir -p "$HOME"

tap_plan 54

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
ST=$RD_TMP/sb/state
if ! sshd_start "MAIL_CONFIG=$C"; then
	tap_not_ok "sshd started"
	tap_diag "$(tail -n 5 "$SSHD_LOG")"
	tap_done
fi
P=$SSHD_PORT
H=root@127.0.0.1:$P
KH=$RD_TMP/kh
accepted() { grep -c 'Accepted publickey' "$SSHD_LOG"; }
# r KNOWN_HOSTS ARGS... - relaydeck against the test server with the test key
r() {
	local kh=$1
	shift
	RD_RC=0
	RD_OUT=$("$RELAYDECK" -H "$H" --known-hosts "$kh" -i "$SSHD_KEY" "$@" \
	    2>"$RD_TMP/err" </dev/null) || RD_RC=$?
	RD_ERR=$(cat "$RD_TMP/err")
}
x() { "$SSH_EXEC" -H "$H" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$SSHD_KEY" "$@"; }

# --- host keys ---------------------------------------------------------------
tap_diag "server key $SSHD_FP on port $P"
FP_RE=$(printf '%s' "$SSHD_FP" | sed 's/[+.]/\\&/g')
r "$SSHD_KNOWN_HOSTS" -c "$C" --state-dir "$ST" show relayhost
tap_is "$RD_RC:$RD_OUT" "0:relayhost = [smtp.example.com]:587" \
    "[127.0.0.1]:PORT entry: show over SSH prints the sandbox's relayhost"
[ "$RD_RC" -eq 0 ] || rd_diag

# The config dir comes from the host: sshd's SetEnv MAIL_CONFIG reaches postconf.
r "$SSHD_KNOWN_HOSTS" --json --state-dir "$ST" show relayhost
if printf '%s' "$RD_OUT" | rd_json "d['config_directory'] == '$C' and d['host'] == '$H'"; then
	tap_ok "without -c the remote postconf names the config dir; --json carries host"
else
	tap_not_ok "without -c the remote postconf names the config dir; --json carries host"
	rd_diag
fi

: >"$KH"
n0=$(accepted)
r "$KH" -c "$C" --state-dir "$ST" show
tap_is "$RD_RC" 7 "unknown host key: exit 7"
tap_like "$RD_ERR" "not known: ssh-ed25519 key fingerprint is $FP_RE" \
    "unknown host key: refused with its SHA256 fingerprint, as ssh-keygen -l prints it"
tap_is "$(accepted)" "$n0" "unknown host key: no login happened, nothing ran"
r "$KH" --json -c "$C" show
if printf '%s' "$RD_OUT" | rd_json "d['error']['code'] == 'host-key-unknown' and d['error']['host'] == '$H'"; then
	tap_ok "unknown host key: --json error code host-key-unknown with host"
else
	tap_not_ok "unknown host key: --json error code host-key-unknown with host"
	rd_diag
fi

# A port-less entry is not used for another port, as in OpenSSH.
echo "127.0.0.1 $SSHD_HOSTKEY_PUB" >"$KH"
r "$KH" -c "$C" --state-dir "$ST" show relayhost
tap_is "$RD_RC" 7 "an entry for 127.0.0.1 (port 22) does not vouch for port $P"

# Changed key: another ed25519 key on line 2; nothing may be written.
ssh-keygen -q -t ed25519 -N '' -f "$RD_TMP/other" </dev/null
{ echo "# the old key"; echo "[127.0.0.1]:$P $(cut -d' ' -f1,2 "$RD_TMP/other.pub")"; } >"$KH"
cp -p "$C/main.cf" "$RD_TMP/main.cf.before"
n0=$(accepted)
r "$KH" -c "$C" --state-dir "$ST" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "changed host key: set exits 7"
tap_like "$RD_ERR" "REMOTE HOST IDENTIFICATION HAS CHANGED" "changed host key: the warning is as loud as OpenSSH's"
tap_like "$RD_ERR" "^relaydeck: $KH:2: .*now $FP_RE" "changed host key: names the old key's file:line and the new fingerprint"
tap_is "$(accepted)" "$n0" "changed host key: no login happened"
tap_check "changed host key: main.cf untouched" cmp -s "$C/main.cf" "$RD_TMP/main.cf.before"
tap_is "$(ls -A "$ST")" "" "changed host key: nothing staged in the state dir"

# Hashed entry (ssh-keygen -H) is accepted.
cp "$SSHD_KNOWN_HOSTS" "$KH"
ssh-keygen -q -H -f "$KH" >/dev/null 2>&1
rm -f "$KH.old"
tap_like "$(head -c 3 "$KH")" '^\|1\|' "known_hosts hashed by ssh-keygen -H"
r "$KH" -c "$C" --state-dir "$ST" show relayhost
tap_is "$RD_RC" 0 "hashed known_hosts entry accepted"

# @revoked beats a matching entry.
{ cat "$SSHD_KNOWN_HOSTS"; echo "@revoked * $SSHD_HOSTKEY_PUB"; } >"$KH"
r "$KH" -c "$C" show relayhost
tap_is "$RD_RC" 7 "@revoked key: refused"
tap_like "$RD_ERR" "$KH:[0-9]+: .*@revoked" "@revoked key: names the revocation line"

# A negated pattern removes the host from a wildcard line.
echo "*,![127.0.0.1]:$P $SSHD_HOSTKEY_PUB" >"$KH"
r "$KH" -c "$C" show relayhost
tap_is "$RD_RC" 7 "'*,![127.0.0.1]:PORT' does not match that host"
echo "[127.0.0.*]:$P,other.example $SSHD_HOSTKEY_PUB" >"$KH"
r "$KH" -c "$C" show relayhost
tap_is "$RD_RC" 0 "a wildcard pattern in a list matches"

# Only the ECDSA key known: relaydeck asks the server for that type first.
echo "[127.0.0.1]:$P $(cut -d' ' -f1,2 "$SSHD_DIR/host_ecdsa.pub")" >"$KH"
r "$KH" -c "$C" show relayhost
tap_is "$RD_RC" 0 "only the ecdsa key listed: the server is asked for ecdsa first, accepted"
{ echo "@cert-authority * $(cut -d' ' -f1,2 "$RD_TMP/other.pub")"; } >"$KH"
r "$KH" -c "$C" show relayhost
tap_like "$RD_RC:$RD_ERR" "^7:.*not known.*cert-authority" "@cert-authority lines are not trusted, and the error says so"

if [ "$SSHD_HAVE_IPV6" = 1 ]; then
	RD_RC=0
	RD_OUT=$("$RELAYDECK" -H "root@[::1]:$P" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$SSHD_KEY" \
	    -c "$C" show relayhost 2>"$RD_TMP/err") || RD_RC=$?
	tap_is "$RD_RC:$RD_OUT" "0:relayhost = [smtp.example.com]:587" "IPv6: -H root@[::1]:PORT"
else
	tap_skip "IPv6: -H root@[::1]:PORT" "no ::1 on this machine"
fi

# --- authentication ------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$RD_TMP/wrong" </dev/null
RD_RC=0
"$RELAYDECK" -H "$H" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$RD_TMP/wrong" -c "$C" show \
    >/dev/null 2>"$RD_TMP/err" || RD_RC=$?
RD_ERR=$(cat "$RD_TMP/err")
tap_is "$RD_RC" 7 "wrong key: exit 7"
tap_like "$RD_ERR" "authentication as root on $H failed; tried ssh-agent: none.*; $RD_TMP/wrong: refused; server accepts: publickey" \
    "wrong key: the error names every method tried"

ssh-keygen -q -t ed25519 -N 'pass phrase' -f "$RD_TMP/locked" </dev/null
RD_RC=0
"$RELAYDECK" -H "$H" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$RD_TMP/locked" -c "$C" show \
    >/dev/null 2>"$RD_TMP/err" || RD_RC=$?
tap_like "$RD_RC:$(cat "$RD_TMP/err")" "^7:.*locked: encrypted, and batch mode cannot ask for its passphrase" \
    "encrypted key: fails clearly in batch mode"

# Default identity: ~/.ssh/id_ed25519 without -i.
mkdir -p -m 700 "$HOME/.ssh"
cp "$SSHD_KEY" "$HOME/.ssh/id_ed25519"
RD_RC=0
"$RELAYDECK" -H "$H" --known-hosts "$SSHD_KNOWN_HOSTS" -c "$C" show relayhost \
    >/dev/null 2>"$RD_TMP/err" || RD_RC=$?
tap_is "$RD_RC" 0 "key file auth: ~/.ssh/id_ed25519 is tried by default"
rm -f "$HOME/.ssh/id_ed25519"

# ssh-agent: the key only in the agent (an encrypted file would not do).
eval "$(ssh-agent -s)" >/dev/null
AGENT_PID=$SSH_AGENT_PID
ssh-add -q "$SSHD_KEY" 2>/dev/null
n0=$(accepted)
RD_RC=0
"$RELAYDECK" -H "$H" --known-hosts "$SSHD_KNOWN_HOSTS" -c "$C" show relayhost \
    >/dev/null 2>"$RD_TMP/err" || RD_RC=$?
tap_is "$RD_RC" 0 "agent auth: the key held by ssh-agent logs in"
tap_like "$(tail -n 20 "$SSHD_LOG" | grep 'Accepted publickey' | tail -n 1)" "ED25519" \
    "agent auth: sshd logged the public-key login"
kill "$AGENT_PID" 2>/dev/null
AGENT_PID=
unset SSH_AUTH_SOCK SSH_AGENT_PID

# --- connection errors -------------------------------------------------------------
dead=$(_sshd_free_port)
RD_RC=0
"$RELAYDECK" -H "root@127.0.0.1:$dead" --known-hosts "$KH" -c "$C" show \
    >/dev/null 2>"$RD_TMP/err" || RD_RC=$?
tap_like "$RD_RC:$(cat "$RD_TMP/err")" "^1:relaydeck: connect to 127.0.0.1 port $dead: connection refused" \
    "refused: a clear message, exit 1"
RD_RC=0
"$RELAYDECK" -H "root@no-such-host.invalid" --known-hosts "$KH" -c "$C" show \
    >/dev/null 2>"$RD_TMP/err" || RD_RC=$?
tap_like "$RD_RC:$(cat "$RD_TMP/err")" "^1:relaydeck: resolve no-such-host.invalid: " "DNS failure: a clear message"
# A listener that never speaks SSH: the key exchange times out.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$RD_TMP/mute.port" &
mute=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$RD_TMP/mute.port" ] && break; sleep 0.1; done
t0=$(date +%s%N)
RD_RC=0
"$RELAYDECK" --connect-timeout 1 -H "root@127.0.0.1:$(cat "$RD_TMP/mute.port")" \
    --known-hosts "$KH" -c "$C" show >/dev/null 2>"$RD_TMP/err" || RD_RC=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill "$mute" 2>/dev/null
tap_like "$RD_RC:$(cat "$RD_TMP/err")" "^1:relaydeck: .*key exchange: no answer in time" \
    "a server that never answers: timeout after --connect-timeout"
# never answered, the key exchange would wait for ever: 6 s leaves room for load
if [ "$ms" -lt 6000 ]; then
	tap_ok "timeout honoured: ${ms} ms for a 1 s deadline"
else
	tap_not_ok "timeout honoured: ${ms} ms for a 1 s deadline"
fi

# --- commands: /bin/sh -s with stdin after the script ---------------------------------
head -c 1048576 /dev/urandom >"$RD_TMP/big"
printf 'touch %s/pwned-stdin\nexit 9\n' "$RD_TMP" >>"$RD_TMP/big"
got=$(x run --stdin "$RD_TMP/big" -- sha256sum | cut -d' ' -f1)
tap_is "$got" "$(sha256sum <"$RD_TMP/big" | cut -d' ' -f1)" \
    "1 MiB of stdin (ending in shell text) reaches the command byte for byte"
tap_check "stdin data is never run by the remote shell" test ! -e "$RD_TMP/pwned-stdin"
printf 'echo SHELL-READ-THIS\n' >"$RD_TMP/small"
tap_is "$(x run --stdin "$RD_TMP/small" -- cat)" "echo SHELL-READ-THIS" \
    "a few bytes of stdin: the command gets them, the shell does not (dash reads 8 KiB blocks)"
out=$(x run -- sh -c 'echo to-out; echo to-err >&2; exit 3' 2>"$RD_TMP/err"); rc=$?
tap_is "$rc:$out:$(cat "$RD_TMP/err")" "3:to-out:to-err" "exit status, stdout and stderr kept apart"
x run --timeout 1000 -- sleep 31.7 2>/dev/null; rc=$?
tap_is "$rc" 124 "a command past its deadline is reported as timed out"
sleep 0.3
tap_is "$(ps -eo args | grep -c '^sleep 31\.7$')" 0 "and it no longer runs on the remote side"

# --- hostile values, checked on the remote side -------------------------------------
nl='
'
# Shell syntax that would create a file named $PW in the remote shell's
# working directory (root's home) or in / if it ever ran.
PW=rdpwned$$
pwned() { ls -d "$RD_TMP"/pwned* "$(getent passwd root | cut -d: -f6)/$PW"* "/$PW"* 2>/dev/null; }
hostile=("a b" "it's" "\"dq\"" "\$(touch $PW-1)" "\`touch $PW-2\`" \
    "; touch $PW-3" "line1${nl}touch $PW-4" "é€ 日本" "\$HOME" "*" "-n" "")
x run -- sh -c 'for a in "$@"; do printf "%s\0" "$a"; done >"$0"' "$RD_TMP/argv.out" "${hostile[@]}"
printf '%s\0' "${hostile[@]}" >"$RD_TMP/argv.want"
tap_check "hostile argv values arrive unchanged (written by the remote side)" \
    cmp -s "$RD_TMP/argv.out" "$RD_TMP/argv.want"
tap_is "$(pwned)" "" "and none of them ran"

dir="$RD_TMP/we ird 'q' \"d\" \$(touch $PW-5) \`touch $PW-6\`; é${nl}n"
x mkdir "$dir" 755
printf 'content\n' | x write "$dir/f \$(id) ;\`x\` é${nl}.cf" 640
tap_is "$(cat "$dir/f \$(id) ;\`x\` é${nl}.cf" 2>/dev/null)" "content" \
    "a file name with spaces, quotes, \$(), backticks, ;, newline, é is created as named"
tap_is "$(stat -c %a "$dir/f \$(id) ;\`x\` é${nl}.cf" 2>/dev/null)" 640 "with the mode asked for"
tap_is "$(x list "$dir")" "f \$(id) ;\`x\` é${nl}.cf" "list_dir returns the name unchanged"
tap_is "$(pwned)" "" "and nothing ran"

# The CLI on a config dir with such a name, and a value with shell syntax.
# (Postfix's own postfix-script cannot cd into a name with spaces, and
# postconf would expand a "$": the config dir keeps quotes, ; and é)
hc="$RD_TMP/conf'q';\"d\"é"
sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb2" >/dev/null
mv "$RD_TMP/sb2/etc" "$hc"
ln -s "$hc" "$RD_TMP/sb2/etc"	# the map paths in main.cf still name sb2/etc
# (a main.cf value cannot hold "$(": Postfix reads it as a parameter reference)
val="a \`touch $PW-9\` ;'q' \"d\" é"
r "$SSHD_KNOWN_HOSTS" -c "$hc" --state-dir "$RD_TMP/sb2/state" set "smtp_helo_name=$val"
tap_is "$RD_RC" 0 "set of a value with backticks, ; and quotes over SSH"
[ "$RD_RC" -eq 0 ] || rd_diag
r "$SSHD_KNOWN_HOSTS" -c "$hc" --state-dir "$RD_TMP/sb2/state" apply --yes
tap_is "$RD_RC" 0 "apply over SSH in a config dir whose name has quotes, ; and é"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(postconf -c "$hc" -h smtp_helo_name 2>/dev/null)" "$val" \
    "the remote main.cf holds the value unchanged"
# A map key goes to the remote postmap -q as an argv word.
# (a key has no whitespace; ${IFS} stands in for it if a shell ever ran it)
key="x\$(touch\${IFS}$PW-10)\`touch\${IFS}$PW-11\`;'q'\"d\"@example.com"
r "$SSHD_KNOWN_HOSTS" -c "$hc" --state-dir "$RD_TMP/sb2/state" --yes map add smtp_generic_maps "$key" ok@example.com
r "$SSHD_KNOWN_HOSTS" -c "$hc" --state-dir "$RD_TMP/sb2/state" map query smtp_generic_maps "$key"
tap_like "$RD_RC:$RD_OUT" "^0:.*ok@example\.com" "a hostile map key reaches the remote postmap -q intact"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(pwned)" "" "no hostile value ran anywhere"

# --- lock, rename ---------------------------------------------------------------------
mkdir -p "$ST"
# (the binary itself in the background: $! must be its pid, not a subshell's)
"$SSH_EXEC" -H "$H" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$SSHD_KEY" lock "$ST/lock" 100 60000 >"$RD_TMP/lock.out" 2>&1 &
holder=$!
for _ in $(seq 50); do grep -q locked "$RD_TMP/lock.out" && break; sleep 0.1; done
r "$SSHD_KNOWN_HOSTS" -c "$C" --state-dir "$ST" set 'relayhost=[192.0.2.8]:587'
r "$SSHD_KNOWN_HOSTS" -c "$C" --state-dir "$ST" apply --yes
tap_is "$RD_RC" 5 "apply while another client holds the remote lock: exit 5 (locked)"
kill -9 "$holder"
wait "$holder" 2>/dev/null
t0=$(date +%s%N)
x lock "$ST/lock" 5000 0 >/dev/null 2>&1; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
tap_is "$rc" 0 "after kill -9 of the holder, the remote lock is free again (${ms} ms)"
tap_check "flock(1) on the relay sees the same lock file as the local target" \
    flock -n "$ST/lock" true
r "$SSHD_KNOWN_HOSTS" -c "$C" --state-dir "$ST" discard

echo old >"$RD_TMP/rn"
chown nobody:nogroup "$RD_TMP/rn"
printf 'new\n' | RELAYDECK_TEST_NO_POSIX_RENAME=1 x write "$RD_TMP/rn" 600
tap_is "$(cat "$RD_TMP/rn"):$(stat -c '%a %U' "$RD_TMP/rn")" "new:600 nobody" \
    "without posix-rename, mv -f replaces the file, owner kept, mode set"
tap_is "$(ls -A "$RD_TMP" | grep -c '\.rd')" 0 "no temporary file left behind"

tap_done
