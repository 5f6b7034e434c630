#!/bin/bash
# ssh_config.sh - -H NAME through ~/.ssh/config or -F, against real sshd
# instances: Host alias + HostName + Port + User + IdentityFile +
# UserKnownHostsFile, Match host, Include (relative to ~/.ssh), ProxyJump
# through a second sshd (one hop and two) to a server on 127.0.0.2, and
# StrictHostKeyChecking accept-new / no. Which server was reached is read
# from Postfix on the far side: each sshd sets MAIL_CONFIG to its own
# sandbox, whose relayhost names it.
#
# The ProxyJump proof is taken on the target: the command there reads
# SSH_CONNECTION (the client address and port its sshd saw) and asks `ss`
# which process owns that client socket; it must be a process of the jump
# host's sshd (its pid has the jump sshd as an ancestor), not the client.
lib=$(cd "$(dirname "$0")/../lib" && pwd)
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"

rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
EXEC=${top_builddir:-$(cd "$lib/../.." && pwd)/build}/tests/remote/ssh_exec
[ -x "$EXEC" ] || tap_skip_all "tests/remote/ssh_exec is not built"
tap_plan 31
rd_tmpdir
tmp=$RD_TMP
cleanup() {
	sshd_cleanup
	rd_cleanup
}
trap cleanup EXIT
unset SSH_AUTH_SOCK
export HOME=$tmp/home
mkdir -p -m 0700 "$HOME/.ssh"

# Three servers: A and B on 127.0.0.1, T on 127.0.0.2 only.
start() {
	local name=$1
	"$lib/sandbox.sh" "$tmp/sb$name" >/dev/null || return 1
	postconf -c "$tmp/sb$name/etc" -e "relayhost = [relay-$name.example]:587" || return 1
	sshd_start "MAIL_CONFIG=$tmp/sb$name/etc" || return 1
	eval "PORT_$name=$SSHD_PORT KEY_$name=$SSHD_KEY KH_$name=$SSHD_KNOWN_HOSTS LOG_$name=$SSHD_LOG PID_$name=$SSHD_PID DIR_$name=$SSHD_DIR"
}
start A && start B && SSHD_ADDR=127.0.0.2 start T || {
	tap_not_ok "three sshd servers started"
	tap_done
}
cat "$KH_A" "$KH_B" "$KH_T" >"$tmp/known_hosts"

# which ARGS... - the relayhost the Postfix behind -H reports (RD_OUT),
# with RD_RC and RD_ERR
which() {
	"$RELAYDECK" --state-dir "$tmp/state" "$@" show relayhost >"$tmp/out" 2>"$tmp/err"
	RD_RC=$?
	RD_OUT=$(cat "$tmp/out")
	RD_ERR=$(cat "$tmp/err")
}

cat >"$tmp/cfg" <<EOF
# aliases for the test servers
Host relay-a
	HostName 127.0.0.1
	Port $PORT_A
	User root
	IdentityFile $KEY_A
	UserKnownHostsFile $tmp/known_hosts
Host relay-b
	HostName=127.0.0.1
	Port "$PORT_B"
Match host 127.0.0.1 originalhost relay-b
	IdentityFile $KEY_B
Host *
	UserKnownHostsFile $tmp/known_hosts
	GlobalKnownHostsFile none
	User root
	IdentitiesOnly yes
EOF

# 1-4: Host alias with HostName, Port, User, IdentityFile, UserKnownHostsFile
which -F "$tmp/cfg" -H relay-a
out=$RD_OUT
tap_is "$out" "relayhost = [relay-A.example]:587" "-F: Host relay-a reaches sshd A (HostName, Port, User, IdentityFile, UserKnownHostsFile)"
tap_is "$RD_RC" 0 "exit 0"
which -F "$tmp/cfg" -H relay-b
out=$RD_OUT
tap_is "$out" "relayhost = [relay-B.example]:587" "Match host + originalhost give relay-b its key: sshd B"
# without the Match block's key B refuses
sed '/^Match/,/IdentityFile .*client/d' "$tmp/cfg" >"$tmp/cfg-nomatch"
which -F "$tmp/cfg-nomatch" -H relay-b >/dev/null
tap_is "$RD_RC" 7 "the same without the Match block: authentication refused (exit 7)"

