# postfix_instance.sh - run a private Postfix instance for tests (source it).
#
# API (all need root; none touches /etc/postfix or the machine's instance
# beyond creating an empty /etc/postfix/main.cf when it is missing, which
# Postfix's own tools need before they honour -c):
#	pfi_free_port			print a free loopback TCP port
#	pfi_create PORT			make an instance in a fresh temp dir under
#					/var/tmp; sets PFI_ROOT, PFI_CONF (config
#					dir), PFI_LOG (maillog_file), PFI_PORT
#	pfi_start			postfix -c PFI_CONF start, then wait until
#					"postfix status" says it runs and the
#					listener accepts; returns 1 on timeout
#	pfi_running			0 when the instance's master runs
#	pfi_stop			stop it and wait until master is gone
#	pfi_cleanup			stop (abort if needed) and remove PFI_ROOT;
#					install with: trap pfi_cleanup EXIT
#	pfi_log_has ERE			0 when the maillog matches ERE
#	pfi_wait_log ERE [SECS]		wait until the maillog matches ERE
#
# Layout: PFI_ROOT/etc (config, made from the sandbox templates), queue and
# data outside the config dir (postfix check warns about non-root files in
# it), chroot off, postlogd writing PFI_ROOT/maillog (under /var, which the
# default maillog_file_prefixes allows), inet_interfaces = 127.0.0.1 and one
# smtpd listener on 127.0.0.1:PORT, alias_maps cleared.

PFI_ROOT=
PFI_CONF=
PFI_LOG=
PFI_PORT=
PATH=$PATH:/usr/sbin:/sbin

_pfi_libdir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
case $_pfi_libdir in
*/tests/lib) ;;
*) _pfi_libdir=${top_srcdir:-.}/tests/lib ;;
esac

# Print a loopback port nobody listens on (reads /proc/net/tcp, no tools).
pfi_free_port() {
	_pfi_p=$(( (($$ * 7919) + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000 + 20000 ))
	_pfi_i=0
	while [ $_pfi_i -lt 200 ]; do
		_pfi_hex=$(printf '%04X' "$_pfi_p")
		if ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		    awk '{print $2}' | grep -q ":$_pfi_hex\$"; then
			echo "$_pfi_p"
			return 0
		fi
		_pfi_p=$((_pfi_p + 1))
		_pfi_i=$((_pfi_i + 1))
	done
	return 1
}

# Create a stopped instance listening on 127.0.0.1:PORT once started.
pfi_create() {
	PFI_PORT=$1
	[ -e /etc/postfix/main.cf ] || : >/etc/postfix/main.cf
	PFI_ROOT=$(mktemp -d /var/tmp/relaydeck-pfi.XXXXXX) || return 1
	PFI_CONF=$PFI_ROOT/etc
	PFI_LOG=$PFI_ROOT/maillog
	sh "$_pfi_libdir/sandbox.sh" "$PFI_ROOT" >/dev/null || return 1
	postconf -c "$PFI_CONF" -e \
	    "myhostname = relay-test.example.net" \
	    "inet_interfaces = 127.0.0.1" \
	    "alias_maps =" "alias_database =" \
	    "maillog_file = $PFI_LOG" \
	    "syslog_name = postfix-rdtest" || return 1
	# One listener on the caller's port; every service without chroot.
	sed "s|^127\.0\.0\.1:[0-9]* *inet|127.0.0.1:$PFI_PORT inet|" \
	    "$_pfi_libdir/../../data/sandbox/master.cf" >"$PFI_CONF/master.cf" ||
	    return 1
	grep -q "^127.0.0.1:$PFI_PORT inet" "$PFI_CONF/master.cf" || return 1
	postconf -c "$PFI_CONF" -M postlog/unix-dgram | grep -q . || return 1
}

# 0 when the master process of this instance runs.
pfi_running() {
	postfix -c "$PFI_CONF" status >/dev/null 2>&1
}

# Start the instance and wait until master runs and the port accepts.
pfi_start() {
	postfix -c "$PFI_CONF" start >"$PFI_ROOT/start.out" 2>&1 || {
		sed 's/^/# start: /' "$PFI_ROOT/start.out"
		return 1
	}
	_pfi_i=0
	while [ $_pfi_i -lt 100 ]; do
		if pfi_running && _pfi_listening; then
			return 0
		fi
		sleep 0.1
		_pfi_i=$((_pfi_i + 1))
	done
	echo "# postfix -c $PFI_CONF did not come up in 10s"
	[ -f "$PFI_LOG" ] && sed 's/^/# maillog: /' "$PFI_LOG"
	return 1
}

# 0 when something listens on 127.0.0.1:PFI_PORT.
_pfi_listening() {
	_pfi_hex=$(printf '0100007F:%04X' "$PFI_PORT")
	awk '$4 == "0A" {print $2}' /proc/net/tcp 2>/dev/null | grep -q "^$_pfi_hex\$"
}

# Stop the instance and wait until its master is gone.
pfi_stop() {
	[ -n "$PFI_CONF" ] && [ -d "$PFI_CONF" ] || return 0
	pfi_running || return 0
	postfix -c "$PFI_CONF" stop >/dev/null 2>&1
	_pfi_i=0
	while pfi_running && [ $_pfi_i -lt 100 ]; do
		sleep 0.1
		_pfi_i=$((_pfi_i + 1))
	done
	if pfi_running; then
		postfix -c "$PFI_CONF" abort >/dev/null 2>&1
		sleep 0.5
	fi
	! pfi_running
}

# Stop and remove everything the instance had (for trap ... EXIT).
pfi_cleanup() {
	pfi_stop || true
	if [ -n "$PFI_ROOT" ] && [ -d "$PFI_ROOT" ]; then
		case $PFI_ROOT in
		/var/tmp/relaydeck-pfi.*) rm -rf "$PFI_ROOT" ;;
		esac
	fi
	PFI_ROOT=
}

# 0 when the instance's maillog matches the extended regexp.
pfi_log_has() {
	[ -f "$PFI_LOG" ] && grep -Eq -- "$1" "$PFI_LOG"
}

# Wait up to SECS (default 10) until the maillog matches the regexp.
pfi_wait_log() {
	_pfi_i=0
	_pfi_max=$(( ${2:-10} * 10 ))
	while [ $_pfi_i -lt $_pfi_max ]; do
		pfi_log_has "$1" && return 0
		sleep 0.1
		_pfi_i=$((_pfi_i + 1))
	done
	return 1
}
