#!/bin/bash
# probe_send.sh - relaydeck probe send end to end: a managed private Postfix
# instance relays through the lab smart host (tests/lib/smarthost.sh) with
# SASL over verified TLS; probe send submits a test message with the
# instance's sendmail, finds its queue ID in the instance's maillog by
# Message-ID and follows it: status=sent (exit 0) with relay=, delays=,
# dsn= and the Verified TLS line; with a wrong SASL password the message
# is deferred (exit 1) with the server's 535 reply and no secret in any
# output.  Needs root; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 17

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
password=$(cat "$SH_PASS_FILE")
wrong="Wr0ng-secret-$$"
# sasl_passwd with password $1 (0600 before a byte is written), compiled.
set_password() {
	(umask 077 && printf '%s %s:%s\n' "$relay" "$SH_USER" "$1" >"$C/sasl_passwd")
	postmap -c "$C" "hash:$C/sasl_passwd"
}
set_password "$password"
# The smtp client runs as postfix: the CA must be readable outside RD_TMP.
install -m 644 "$SH_CA" "$C/lab-ca.pem"
postconf -c "$C" -e "relayhost = $relay" \
    "smtp_tls_security_level = encrypt" \
    "smtp_tls_CAfile = $C/lab-ca.pem" \
    "smtp_tls_loglevel = 1" \
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

# --- sent ----------------------------------------------------------------------
rd -c "$C" probe send --to "rcpt@$SH_DOMAIN" --from sender@example.net --timeout 60
tap_is "$RD_RC" 0 "probe send: exit 0 (status=sent)"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_OUT" '^status: +sent' "the status is sent"
tap_like "$RD_OUT" '^queue id: +[0-9A-F]{6,}' "the queue ID was found by Message-ID"
tap_like "$RD_OUT" "relay: +127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$SH_SUBMIT_PORT" \
    "relay= is the lab smart host's port"
tap_like "$RD_OUT" "(Verified|Trusted) TLS connection established to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$SH_SUBMIT_PORT: TLSv1\\.[23] with cipher" \
    "the smtp client's Verified TLS line is shown"
tap_like "$RD_OUT" "delays: .*before the queue manager, .* transmission" \
    "the delays= breakdown is shown"
tap_like "$RD_OUT" "log: +$PFI_ROOT/maillog on ${RD_SSH_HOST:-localhost}\$" \
    "the log followed is the instance's maillog, on the target"
qid=$(printf '%s\n' "$RD_OUT" | sed -n 's/^queue id: *//p')
tap_check "the maillog's delivery line for $qid says status=sent" \
    pfi_log_has "$qid: to=<rcpt@$SH_DOMAIN>, relay=.*status=sent"
tap_check "the smart host logged sasl_username=$SH_USER" \
    sh_wait_log "sasl_username=$SH_USER" 10

rd -c "$C" --json probe send --to "rcpt@$SH_DOMAIN" --timeout 60
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["status"]+" "+d["dsn"]+" "+str(len(d["delays"]["transmission"])>0)')" \
    "sent 2.0.0 True" "--json: status, dsn and the delays breakdown"

# --- wrong password: deferred ---------------------------------------------------
set_password "$wrong"
postfix -c "$C" reload >/dev/null 2>&1
rd -c "$C" probe send --to "rcpt@$SH_DOMAIN" --from sender@example.net --timeout 60
tap_is "$RD_RC" 1 "wrong password: exit 1"
tap_like "$RD_OUT" '^status: +deferred' "the status is deferred"
tap_like "$RD_OUT" "reply: +SASL authentication failed; .*535" "the 535 reply is shown"
tap_like "$RD_OUT" '^SASL: +failed' "SASL is reported as failed"
case "$RD_OUT$RD_ERR" in
*"$wrong"* | *"$password"*) tap_not_ok "no password in any output" ;;
*) tap_ok "no password in any output" ;;
esac
tap_done