# 5-7: ~/.ssh/config by default, Include relative to ~/.ssh with a glob
mkdir -p "$HOME/.ssh/conf.d"
cp "$tmp/cfg" "$HOME/.ssh/conf.d/10-test.conf"
printf 'Host relay-b\n\tPort %s\n\tIdentityFile %s\nHost *\nInclude conf.d/*.conf\n' "$PORT_A" "$KEY_A" >"$HOME/.ssh/config"
chmod 600 "$HOME/.ssh/config"
which -H relay-b
out=$RD_OUT
tap_is "$out" "relayhost = [relay-A.example]:587" "~/.ssh/config read by default; its first Port wins over the included one"
which -H relay-a
out=$RD_OUT
tap_is "$out" "relayhost = [relay-A.example]:587" "Include conf.d/*.conf (relative to ~/.ssh) supplies relay-a"
chmod 666 "$HOME/.ssh/config"
which -H relay-a >/dev/null
tap_like "$RD_ERR" "bad owner or permissions" "a world-writable ~/.ssh/config is refused, as ssh refuses it"
chmod 600 "$HOME/.ssh/config"

# 8-9: the command line overrides the config
which -F "$tmp/cfg" -H "relay-a:$PORT_B" -i "$KEY_B"
out=$RD_OUT
tap_is "$out" "relayhost = [relay-B.example]:587" "-H relay-a:PORT and -i override Port and come before IdentityFile"
which -F "$tmp/cfg" -H "nobody@relay-a" >/dev/null
tap_like "$RD_ERR" "nobody@127.0.0.1:$PORT_A" "-H USER@ overrides User"

# 10-11: a syntax error names file:line, nothing else happens
printf 'Host x\n\tPort 22x\n' >"$tmp/badcfg"
which -F "$tmp/badcfg" -H x >/dev/null
tap_like "$RD_ERR" "badcfg:2: bad port '22x'" "a syntax error is reported as FILE:LINE"
tap_is "$RD_RC" 4 "exit 4 (unparsable config)"

# 12-19: ProxyJump through A to T on 127.0.0.2
cat >"$tmp/jcfg" <<EOF
Host jump
	HostName 127.0.0.1
	Port $PORT_A
	IdentityFile $KEY_A
Host behind
	HostName 127.0.0.2
	Port $PORT_T
	IdentityFile $KEY_T
	ProxyJump jump
Host behind2
	HostName 127.0.0.2
	Port $PORT_T
	IdentityFile $KEY_T
	ProxyJump root@jump,jump
Host *
	User root
	UserKnownHostsFile $tmp/known_hosts
	GlobalKnownHostsFile none
EOF
nA=$(grep -c 'Accepted publickey' "$LOG_A")
which -F "$tmp/jcfg" -H behind
out=$RD_OUT
tap_is "$out" "relayhost = [relay-T.example]:587" "ProxyJump: relaydeck reaches sshd T on 127.0.0.2 through A"
tap_is "$(grep -c 'Accepted publickey' "$LOG_A")" "$((nA + 1))" "the jump host A logged one login"
# who owns the client end of T's connection?
# (run on T while the session is up: the owner and its ancestors)
probe='set -- $SSH_CONNECTION; echo "from $1:$2"; ss -tnpH state established "( sport = :$2 )"
p=$(ss -tnpH state established "( sport = :$2 )" | grep -o "pid=[0-9]*" | head -n 1 | cut -d= -f2)
printf "ancestors:"; while [ -n "$p" ] && [ "$p" -gt 1 ]; do printf " %s" "$p"; p=$(ps -o ppid= -p "$p" | tr -d " "); done; echo'
"$EXEC" -F "$tmp/jcfg" -H behind -c / run -- sh -c "$probe" >"$tmp/probe" 2>"$tmp/probe.err"
tap_is "$?" 0 "a command through the jump host ran on T"
tap_like "$(cat "$tmp/probe")" 'users:\(\("sshd"' "T's client socket belongs to an sshd process, not to the client"
anc=$(sed -n 's/^ancestors://p' "$tmp/probe")
tap_like " $anc " " $PID_A " "that sshd process descends from jump sshd A (pid $PID_A): the hop was used"
tap_like "$(grep -E 'Connection from|Accepted' "$LOG_T" | tail -n 2)" "Accepted publickey for root from 127.0.0.1" "T logged the login"
nA=$(grep -c 'Accepted publickey' "$LOG_A")
which -F "$tmp/jcfg" -H behind2
out=$RD_OUT
tap_is "$out" "relayhost = [relay-T.example]:587" "ProxyJump with two hops (A, then A again) reaches T"
tap_is "$(grep -c 'Accepted publickey' "$LOG_A")" "$((nA + 2))" "A logged two logins: one per hop"
# a jump host that cannot reach the target says so
sed "s/Port $PORT_T/Port 1/" "$tmp/jcfg" >"$tmp/jcfg-closed"
which -F "$tmp/jcfg-closed" -H behind >/dev/null
tap_like "$RD_ERR" "jump host .* could not connect to 127.0.0.2 port 1" "a closed port behind the jump host: a clear error"

