# queue_fill.sh - a private Postfix instance whose queue holds real
# deferred mail (source it after postfix_instance.sh, as root).
#
# API:
#	qf_create		pfi_create on a free port, then: the queue
#				directory on tmpfs (/dev/shm) when there is
#				one (cleanup fsyncs every queue file; on tmpfs
#				pickup takes about 1,000 messages a second
#				instead of 500), relayhost a dead loopback
#				port, a texthash transport map that sends the
#				rl/tls/dns.example domains to retry(8) with a
#				reason each, no rate delay, 30 days of queue
#				lifetime and an hour of backoff (no retry
#				while a test runs). Sets QF_QUEUE, QF_DEAD_PORT
#	qf_fill COUNT [START]	queue_fill.py writes COUNT submission files
#				(messages START.. of its deterministic mix)
#				into maildrop/, pickup is kicked, and it waits
#				until maildrop, incoming and active are empty;
#				1 on timeout (TIMEOUT seconds, default 300)
#	qf_count [QUEUE]	messages in the queue (all, or one queue name),
#				by `postqueue -j`
#	qf_cleanup		pfi_cleanup, then remove the tmpfs queue
#				(install with: trap qf_cleanup EXIT)
#
# Every message goes the real way: pickup, cleanup, qmgr, a delivery
# attempt (smtp to the dead port, or retry), deferral.

QF_QUEUE=
QF_DEAD_PORT=
_qf_libdir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
case $_qf_libdir in
*/tests/lib) ;;
*) _qf_libdir=${top_srcdir:-.}/tests/lib ;;
esac

qf_create() {
	pfi_create "$(pfi_free_port)" || return 1
	QF_DEAD_PORT=$(pfi_free_port)
	[ "$QF_DEAD_PORT" != "$PFI_PORT" ] || QF_DEAD_PORT=$((PFI_PORT + 1))
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		QF_QUEUE=$(mktemp -d /dev/shm/relaydeck-queue.XXXXXX) || return 1
	else
		QF_QUEUE=$PFI_ROOT/queue
	fi
	chmod 755 "$QF_QUEUE"
	# One entry per domain: transport_maps allows no $1 substitution.
	: >"$PFI_CONF/transport_retry"
	for _qf_n in 1 2 3 4 5 6; do
		echo "mx$_qf_n.rl.example retry:4.7.0 host mx$_qf_n.rl.example[192.0.2.$_qf_n] said: 421 4.7.0 Too many messages from 203.0.113.5, rate limited; try again in ${_qf_n}7 seconds"
	done >>"$PFI_CONF/transport_retry"
	for _qf_n in 1 2 3; do
		echo "mx$_qf_n.tls.example retry:4.7.5 TLS is required, but was not offered by host mx$_qf_n.tls.example[192.0.2.1$_qf_n]"
		echo "mx$_qf_n.dns.example retry:4.4.3 Host or domain name not found. Name service error for name=mx$_qf_n.dns.example type=MX: Host not found, try again"
	done >>"$PFI_CONF/transport_retry"
	postconf -c "$PFI_CONF" -e \
	    "queue_directory = $QF_QUEUE" \
	    "relayhost = [127.0.0.1]:$QF_DEAD_PORT" \
	    "transport_maps = texthash:$PFI_CONF/transport_retry" \
	    "smtp_tls_security_level = may" "smtp_sasl_auth_enable = no" \
	    "smtp_generic_maps =" "smtp_header_checks =" \
	    "default_destination_rate_delay = 0s" \
	    "maximal_queue_lifetime = 30d" "bounce_queue_lifetime = 30d" \
	    "queue_run_delay = 3600s" "minimal_backoff_time = 3600s" \
	    "maximal_backoff_time = 4000s" || return 1
}

qf_count() {
	if [ -n "${1:-}" ]; then
		postqueue -c "$PFI_CONF" -j | grep -c "\"queue_name\": \"$1\""
	else
		postqueue -c "$PFI_CONF" -j | grep -c '"queue_id"'
	fi
}

# _qf_busy - files still on their way (maildrop, incoming, active).
_qf_busy() {
	find "$QF_QUEUE/maildrop" "$QF_QUEUE/incoming" "$QF_QUEUE/active" -type f 2>/dev/null |
	    head -n 1 | grep -q .
}

qf_fill() {
	python3 "$_qf_libdir/queue_fill.py" "$QF_QUEUE" "$1" --start "${2:-0}" >/dev/null ||
	    return 1
	postkick -c "$PFI_CONF" public pickup W
	_qf_i=0
	_qf_max=$(( ${TIMEOUT:-300} * 10 ))
	while _qf_busy; do
		[ $_qf_i -lt $_qf_max ] || return 1
		# pickup wakes on its own only once a minute
		[ $((_qf_i % 50)) -eq 49 ] && postkick -c "$PFI_CONF" public pickup W
		sleep 0.1
		_qf_i=$((_qf_i + 1))
	done
}

qf_cleanup() {
	pfi_cleanup
	case $QF_QUEUE in
	/dev/shm/relaydeck-queue.*) rm -rf "$QF_QUEUE" ;;
	esac
	QF_QUEUE=
}
