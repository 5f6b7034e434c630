#!/bin/bash
# setup_e2e.sh - the setup wizard end to end: a running private Postfix
# instance is pointed at the lab smart host (tests/lib/smarthost.sh:
# STARTTLS required, Cyrus SASL AUTH) with `relaydeck setup --provider
# custom`, and mail submitted with sendmail arrives there authenticated;
# implicit TLS (wrapper mode) works too; a wrong password leaves the mail
# deferred with the 535 reason in the queue.  Needs root; skips otherwise.
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
port=$(pfi_free_port)
if pfi_create "$port" && pfi_start; then
	tap_ok "managed Postfix instance runs on 127.0.0.1:$port"
else
	tap_not_ok "managed Postfix instance runs on 127.0.0.1:$port"
	tap_done
fi
C=$PFI_CONF
export RELAYDECK_STATE_DIR=$RD_TMP/state
mkdir -p -m 700 "$RELAYDECK_STATE_DIR"
# Retry deferred mail quickly so the wrong-password case settles fast.
postconf -c "$C" -e "minimal_backoff_time = 1s" "maximal_backoff_time = 2s" "queue_run_delay = 1s"

# setup [ARGS...] - relaydeck setup --provider custom on the lab host.
setup() {
	rd -c "$C" setup --yes --provider custom --host 127.0.0.1 --user "$SH_USER" \
	    --ca-file "$SH_CA" "$@"
}

# send ID - submit one message with the instance's sendmail; prints nothing.
send() {
	printf 'Subject: relaydeck e2e %s\nMessage-ID: <%s@relaydeck.test>\n\nhello\n' "$1" "$1" |
	    sendmail -C "$C" -f "sender@example.net" "rcpt-$1@example.org"
}

# queue_has ERE - the managed instance's queue (postqueue -j) matches ERE.
queue_has() {
	postqueue -c "$C" -j 2>/dev/null | grep -Eq -- "$1"
}

# wait_queue ERE [SECS] - poll until queue_has ERE (default 20 s).
wait_queue() {
	local i=0 max=$(( ${2:-20} * 10 ))
	while [ $i -lt $max ]; do
		queue_has "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# --- STARTTLS + AUTH on the submission port -------------------------------
setup --port "$SH_SUBMIT_PORT" --password-file "$SH_PASS_FILE"
tap_is "$RD_RC" 0 "setup --provider custom on the lab submission port exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(postconf -c "$C" -h relayhost)" "[127.0.0.1]:$SH_SUBMIT_PORT" "relayhost is the lab smart host"
tap_like "$RD_OUT" "reload: (ok|done|postfix reload)" "the running instance was reloaded"
[ $? -eq 0 ] || rd_diag

send ok1
if sh_wait_log "sasl_username=$SH_USER" 20; then
	tap_ok "the smart host saw an authenticated client (sasl_username=$SH_USER)"
else
	tap_not_ok "the smart host saw an authenticated client (sasl_username=$SH_USER)"
	tap_diag "$(tail -n 15 "$SH_LOG" 2>/dev/null)"
	tap_diag "$(tail -n 15 "$PFI_LOG" 2>/dev/null)"
fi
if sh_wait_log "to=<rcpt-ok1@example.org>.*status=sent" 20; then
	tap_ok "mail submitted with sendmail arrived at the smart host"
else
	tap_not_ok "mail submitted with sendmail arrived at the smart host"
fi
if pfi_wait_log "to=<rcpt-ok1@example.org>, relay=127.0.0.1\\[127.0.0.1\\]:$SH_SUBMIT_PORT.*status=sent" 20; then
	tap_ok "the managed instance logged status=sent through the relay"
else
	tap_not_ok "the managed instance logged status=sent through the relay"
fi
tap_check "the managed instance used TLS to the relay" \
    pfi_log_has "Trusted TLS connection established to 127.0.0.1\\[127.0.0.1\\]:$SH_SUBMIT_PORT|TLS connection established to 127.0.0.1\\[127.0.0.1\\]:$SH_SUBMIT_PORT"

# --- implicit TLS (wrapper mode) ------------------------------------------
setup --port "$SH_IMPLICIT_PORT" --tls implicit --password-file "$SH_PASS_FILE"
tap_is "$RD_RC" 0 "setup on the lab implicit-TLS port exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(postconf -c "$C" -h smtp_tls_wrappermode)" "yes" "custom relay on the implicit port: wrapper mode"
send ok2
if sh_wait_log "to=<rcpt-ok2@example.org>.*status=sent" 20 &&
    pfi_wait_log "to=<rcpt-ok2@example.org>, relay=127.0.0.1\\[127.0.0.1\\]:$SH_IMPLICIT_PORT.*status=sent" 20; then
	tap_ok "mail arrives through implicit TLS"
else
	tap_not_ok "mail arrives through implicit TLS"
	tap_diag "$(tail -n 10 "$PFI_LOG" 2>/dev/null)"
fi

# --- a wrong password: deferred with 535 ------------------------------------
wrong=wrong-$(openssl rand -hex 8)
(umask 077 && printf '%s\n' "$wrong" >"$RD_TMP/wrong")
setup --port "$SH_SUBMIT_PORT" --password-file "$RD_TMP/wrong"
tap_is "$RD_RC" 0 "setup with a wrong password applies (the relay decides)"
tap_unlike "$RD_OUT$RD_ERR" "$wrong" "the wrong password is in no output"
send bad1
if wait_queue '"recipients".*rcpt-bad1@example.org.*"delay_reason": *"[^"]*535' 30; then
	tap_ok "the message stays deferred with the 535 reason (postqueue -j)"
else
	tap_not_ok "the message stays deferred with the 535 reason (postqueue -j)"
	tap_diag "$(postqueue -c "$C" -j 2>&1 | head -n 3)"
	tap_diag "$(tail -n 10 "$PFI_LOG" 2>/dev/null)"
fi
if sh_log_has "to=<rcpt-bad1@example.org>"; then
	tap_not_ok "the smart host never accepted the message sent with the wrong password"
else
	tap_ok "the smart host never accepted the message sent with the wrong password"
fi

# The right password again: the deferred message goes out on the next try.
setup --port "$SH_SUBMIT_PORT" --password-file "$SH_PASS_FILE"
postqueue -c "$C" -f >/dev/null 2>&1
if sh_wait_log "to=<rcpt-bad1@example.org>.*status=sent" 30; then
	tap_ok "after setup with the right password the deferred message is delivered"
else
	tap_not_ok "after setup with the right password the deferred message is delivered"
	tap_diag "$(tail -n 10 "$PFI_LOG" 2>/dev/null)"
fi

tap_done
