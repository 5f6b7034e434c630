#!/bin/bash
# health.sh - relaydeck health on a real running private Postfix instance
# that relays through the lab smart host (tests/lib/smarthost.sh) with SASL
# over verified TLS, the relayhost in a user provider catalog with a daily
# limit of 10:
#   - well: exit 0; the master pid is the one in queue_directory/pid/
#     master.pid; TLS and AUTH from the stored probe; 3 deliveries counted
#     from the maillog (3 of 10 a day: 30%); --json fields; --nagios one
#     line with perfdata; a quota threshold under 30% makes it a warning;
#   - 3 messages held back by defer_transports: the queue above
#     --warn-queue 2 is a warning (exit 1), the deferred trend rises by 3;
#   - a wrong password: the stored AUTH probe says refused (critical,
#     Credentials' key), the log's SASL failure is counted; health's log
#     counts equal those of `logs summary --since` over its window;
#   - main.cf Postfix rejects (debug_peer_level = 0) while the master runs:
#     critical with Postfix's reason, Postfix still seen running;
#   - Postfix stopped: critical (exit 2), says to start it; --nagios too;
#   - bad thresholds and an unknown option: UNKNOWN (exit 3).
# Needs root; skips otherwise. tests/integration/health_ssh.sh runs it over
# SSH.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 47

sh_start_checked "$RD_TMP/lab"
relay="[127.0.0.1]:$SH_SUBMIT_PORT"
port=$(pfi_free_port)
if ! pfi_create "$port"; then
	tap_not_ok "managed Postfix instance created"
	tap_done
fi
C=$PFI_CONF
export RELAYDECK_STATE_DIR=$RD_TMP/state
mkdir -p -m 700 "$RELAYDECK_STATE_DIR"
# The lab smart host as a catalog entry with a daily limit.
cat >"$RD_TMP/providers.yaml" <<EOF
providers:
  - id: lab
    name: Lab smart host
    host: 127.0.0.1
    ports: [{port: $SH_SUBMIT_PORT, tls: starttls}]
    default_port: $SH_SUBMIT_PORT
    auth: required
    limits: {per_day: 10}
EOF
export RELAYDECK_PROVIDERS=$RD_TMP/providers.yaml
password=$(cat "$SH_PASS_FILE")
wrong="Wr0ng-secret-$$"
set_password() {
	(umask 077 && printf '%s %s:%s\n' "$relay" "$SH_USER" "$1" >"$C/sasl_passwd")
	postmap -c "$C" "hash:$C/sasl_passwd"
}
set_password "$password"
install -m 644 "$SH_CA" "$C/lab-ca.pem"
postconf -c "$C" -e "relayhost = $relay" \
    "smtp_tls_security_level = encrypt" \
    "smtp_tls_CAfile = $C/lab-ca.pem" \
    "smtp_sasl_auth_enable = yes" \
    "smtp_sasl_password_maps = hash:$C/sasl_passwd" \
    "smtp_sasl_security_options = noanonymous" \
    "smtp_connection_cache_on_demand = no" \
    "default_destination_rate_delay = 0s"
if pfi_start; then
	tap_ok "managed instance runs on 127.0.0.1:$port"
else
	tap_not_ok "managed instance runs on 127.0.0.1:$port"
	tap_done
fi
qdir=$(postconf -c "$C" -h queue_directory)