# 21-26: StrictHostKeyChecking
: >"$tmp/kh-new"
cat >"$tmp/scfg" <<EOF
Host new
	HostName 127.0.0.1
	Port $PORT_B
	User root
	IdentityFile $KEY_B
	UserKnownHostsFile $tmp/kh-new
	GlobalKnownHostsFile none
	StrictHostKeyChecking accept-new
	HashKnownHosts yes
EOF
which -F "$tmp/scfg" -H new
out=$RD_OUT
tap_is "$out" "relayhost = [relay-B.example]:587" "accept-new: a host with no key known is accepted"
key=$(cut -d' ' -f1,2 "$DIR_B/host_ed25519.pub")
key_re=$(tap_re_quote "$key")
tap_like "$(cat "$tmp/kh-new")" "^\|1\|[^ ]+ $key_re\$" "accept-new recorded its key, hashed (HashKnownHosts yes)"
tap_like "$(ssh-keygen -F "[127.0.0.1]:$PORT_B" -f "$tmp/kh-new")" "$key_re" "ssh-keygen finds the recorded entry"
# a changed key: refused under accept-new and no
awk -v k="$(cut -d' ' -f1,2 "$DIR_A/host_ed25519.pub")" '{print $1, k}' "$tmp/kh-new" >"$tmp/kh-changed"
cp "$tmp/kh-changed" "$tmp/kh-before"
sed "s#$tmp/kh-new#$tmp/kh-changed#" "$tmp/scfg" >"$tmp/scfg2"
which -F "$tmp/scfg2" -H new >/dev/null
tap_like "$RD_ERR" "REMOTE HOST IDENTIFICATION HAS CHANGED" "accept-new: a changed key is refused"
sed -i 's/accept-new/no/' "$tmp/scfg2"
which -F "$tmp/scfg2" -H new >/dev/null
tap_like "$RD_ERR" "REMOTE HOST IDENTIFICATION HAS CHANGED" "StrictHostKeyChecking no: a changed key is still refused"
tap_check "known_hosts untouched by the refusals" cmp -s "$tmp/kh-changed" "$tmp/kh-before"
: >"$tmp/kh-empty"
sed "s#$tmp/kh-new#$tmp/kh-empty#; s/accept-new/no/" "$tmp/scfg" >"$tmp/scfg3"
which -F "$tmp/scfg3" -H new
out=$RD_OUT
tap_is "$out" "relayhost = [relay-B.example]:587" "StrictHostKeyChecking no: an unknown key is accepted"
tap_is "$(wc -c <"$tmp/kh-empty")" 0 "... for this connection only: nothing written"
sed "s/accept-new/yes/" "$tmp/scfg" >"$tmp/scfg4"
: >"$tmp/kh-new"
which -F "$tmp/scfg4" -H new >/dev/null
tap_like "$RD_ERR" "host key of .* is not known" "StrictHostKeyChecking yes: an unknown key is refused"

# 30-31: an inventory entry goes through the same config
cat >"$tmp/inv.yml" <<EOF
all:
  children:
    relays:
      vars:
        ansible_user: root
      hosts:
        mx1:
          ansible_host: relay-a
        mx2:
          ansible_host: 127.0.0.1
          ansible_port: $PORT_B
          ansible_ssh_private_key_file: $KEY_B
EOF
which -F "$tmp/cfg" --inventory "$tmp/inv.yml" -H mx1
out=$RD_OUT
tap_is "$out" "relayhost = [relay-A.example]:587" "inventory mx1: ansible_host is an ssh_config alias (Host relay-a)"
which -F "$tmp/cfg" --inventory "$tmp/inv.yml" -H mx2
out=$RD_OUT
tap_is "$out" "relayhost = [relay-B.example]:587" "inventory mx2: ansible_port and the key override the config"
tap_done
