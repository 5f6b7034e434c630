# sshd.sh - throwaway OpenSSH servers on loopback ports for tests (source it,
# as root).
#
# API:
#	sshd_start [VAR=VALUE...]	start one sshd -D on 127.0.0.1 (and ::1
#					when the loopback has it) on a free port,
#					with its own host keys, key-only login as
#					root, and SetEnv VAR=VALUE for each argument
#					(e.g. MAIL_CONFIG=DIR; HOME is an empty
#					directory of its own). Sets:
#		SSHD_DIR		its directory (config, keys, log)
#		SSHD_PORT, SSHD_PID, SSHD_LOG, SSHD_HAVE_IPV6 (0/1)
#		SSHD_KEY		the client's ed25519 key (no passphrase)
#		SSHD_KNOWN_HOSTS	a known_hosts file with the server's
#					ed25519 key as "[127.0.0.1]:PORT"
#		SSHD_HOSTKEY_PUB	the server's ed25519 public key line
#		SSHD_FP			its fingerprint, "SHA256:..."
#	sshd_stop			stop it (also run by sshd_cleanup)
#	sshd_cleanup			stop every server started here, remove
#					their directories
#	sshd_extra_config LINE...	add config lines before sshd_start
#	SSHD_ADDR=127.0.0.2		listen on that IPv4 address only
#					(default 127.0.0.1, and ::1)
#	SSHD_NETNS=NAME			run sshd inside that network namespace
#					(`ip netns add NAME`; give SSHD_ADDR an
#					address it has)
#	SSHD_WRAP="CMD ARGS"		a command sshd's command line is
#					appended to (e.g. unshare -m ... for
#					files only the server side sees)
#
# Nothing reads the machine's ~/.ssh or /etc/ssh: the server has its own
# keys and authorized_keys, and tests point relaydeck at SSHD_KNOWN_HOSTS.
# sshd needs its privilege-separation directory /run/sshd; it is created
# when missing (CI machines have openssh-server installed but not running).

SSHD_DIR=
SSHD_PORT=
SSHD_PID=
SSHD_LOG=
SSHD_KEY=
SSHD_KNOWN_HOSTS=
SSHD_HOSTKEY_PUB=
SSHD_FP=
SSHD_HAVE_IPV6=0
_sshd_dirs=
_sshd_pids=
_sshd_extra=
PATH=$PATH:/usr/sbin:/sbin

