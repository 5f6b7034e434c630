#!/bin/bash
# probe_untrusted.sh - the password goes only over a certificate Postfix
# would trust.  Against the lab smart host's untrusted-CA, self-signed,
# wrong-name and expired ports (tests/lib/smarthost.sh), `probe auth` and `creds rotate`
# hold it back and say "not sent: certificate not trusted (REASON)"; the
# server side proves it: smtpd's disconnect line for that very connection
# lists no auth= command, and a recording listener presenting the
# untrusted certificate receives no AUTH line and no form of the
# password.  --insecure-auth sends it (auth=1, the listener gets it), and
# a fingerprint pinned in smtp_tls_policy_maps is trusted without it.
# Needs root; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 53

sh_start_checked "$RD_TMP/lab"

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
# The target's Postfix trusts the lab CA, as a real one trusts the system store.
postconf -c "$C" -e "smtp_tls_CAfile = $SH_CA"
pass=$(cat "$SH_PASS_FILE")

# Every form the password could travel in: itself, base64 of PLAIN's
# "\0user\0secret" and of LOGIN's bare secret.
leak_forms() {
	printf '%s\n' "$1"
	printf '\0%s\0%s' "$SH_USER" "$1" | base64 -w0
	echo
	printf '%s' "$1" | base64 -w0
	echo
}

# 0 when no form of secret $1 appears in file $2.
no_form_in() {
	while read -r form; do
		if grep -qF -- "$form" "$2"; then
			tap_diag "found in $2: $form"
			return 1
		fi
	done <<EOF
$(leak_forms "$1")
EOF
	return 0
}

# auth_probe PORT [ARGS...] - probe auth --json with the lab credential.
auth_probe() {
	local port=$1
	shift
	rd -c "$C" --json probe auth "127.0.0.1:$port" --user "$SH_USER" \
	    --password-file "$SH_PASS_FILE" "$@"
}

# --- untrusted CA, self-signed, wrong name, expired: nothing sent, the server agrees
for case in "untrusted $SH_UNTRUSTED_PORT unable to get local issuer" \
    "selfsigned $SH_SELFSIGNED_PORT self-signed certificate" \
    "wrongname $SH_WRONGNAME_PORT does not match 127.0.0.1" \
    "expired $SH_EXPIRED_PORT certificate has expired"; do
	set -- $case
	svc=$1 port=$2
	shift 2
	why="$*"
	mark=$(sh_log_mark)
	auth_probe "$port"
	j=$RD_OUT
	tap_is "$RD_RC" 1 "$svc: probe auth exits 1"
	tap_is "$(printf '%s' "$j" | sh_json '[s["status"] for s in d["steps"] if s["name"] == "auth"][0]')" \
	    not_sent "$svc: the auth step's status is not_sent"
	tap_like "$(printf '%s' "$j" | sh_json 'd["auth"]["not_sent_reason"]')" \
	    "^certificate not trusted \(.*$why.*\)\$" "$svc: not_sent_reason names the reason ($why)"
	tap_is "$(printf '%s' "$j" | sh_json '"%s %s" % (d["auth"]["tried"], d["auth"]["not_sent"])')" \
	    "False True" "$svc: auth.tried false, auth.not_sent true"
	tap_unlike "$(printf '%s' "$j" | sh_json '"\n".join(d["transcript"])')" '^C: AUTH' \
	    "$svc: no AUTH line in the transcript"
	line=$(sh_disconnect_after "$mark" "$svc") || line=
	tap_like "$line" 'disconnect from .* ehlo=2 starttls=1 quit=1 commands=4$' \
	    "$svc: the smart host got EHLO, STARTTLS, EHLO, QUIT and no AUTH"
done

# The text output says it in words.
rd -c "$C" probe auth "127.0.0.1:$SH_EXPIRED_PORT" --user "$SH_USER" --password-file "$SH_PASS_FILE"
tap_like "$RD_OUT" 'SKIP +0 ms  auth: not sent: certificate not trusted \(certificate has expired\)' \
    "text: the auth step reads 'not sent: certificate not trusted (certificate has expired)'"
tap_like "$RD_OUT" '--insecure-auth sends it anyway' "text: names --insecure-auth"

# --- --insecure-auth: sent, and the server says so -------------------------------
mark=$(sh_log_mark)
auth_probe "$SH_EXPIRED_PORT" --insecure-auth
tap_is "$(printf '%s' "$RD_OUT" | sh_json '"%s %s" % (d["auth"]["ok"], d["auth"]["insecure"])')" \
    "True True" "--insecure-auth: AUTH accepted, flagged insecure"
tap_is "$RD_RC" 1 "--insecure-auth: still exit 1 (the chain does not verify)"
line=$(sh_disconnect_after "$mark" expired) || line=
tap_like "$line" ' auth=1 ' "--insecure-auth: the smart host logged the AUTH command"
rd -c "$C" probe tls "127.0.0.1:$SH_EXPIRED_PORT" --insecure-auth
tap_is "$RD_RC" 2 "--insecure-auth belongs to probe auth (usage error for probe tls)"

