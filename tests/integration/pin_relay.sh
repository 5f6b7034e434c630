#!/bin/bash
# pin_relay.sh - relaydeck pin end to end: a managed private Postfix
# instance relays through the lab smart host (tests/lib/smarthost.sh) with
# SASL and smtp_tls_security_level = encrypt; after "pin --mode fingerprint"
# mail goes out over fingerprint-verified TLS and arrives authenticated;
# after the smart host's certificate changes (new key) mail stays deferred
# and "probe tls" explains the mismatch.  Needs root; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 17

# A test that states a known gap: "not ok ... # TODO" until it passes
# (the TAP driver then reports XPASS, which fails the run, so the TODO
# cannot outlive the fix).
tap_todo_check() {
	_name=$1 _why=$2
	shift 2
	TAP_N=$((TAP_N + 1))
	if "$@"; then
		echo "ok $TAP_N - $_name # TODO $_why"
	else
		echo "not ok $TAP_N - $_name # TODO $_why"
	fi
}

sh_start_checked "$RD_TMP/lab"
relay="[127.0.0.1]:$SH_SUBMIT_PORT"

# The managed instance: relay through the smart host with SASL over TLS.
port=$(pfi_free_port)
if ! pfi_create "$port"; then
	tap_not_ok "managed Postfix instance created"
	tap_done
fi
C=$PFI_CONF
export RELAYDECK_STATE_DIR=$RD_TMP/state
mkdir -p -m 700 "$RELAYDECK_STATE_DIR"
(umask 077 && printf '%s %s:%s\n' "$relay" "$SH_USER" "$(cat "$SH_PASS_FILE")" >"$C/sasl_passwd")
chmod 600 "$C/sasl_passwd"
postmap -c "$C" "hash:$C/sasl_passwd"
# No TLS session or connection reuse: each message must do a fresh
# handshake, or the second one could ride on the old certificate.
postconf -c "$C" -e "relayhost = $relay" \
    "smtp_tls_security_level = encrypt" \
    "smtp_tls_CAfile = $SH_CA" \
    "smtp_tls_session_cache_database =" \
    "smtp_connection_cache_on_demand = no" \
    "default_destination_rate_delay = 0s"
if pfi_start; then
	tap_ok "managed instance runs on 127.0.0.1:$port"
else
	tap_not_ok "managed instance runs on 127.0.0.1:$port"
	tap_done
fi

# Submit one message with the managed instance's sendmail.
send() {
	printf 'Subject: %s\nFrom: sender@example.net\nTo: rcpt@%s\n\n%s\n' \
	    "$1" "$SH_DOMAIN" "$1" |
	    sendmail -C "$C" -f sender@example.net "rcpt@$SH_DOMAIN"
}

# Queue ID of the message with Subject $1 (cleanup logs message-id; use
# the pickup/qmgr order instead: the newest qmgr "from=" line).
last_qid() {
	grep -E 'postfix-rdtest/qmgr\[[0-9]+\]: [0-9A-F]+: from=<sender@example.net>' "$PFI_LOG" |
	    tail -n 1 | sed -E 's/.*qmgr\[[0-9]+\]: ([0-9A-F]+): .*/\1/'
}

# Wait until the maillog has a line for queue ID $1 matching ERE $2.
wait_qid() {
	pfi_wait_log "$1: .*$2" "${3:-20}"
}

# --- pin -----------------------------------------------------------------------
leaf_fp=$(sh_fp_cert "$SH_LEAF")
rd -c "$C" pin "$relay" --mode fingerprint --yes
tap_is "$RD_RC" 0 "pin $relay --mode fingerprint --yes: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
maps=$(postconf -c "$C" -h smtp_tls_policy_maps)
tap_like "$maps" '.' "smtp_tls_policy_maps is set ($maps)"
policy_file=${maps#*:}
tap_like "$(cat "$policy_file" 2>/dev/null)" "^\\[127\\.0\\.0\\.1\\]:$SH_SUBMIT_PORT[[:space:]]+fingerprint.*match=$leaf_fp" \
    "the policy entry pins the leaf's sha256 fingerprint"
tap_is "$(postconf -c "$C" -n 2>&1 >/dev/null)" "" "postconf -n prints no warnings after pin"

# --- mail goes out over fingerprint-verified TLS, authenticated --------------
send "pinned relay 1"
if pfi_wait_log 'from=<sender@example.net>' 10; then
	qid=$(last_qid)
else
	qid=none
fi
if wait_qid "$qid" "relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$SH_SUBMIT_PORT, .*status=sent" 20; then
	tap_ok "message $qid: status=sent through the smart host"
else
	tap_not_ok "message $qid: status=sent through the smart host"
	tap_diag "$(tail -n 15 "$PFI_LOG")"
fi
tap_check "the managed instance logged a Verified TLS connection to the smart host" \
    pfi_log_has "Verified TLS connection established to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$SH_SUBMIT_PORT"
if sh_wait_log "sasl_username=$SH_USER" 10; then
	tap_ok "the smart host logged the message with sasl_username=$SH_USER"
else
	tap_not_ok "the smart host logged the message with sasl_username=$SH_USER"
	tap_diag "$(tail -n 15 "$SH_LOG")"
fi
tap_check "the smart host delivered it (discard: status=sent)" \
    sh_wait_log 'status=sent \(lab smart host\)' 10

rd -c "$C" probe tls "127.0.0.1:$SH_SUBMIT_PORT"
tap_is "$RD_RC" 0 "probe tls against the pinned relay: exit 0 while the certificate matches"
[ "$RD_RC" -eq 0 ] || rd_diag

# --- the smart host's certificate changes --------------------------------------
if sh_renew_cert; then
	tap_ok "smart host serves a new certificate (new key)"
else
	tap_not_ok "smart host serves a new certificate (new key)"
fi
new_fp=$(sh_fp_cert "$SH_LEAF")
tap_unlike "$new_fp" "^$leaf_fp\$" "the new fingerprint differs from the pinned one"

sent_before=$(grep -c 'status=sent' "$PFI_LOG")
send "pinned relay 2"
# The first message's qmgr line already matches: poll until a new queue ID shows.
qid2=none
for _i in $(seq 100); do
	_q=$(last_qid)
	if [ -n "$_q" ] && [ "$_q" != "$qid" ]; then
		qid2=$_q
		break
	fi
	sleep 0.1
done
if wait_qid "$qid2" 'status=deferred' 20; then
	tap_ok "message $qid2: status=deferred after the certificate change"
else
	tap_not_ok "message $qid2: status=deferred after the certificate change"
	tap_diag "$(tail -n 15 "$PFI_LOG")"
fi
tap_like "$(grep -E "$qid2: .*status=deferred" "$PFI_LOG" | tail -n 1)" \
    '(certificate|fingerprint|[Vv]erif)' "the deferral reason names the certificate verification"
tap_is "$(grep -c 'status=sent' "$PFI_LOG")" "$sent_before" "no message was sent over the unpinned certificate"

rd -c "$C" probe tls "127.0.0.1:$SH_SUBMIT_PORT"
tap_check "probe tls exits 1 and names the fingerprint mismatch" \
    eval '[ "$RD_RC" -eq 1 ] && printf "%s" "$RD_OUT" | grep -Eq "^FAIL .* pin: .*is pinned .*fingerprint"'
[ "$RD_RC" -eq 1 ] || tap_diag "probe tls exit $RD_RC: $(printf '%s' "$RD_OUT" | tail -n 3)"

tap_done