# A loopback port nobody listens on.
_sshd_free_port() {
	local p i=0 hex
	p=$(( ($$ * 7919 + RANDOM * 3 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000 + 20000 ))
	while [ $i -lt 200 ]; do
		hex=$(printf '%04X' "$p")
		if ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		    awk '{print $2}' | grep -q ":$hex\$"; then
			echo "$p"
			return 0
		fi
		p=$((p + 1))
		i=$((i + 1))
	done
	return 1
}

sshd_extra_config() {
	local l
	for l in "$@"; do
		_sshd_extra="$_sshd_extra$l
"
	done
}

sshd_start() {
	local v tries=0
	command -v sshd >/dev/null 2>&1 || return 1
	[ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd
	SSHD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-sshd.XXXXXX") || return 1
	chmod 0755 "$SSHD_DIR"
	mkdir -m 0700 "$SSHD_DIR/home" || return 1
	_sshd_dirs="$_sshd_dirs $SSHD_DIR"
	ssh-keygen -q -t ed25519 -N '' -C 'relaydeck test host' -f "$SSHD_DIR/host_ed25519" || return 1
	ssh-keygen -q -t ecdsa -b 256 -N '' -C 'relaydeck test host' -f "$SSHD_DIR/host_ecdsa" || return 1
	ssh-keygen -q -t ed25519 -N '' -C 'relaydeck test client' -f "$SSHD_DIR/client_ed25519" || return 1
	SSHD_KEY=$SSHD_DIR/client_ed25519
	cp "$SSHD_KEY.pub" "$SSHD_DIR/authorized_keys"
	SSHD_LOG=$SSHD_DIR/sshd.log
	SSHD_HAVE_IPV6=0
	if [ "${SSHD_ADDR:-127.0.0.1}" = 127.0.0.1 ] &&
	    ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/'; then
		SSHD_HAVE_IPV6=1
	fi
	{
		echo "ListenAddress ${SSHD_ADDR:-127.0.0.1}"
		[ "$SSHD_HAVE_IPV6" = 1 ] && echo "ListenAddress ::1"
		echo "HostKey $SSHD_DIR/host_ed25519"
		echo "HostKey $SSHD_DIR/host_ecdsa"
		echo "PidFile $SSHD_DIR/sshd.pid"
		echo "AuthorizedKeysFile $SSHD_DIR/authorized_keys"
		echo "PermitRootLogin prohibit-password"
		echo "PubkeyAuthentication yes"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "PrintMotd no"
		echo "MaxStartups 50"
		echo "MaxSessions 50"
		echo "LogLevel VERBOSE"
		echo "Subsystem sftp internal-sftp"
		# the login's rc files are not the machine's: root's ~/.bashrc here
		# and on CI machines runs pyenv's init (a rehash under a lock), which
		# made 20 concurrent logins wait their 30 s deadlines
		# (one SetEnv line: sshd takes the first only)
		printf 'SetEnv HOME=%s' "$SSHD_DIR/home"
		for v in "$@"; do
			printf ' "%s"' "$v"
		done
		echo
		printf '%s' "$_sshd_extra"
	} >"$SSHD_DIR/sshd_config"
	while [ $tries -lt 5 ]; do
		SSHD_PORT=$(_sshd_free_port) || return 1
		sed -i '/^Port /d' "$SSHD_DIR/sshd_config"
		echo "Port $SSHD_PORT" >>"$SSHD_DIR/sshd_config"
		# shellcheck disable=SC2086
		${SSHD_NETNS:+ip netns exec "$SSHD_NETNS"} ${SSHD_WRAP:-} \
		    /usr/sbin/sshd -D -e -f "$SSHD_DIR/sshd_config" 2>>"$SSHD_LOG" &
		SSHD_PID=$!
		_sshd_pids="$_sshd_pids $SSHD_PID"
		if _sshd_wait_listen "$SSHD_PORT"; then
			break
		fi
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
		tries=$((tries + 1))
	done
	[ $tries -lt 5 ] || return 1
	SSHD_HOSTKEY_PUB=$(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")
	SSHD_FP=$(ssh-keygen -l -E sha256 -f "$SSHD_DIR/host_ed25519.pub" | awk '{print $2}')
	SSHD_KNOWN_HOSTS=$SSHD_DIR/known_hosts
	echo "[${SSHD_ADDR:-127.0.0.1}]:$SSHD_PORT $SSHD_HOSTKEY_PUB" >"$SSHD_KNOWN_HOSTS"
	[ "$SSHD_HAVE_IPV6" = 1 ] && echo "[::1]:$SSHD_PORT $SSHD_HOSTKEY_PUB" >>"$SSHD_KNOWN_HOSTS"
	return 0
}

# Wait (up to 5 s) until the port accepts on the listen address.
_sshd_wait_listen() {
	local i=0 hex a
	hex=$(printf '%04X' "$1")
	# /proc/net/tcp writes 127.0.0.1 as 0100007F
	a=$(echo "${SSHD_ADDR:-127.0.0.1}" | awk -F. '{printf "%02X%02X%02X%02X", $4, $3, $2, $1}')
	while [ $i -lt 50 ]; do
		# /proc/net/tcp lists the sockets of the reader's namespace
		if ${SSHD_NETNS:+ip netns exec "$SSHD_NETNS"} awk '$4 == "0A" {print $2}' \
		    /proc/net/tcp | grep -q "^$a:$hex\$"; then
			return 0
		fi
		kill -0 "$SSHD_PID" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

sshd_stop() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

sshd_cleanup() {
	local p d
	for p in $_sshd_pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	_sshd_pids=
	for d in $_sshd_dirs; do
		[ -d "$d" ] && rm -rf "$d"
	done
	_sshd_dirs=
	return 0
}