# --- a recording listener with the untrusted certificate --------------------
rport=$(pfi_free_port)
rec=$RD_TMP/received
sh_smtp_listener "$rport" "$rec" --cert "$SH_DIR/untrusted.pem" --key "$SH_DIR/untrusted.pem"
tap_ok "recording listener on $rport"
auth_probe "$rport"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["verified"]')" false \
    "listener: its certificate does not verify"
tap_is "$(cut -d' ' -f2- "$rec" | tr '\n' ' ')" "EHLO relaydeck.invalid STARTTLS EHLO relaydeck.invalid QUIT " \
    "listener: it received EHLO, STARTTLS, EHLO, QUIT and nothing else"
tap_check "listener: no form of the password reached it" no_form_in "$pass" "$rec"
: >"$rec"
auth_probe "$rport" --insecure-auth
tap_check "listener, --insecure-auth: it received AUTH PLAIN with the credential" \
    grep -qF ": AUTH PLAIN $(printf '\0%s\0%s' "$SH_USER" "$pass" | base64 -w0)" "$rec"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["auth"]["insecure"]')" true \
    "listener, --insecure-auth: the result says the certificate was not trusted"

# --- a pinned fingerprint is trusted, as Postfix trusts it -------------------
fp=$(sh_fp_cert "$SH_DIR/untrusted.crt")
printf '[127.0.0.1]:%s fingerprint match=%s\n' "$SH_UNTRUSTED_PORT" "$fp" >"$C/tls_policy"
postmap -c "$C" "hash:$C/tls_policy"
postconf -c "$C" -e "smtp_tls_policy_maps = hash:$C/tls_policy"
mark=$(sh_log_mark)
auth_probe "$SH_UNTRUSTED_PORT"
tap_is "$RD_RC" 0 "pinned: probe auth exits 0 (the pin replaces the chain check)"
tap_is "$(printf '%s' "$RD_OUT" | sh_json '"%s %s" % (d["auth"]["ok"], d["auth"]["insecure"])')" \
    "True False" "pinned: AUTH sent and accepted without --insecure-auth"
line=$(sh_disconnect_after "$mark" untrusted) || line=
tap_like "$line" ' auth=1 ' "pinned: the smart host logged the AUTH command"
printf '[127.0.0.1]:%s fingerprint match=%s\n' "$SH_UNTRUSTED_PORT" \
    "$(sh_fp_cert "$SH_LEAF")" >"$C/tls_policy"
postmap -c "$C" "hash:$C/tls_policy"
auth_probe "$SH_UNTRUSTED_PORT"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["auth"]["not_sent"]')" true \
    "pinned to another certificate: not sent"
postconf -c "$C" -X smtp_tls_policy_maps

# --- creds rotate tests the new password only over a trusted certificate ----
KEY="[127.0.0.1]:$SH_WRONGNAME_PORT"
P=$C/sasl_passwd
OLD="Old-pass-$$"
rd_in() {
	local input=$1
	shift
	RD_RC=0
	RD_OUT=$(printf '%s\n' "$input" | rdx "$@" 2>"$RD_TMP/.err") || RD_RC=$?
	RD_ERR=$(cat "$RD_TMP/.err")
}
rd_in "$OLD" -c "$C" creds add "$KEY" --user "$SH_USER" --yes
tap_is "$RD_RC" 0 "creds add $KEY"
before=$(sha256sum "$P" "$P.db")
mark=$(sh_log_mark)
rd_in "$pass" -c "$C" creds rotate "$KEY" --yes
tap_is "$RD_RC" 1 "rotate against the wrong-name port: exit 1"
tap_like "$RD_ERR" 'not tested: .*not sent: certificate not trusted \(does not match 127\.0\.0\.1\)' \
    "rotate: the error says the password was not sent and why"
tap_like "$RD_ERR" '--insecure-auth' "rotate: the error names --insecure-auth"
tap_is "$(sha256sum "$P" "$P.db")" "$before" "rotate: sasl_passwd and its .db are unchanged"
line=$(sh_disconnect_after "$mark" wrongname) || line=
tap_like "$line" 'starttls=1 quit=1 commands=4$' "rotate: the smart host got no AUTH"
case "$RD_OUT$RD_ERR" in
*"$pass"*) tap_not_ok "rotate: the password is in no output" ;;
*) tap_ok "rotate: the password is in no output" ;;
esac
mark=$(sh_log_mark)
rd_in "$pass" -c "$C" creds rotate "$KEY" --yes --insecure-auth
tap_is "$RD_RC" 0 "rotate --insecure-auth: AUTH accepted, applied"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_ERR" 'warning: the password went to a server whose certificate is not trusted' \
    "rotate --insecure-auth: warns that the certificate was not trusted"
line=$(sh_disconnect_after "$mark" wrongname) || line=
tap_like "$line" ' auth=1 ' "rotate --insecure-auth: the smart host logged the AUTH command"
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$P")" "$SH_USER:$pass" "rotate --insecure-auth: applied"
rd_in "$pass" -c "$C" creds add "[x]:587" --user u --insecure-auth --yes
tap_is "$RD_RC" 2 "--insecure-auth belongs to creds rotate (usage error for add)"

tap_done