# send N - N messages through the instance's sendmail.
send() {
	for _i in $(seq "$1"); do
		printf 'Subject: health %s\n\nhello\n' "$_i" |
		    sendmail -C "$C" -f sender@example.net "rcpt$_i@$SH_DOMAIN"
	done
}
# wait_count ERE N - wait until the maillog has N lines matching ERE.
wait_count() {
	for _i in $(seq 300); do
		[ "$(grep -Ec -- "$1" "$PFI_LOG" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
jq_py() {
	printf '%s' "$RD_OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# --- well ----------------------------------------------------------------------
rd -c "$C" probe auth "$relay"
tap_is "$RD_RC" 0 "probe auth of the relayhost passes (and is kept)"
[ "$RD_RC" -eq 0 ] || rd_diag
send 3
tap_check "3 messages relayed through the smart host" wait_count 'status=sent' 3

rd -c "$C" health
tap_is "$RD_RC" 0 "health: exit 0 when the relay is well"
[ "$RD_RC" -eq 0 ] || rd_diag
pid=$(tr -d ' \n' <"$qdir/pid/master.pid")
tap_like "$RD_OUT" "^This relay is well: OK" "the verdict line says so"
tap_like "$RD_OUT" "Postfix +running, master pid $pid, up " \
    "Postfix: running, with the pid from queue_directory/pid/master.pid"
tap_like "$RD_OUT" "Config +postfix check passed" "Config: postfix check passed"
tap_like "$RD_OUT" "Relayhost +\\[127\\.0\\.0\\.1\\]:$SH_SUBMIT_PORT: Lab smart host" \
    "Relayhost: matched to its catalog entry"
tap_like "$RD_OUT" "TLS +trusted TLSv1\\.[23], certificate [0-9]+ days left \\(probed " \
    "TLS: trusted, the certificate's days left, when probed"
tap_like "$RD_OUT" "AUTH +accepted \\(probed " "AUTH: accepted by the last probe"
tap_like "$RD_OUT" "Delivery +3 delivered in the last 1h" "Delivery: the 3 messages sent"
tap_like "$RD_OUT" "Quota +3 of 10 a day \\(30%\\)" "Quota: 3 of the lab's 10 a day"

rd -c "$C" --json health
tap_check "--json: status ok, exit 0, the master pid, provider lab, items named" rd_json \
    "d['status']=='ok' and d['exit']==0 and d['postfix']['master_pid']==$pid and \
d['postfix']['running'] and d['relay']['provider']=='lab' and \
[i['name'] for i in d['items']][:5]==['postfix','config','relayhost','tls','auth']" \
    <<<"$RD_OUT"
tap_is "$(jq_py "d['log']['delivered'],d['log']['delivered_24h'],d['log']['quota_per_day'],d['queue']['total'],d['relay']['auth_probe']['auth_ok']")" \
    "(3, 3, 10, 0, True)" "--json: log counts, quota, queue, the stored AUTH probe"

rd -c "$C" health --nagios
tap_is "$RD_RC" 0 "--nagios: exit 0"
tap_like "$RD_OUT" "^RELAYDECK OK - Postfix running, relayhost \\[127\\.0\\.0\\.1\\]:$SH_SUBMIT_PORT, queue 0, 3 delivered in the last hour \\| queue=0;100;1000;0 deferred=0;;;0 oldest=0s;3600;86400;0 delivered=3;;;0 log_deferred=0;;;0 bounced=0;;;0 sasl_failures=0;1;;0 tls_failures=0;1;;0 quota=30%;80;95;0;100 cert_days=[0-9]+;14:;1: uptime=[0-9]+s$" \
    "--nagios: one line, the summary and perfdata with thresholds"
tap_is "$(printf '%s\n' "$RD_OUT" | wc -l)" 1 "--nagios: exactly one line"

rd -c "$C" health --warn-quota 20 --crit-quota 50
tap_is "$RD_RC" 1 "30% of the quota over --warn-quota 20: warning (exit 1)"
tap_like "$RD_OUT" "WARN Quota +3 of 10 a day \\(30%\\)" "... the Quota item says it"
tap_like "$RD_OUT" "-> slow the relay in Relay settings .*\\[1: Relay settings\\]" \
    "... with what to do and the key of the screen that fixes it"

# --- a queue above the threshold --------------------------------------------------
postconf -c "$C" -e "defer_transports = smtp"
postfix -c "$C" reload >/dev/null 2>&1
sleep 1
send 3
tap_check "3 messages deferred by defer_transports" wait_count 'status=deferred \(deferred transport\)' 3
rd -c "$C" health --warn-queue 2 --crit-queue 100
tap_is "$RD_RC" 1 "3 queued over --warn-queue 2: warning (exit 1)"
tap_like "$RD_OUT" "WARN Queue +3 message\\(s\\): 3 deferred" "the Queue item is the warning"
tap_like "$RD_OUT" "\\[6: Queue\\]" "... and opens the Queue screen (6)"
tap_like "$RD_OUT" "Deferred +rising: 3 deferred, \\+3 since " \
    "the deferred trend compares with the previous run's sample"
rd -c "$C" health --warn-queue 2 --crit-queue 3 --nagios
tap_like "$RD_OUT" "^RELAYDECK CRITICAL - Queue: 3 message\\(s\\).* \\| queue=3;2;3;0 deferred=3;;;0 oldest=[0-9]+s;" \
    "--crit-queue 3: CRITICAL in the plugin line, thresholds in perfdata"
postsuper -c "$C" -d ALL >/dev/null 2>&1
postconf -c "$C" -X defer_transports
postfix -c "$C" reload >/dev/null 2>&1

# --- a wrong password -----------------------------------------------------------------
set_password "$wrong"
postfix -c "$C" reload >/dev/null 2>&1
sleep 1
send 1
tap_check "the message is deferred by the smart host's 535" \
    wait_count 'status=deferred \(SASL authentication failed' 1
rd -c "$C" probe auth "$relay"
# the premise of what follows: the smart host itself refused it (a probe
# that timed out on a loaded machine would leave the earlier record)
tap_like "$RD_RC:$(printf '%s\n' "$RD_OUT" | grep -c ' 535 ')" "^1:[1-9]" \
    "probe auth with the wrong password: refused with 535 (exit 1)"
[ "$RD_RC" -eq 1 ] || rd_diag
rd -c "$C" health
tap_is "$RD_RC" 2 "a refused password: critical (exit 2)"
tap_like "$RD_OUT" "CRIT AUTH +refused: 535" "AUTH: refused with the server's reply"
tap_like "$RD_OUT" "rotate the password .*\\[2: Credentials\\]" "... Credentials fixes it (2)"
tap_like "$RD_OUT" "WARN SASL fails +[1-9][0-9]* authentication failure" \
    "the log's SASL failure is counted"
case "$RD_OUT$RD_ERR" in
*"$wrong"* | *"$password"*) tap_not_ok "no password in the health output" ;;
*) tap_ok "no password in the health output" ;;
esac
postsuper -c "$C" -d ALL >/dev/null 2>&1
set_password "$password"
# health counts the log as the summary does: the same numbers for the
# same window (the log is quiet: the queue was emptied)
rd -c "$C" --json health
hj=$RD_OUT
win=$(jq_py "d['checked_at'] - d['thresholds']['window']")
rd -c "$C" --json logs summary --since "@$win"
tap_is "$RD_RC" 0 "logs summary --since the health window: exit 0"
sj=$RD_OUT
tap_is "$(RD_OUT=$hj jq_py "d['log']['delivered'],d['log']['deferred'],d['log']['bounced'],d['log']['sasl_failures'],d['log']['tls_failures'],d['log']['delivered_24h']")" \
    "$(RD_OUT=$sj jq_py "d['delivered'],d['deferred'],d['bounced'],d['sasl']['ours_failed']+d['sasl']['clients_failed'],d['tls']['failures'],d['last_24h']")" \
    "health's log counts equal logs summary --since's (delivered, deferred, bounced, SASL, TLS, 24 h)"
tap_like "$(RD_OUT=$hj jq_py "d['log']['delivered'],d['log']['deferred'],d['log']['sasl_failures']")" \
    "^\\([1-9][0-9]*, [1-9][0-9]*, [1-9][0-9]*\\)$" "... and they are not all zero (deliveries, a deferral, a SASL failure)"

# --- main.cf Postfix rejects, master still running ---------------------------------
cp "$C/main.cf" "$RD_TMP/main.cf.good"
echo "debug_peer_level = 0" >>"$C/main.cf"
rd -c "$C" health
tap_is "$RD_RC" 2 "main.cf Postfix rejects: critical (exit 2)"
tap_like "$RD_OUT" "CRIT Config +Postfix rejects main\\.cf: .*debug_peer_level" \
    "Config: Postfix's own reason"
tap_like "$RD_OUT" "Postfix +running, master pid $pid" "the running master is still seen"
cp "$RD_TMP/main.cf.good" "$C/main.cf"

# --- Postfix stopped ----------------------------------------------------------------------
pfi_stop
rd -c "$C" health
tap_is "$RD_RC" 2 "Postfix stopped: critical (exit 2)"
tap_like "$RD_OUT" "CRIT Postfix +not running" "Postfix: not running"
tap_like "$RD_OUT" "-> start it \\(s on the Dashboard, or postfix -c $C start\\)" \
    "... and says how to start it"
rd -c "$C" health --nagios
tap_like "$RD_OUT" "^RELAYDECK CRITICAL - Postfix: not running" "--nagios: CRITICAL first"

# --- unknown ----------------------------------------------------------------------------------
rd -c "$C" health --warn-queue 10 --crit-queue 5 --nagios
tap_is "$RD_RC" 3 "a critical threshold milder than the warning: UNKNOWN (exit 3)"
tap_like "$RD_OUT" "^RELAYDECK UNKNOWN - health: a critical threshold" "... said in the plugin's way"
rd -c "$C" health --bogus
tap_is "$RD_RC" 3 "an unknown option: exit 3"
tap_done
