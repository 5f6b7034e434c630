#!/bin/bash
# logs_postfix.sh - relaydeck logs summary on logs a real Postfix wrote: a
# managed private instance relays through the lab smart host
# (tests/lib/smarthost.sh) and the test sends, in this order: 3 good
# messages (sent over Verified TLS with SASL), 2 that the smart host
# answers "451 4.7.1" to and 1 it answers "421 4.7.0" to (deferred), 1 it
# answers "550 5.1.1" to (bounced; the bounce notice to the sender is a
# 4th delivery), 1 with a wrong SASL password (deferred, our SASL failure,
# the smart host's client SASL failure), 1 to a smart host whose
# certificate the relay cannot verify (deferred, a TLS failure). It also
# sends 1 message to the smart host without AUTH (rejected there). The
# counts of `logs summary --json` on both logs are checked against that.
# Needs root; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
command -v swaks >/dev/null 2>&1 || tap_skip_all "swaks is not installed"
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 34

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
set_password() {
	(umask 077 && printf '%s %s:%s\n' "$1" "$SH_USER" "$2" >"$C/sasl_passwd")
	postmap -c "$C" "hash:$C/sasl_passwd"
}
set_password "$relay" "$password"
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
# The smart host answers by recipient: a rate limit, a 421 and a 550.
cat >"$SH_CONF/rcpt_access" <<EOT
rate451@$SH_DOMAIN 451 4.7.1 Rate limit exceeded, try again in 17 seconds
rate421@$SH_DOMAIN 421 4.7.0 Too many messages from you, slow down
nouser@$SH_DOMAIN 550 5.1.1 No such user here
EOT
postconf -c "$SH_CONF" -e \
    "smtpd_relay_restrictions = check_recipient_access texthash:$SH_CONF/rcpt_access, permit_sasl_authenticated, reject"
postfix -c "$SH_CONF" reload >/dev/null 2>&1
if pfi_start; then
	tap_ok "managed instance runs on 127.0.0.1:$port"
else
	tap_not_ok "managed instance runs on 127.0.0.1:$port"
	tap_done
fi

n=0
# send TO - one message through the managed instance's sendmail.
send() {
	n=$((n + 1))
	printf 'Subject: logs test %s\nMessage-ID: <logs-%s-%s@example.net>\n\nbody\n' \
	    "$n" "$n" "$$" | sendmail -C "$C" -f sender@example.net "$1"
}
# settle ERE COUNT - wait until the maillog has COUNT lines matching ERE.
settle() {
	local i=0
	while [ "$(grep -Ec -- "$1" "$PFI_LOG" 2>/dev/null)" -lt "$2" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(grep -Ec -- "$1" "$PFI_LOG")" -ge "$2" ]
}

for i in 1 2 3; do send "rcpt$i@$SH_DOMAIN"; done
send "rate451@$SH_DOMAIN"
send "rate451@$SH_DOMAIN"
send "rate421@$SH_DOMAIN"
send "nouser@$SH_DOMAIN"
tap_check "3 sent, 3 deferred, 1 bounced and the bounce notice sent" \
    settle 'status=(sent|deferred|bounced)' 8
settle 'status=sent' 5 || true

set_password "$relay" "Wr0ng-$$"
postfix -c "$C" reload >/dev/null 2>&1
sleep 1
send "rcpt-wrongpw@$SH_DOMAIN"
tap_check "the wrong password defers" settle 'SASL authentication failed' 1

set_password "[127.0.0.1]:$SH_UNTRUSTED_PORT" "$password"
postconf -c "$C" -e "relayhost = [127.0.0.1]:$SH_UNTRUSTED_PORT" \
    "smtp_tls_security_level = verify"
postfix -c "$C" reload >/dev/null 2>&1
sleep 1
send "rcpt-tls@$SH_DOMAIN"
tap_check "the unverifiable certificate defers" settle 'status=deferred' 5

# A client without AUTH: the smart host rejects it.
swaks --server 127.0.0.1:$SH_PLAIN_PORT --from x@example.org --to "y@elsewhere.example" \
    --quit-after RCPT >/dev/null 2>&1
sh_wait_log 'NOQUEUE: reject: RCPT' 10 || true
sleep 1
if [ -n "${KEEP_LOGS:-}" ]; then
	cp "$PFI_LOG" "$KEEP_LOGS/relay.log"
	cp "$SH_LOG" "$KEEP_LOGS/smarthost.log"
fi

rd --json logs summary --file "$PFI_LOG"
tap_is "$RD_RC" 0 "logs summary --json: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
j=$RD_OUT
q() { printf '%s' "$j" | sh_json "$1"; }
tap_is "$(q 'd["received"]')" 10 "received: 9 sent by the test + the bounce notice"
tap_is "$(q 'd["delivered"]')" 4 "delivered: 3 + the bounce notice"
tap_is "$(q 'd["deferred"]')" 5 "deferred: 2x451 + 421 + SASL + TLS, each message once"
tap_is "$(q 'd["bounced"]')" 1 "bounced: the 550"
tap_is "$(q 'd["rejected"]')" 0 "rejected: none at the relay"
tap_is "$(q 'd["unparsed_lines"]')" 0 "every line of the real maillog parses"
tap_is "$(q 'd["sasl"]["ours_failed"]')" 1 "our SASL failures at the smart host: 1"
tap_is "$(q 'd["tls"]["failures"]')" 1 "TLS failures: 1"
tap_is "$(q 'd["tls"]["outbound"]["trusted"]+d["tls"]["outbound"]["verified"]')" \
    "$(grep -Ec '(Trusted|Verified) TLS connection established to' "$PFI_LOG")" \
    "Trusted/Verified TLS connections: as many as the maillog has"
tap_is "$(q 'd["tls"]["outbound"]["untrusted"]')" 1 "Untrusted TLS connections: the bad certificate"
tap_is "$(q 'str([r["name"] for r in d["relays"]])')" "['127.0.0.1']" \
    "one relay row for the smart host, by name"
tap_is "$(q '[r for r in d["relays"] if r["name"]=="127.0.0.1"][0]["delivered"]')" 4 \
    "the smart host's row: 4 delivered"
tap_like "$(q '" | ".join(r["reason"] for r in d["deferral_reasons"])')" \
    '451 4\.7\.1 <\*>: Recipient address rejected: Rate limit exceeded, try again in # seconds' \
    "the 451 reason, normalised"
tap_is "$(q '[r["count"] for r in d["deferral_reasons"] if "451" in r["reason"]][0]')" 2 \
    "the two 451 deferrals are one group"
tap_is "$(q '[r["delivered"] for r in d["domains"] if r["name"]=="lab.test"][0]')" 3 \
    "per recipient domain: lab.test 3 delivered"
tap_is "$(q '[r["deferred"] for r in d["senders"] if r["name"]=="sender@example.net"][0]')" \
    "$(grep -c 'status=deferred' "$PFI_LOG")" "per sender: every deferral line of sender@example.net"
tap_is "$(q 'd["deferrals"]')" "$(grep -c 'status=deferred' "$PFI_LOG")" \
    "deferrals: one per status=deferred line"
tap_is "$(q 'd["delays"]["delay"]["count"]')" 4 "delay percentiles over the 4 deliveries"

rd --json logs summary --file "$SH_LOG"
tap_is "$(q2() { printf '%s' "$RD_OUT" | sh_json "$1"; }; q2 'd["sasl"]["clients_failed"]')" 1 \
    "the smart host's log: 1 client SASL failure (the wrong password)"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["rejected"]')" 5 \
    "the smart host's log: 5 rejected RCPTs (2x451, 421, 550 and the client without AUTH)"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["inbound"]["anonymous"]')" \
    "$(grep -c 'Anonymous TLS connection established from' "$SH_LOG")" \
    "the smart host's log: every inbound TLS connection counted"

# --- trace ------------------------------------------------------------------
rd --json logs trace --file "$PFI_LOG" "<logs-7-$$@example.net>"
tap_is "$RD_RC" 0 "trace by Message-ID of the bounced message: exit 0"
t=$RD_OUT
tq() { printf '%s' "$t" | sh_json "$1"; }
tap_is "$(tq 'str(len(d["queue_ids"])) + " " + " ".join(str(q["notice"]) for q in d["queue_ids"])')" \
    "2 False True" "its queue ID and the bounce notice's own"
tap_is "$(tq '" ".join(r["status"] for r in d["recipients"])')" "bounced sent" \
    "nouser@ bounced, the notice to the sender sent"
notice=$(tq '[q["id"] for q in d["queue_ids"] if q["notice"]][0]')
first=$(tq 'd["queue_ids"][0]["id"]')
tap_is "$(tq '"\n".join(l["line"] for l in d["lines"])')" \
    "$(grep -E "\]: ($first|$notice): " "$PFI_LOG")" \
    "the lines of both queue IDs in the maillog's order (pickup to removed, the notice's own)"
tap_like "$(tq '",".join(l["line"].split(": ",1)[0].rsplit("/",1)[1].split("[")[0] for l in d["lines"])')" \
    '^pickup,cleanup,qmgr,smtp,.*bounce.*,qmgr,smtp,qmgr$' "every step of the message and its notice"
rd logs trace --file "$PFI_LOG" "$notice"
tap_like "$RD_OUT" "queue IDs: $notice" "trace by the notice's queue ID"
rd logs trace --file "$PFI_LOG" "<no-such-message@example.net>"
tap_is "$RD_RC" 6 "a Message-ID no line names: exit 6"
tap_done
