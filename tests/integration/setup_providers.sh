#!/bin/bash
# setup_providers.sh - `relaydeck setup --yes` for every provider in the
# catalog on a fresh sandbox: Postfix's own `postfix check` accepts the
# result, `postconf -h relayhost` names the right next hop, implicit-TLS
# ports give smtp_tls_wrappermode = yes, credentials land 0600 in
# sasl_passwd (and never on stdout/stderr), --rewrite fills the generic
# map; re-running with the same answers changes nothing, and another port
# changes only relayhost.  Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

# id | extra arguments | expected relayhost | password needed
cases=(
	"office365||[smtp.office365.com]:587|1"
	"office365-connector|--host contoso-com.mail.protection.outlook.com|[contoso-com.mail.protection.outlook.com]:25|0"
	"gmail|--user someone@gmail.com|[smtp.gmail.com]:587|1"
	"google-workspace-relay||[smtp-relay.gmail.com]:587|0"
	"sendgrid||[smtp.sendgrid.net]:587|1"
	"ses|--region eu-central-1|[email-smtp.eu-central-1.amazonaws.com]:587|1"
	"mailgun|--region eu|[smtp.eu.mailgun.org]:587|1"
	"postmark||[smtp.postmarkapp.com]:587|1"
	"brevo||[smtp-relay.brevo.com]:587|1"
	"custom|--host 192.0.2.25 --port 2525|[192.0.2.25]:2525|0"
)
tap_plan $(( ${#cases[@]} * 3 + 31 ))

PASSWORD='Pa:ss w0rd-$(not)-a-real-one'

# fresh NAME - a new sandbox in $RD_TMP/NAME; sets S (config dir).
fresh() {
	"$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/$1" >/dev/null || return 1
	S=$RD_TMP/$1/etc
	export RELAYDECK_STATE_DIR=$RD_TMP/$1/state
}

# setup_run [ARGS...] - relaydeck -c $S setup --yes ARGS with the password on stdin.
setup_run() {
	RD_ERR_FILE=$RD_TMP/.err
	RD_RC=0
	RD_OUT=$(printf '%s\n' "$PASSWORD" | rdx -c "$S" setup --yes "$@" 2>"$RD_ERR_FILE") ||
	    RD_RC=$?
	RD_ERR=$(cat "$RD_ERR_FILE")
}

# check_ok - postfix check passes without a word on stderr.
check_ok() {
	local out
	out=$(postfix -c "$S" check 2>&1) && [ -z "$out" ]
}

for c in "${cases[@]}"; do
	IFS='|' read -r id extra want needs_pw <<<"$c"
	user=()
	case $id in
	office365|postmark|brevo|mailgun|ses) user=(--user "relay-user@example.net") ;;
	esac
	fresh "$id" || { tap_not_ok "sandbox for $id"; continue; }
	# shellcheck disable=SC2086
	setup_run --provider "$id" $extra "${user[@]}"
	tap_is "$RD_RC" 0 "setup --provider $id exits 0"
	[ "$RD_RC" -eq 0 ] || rd_diag
	tap_check "$id: postfix check accepts the result" check_ok
	tap_is "$(postconf -c "$S" -h relayhost)" "$want" "$id: relayhost is $want"
	if [ "$id" = office365 ]; then
		office_out=$RD_OUT
	fi
	if [ "$id" = sendgrid ]; then
		sendgrid_entry=$(postmap -c "$S" -q "[smtp.sendgrid.net]:587" "hash:$S/sasl_passwd")
	fi
	if [ "$id" = google-workspace-relay ]; then
		gw_auth=$(postconf -c "$S" -h smtp_sasl_auth_enable)
		gw_pw=$(grep -c 'smtp-relay.gmail.com' "$S/sasl_passwd" || true)
	fi
	if [ "$id" = gmail ]; then
		gmail_out="$RD_OUT$RD_ERR"
	fi
	: "$needs_pw"
done

# Office 365 prints the basic-auth retirement notice and the connector path.
tap_like "$office_out" "NOTICE.*retiring Basic authentication" "office365: the basic-auth retirement notice is printed"
tap_like "$office_out" "office365-connector" "office365: the notice offers the connector path"
# SendGrid's user name is literally apikey; the password round-trips with ':' and spaces.
tap_is "$sendgrid_entry" "apikey:$PASSWORD" "sendgrid: sasl_passwd maps the next hop to apikey:PASSWORD"
# The Workspace relay without --user relays by IP: AUTH off, no credentials written.
tap_is "$gw_auth" "no" "google-workspace-relay without --user: smtp_sasl_auth_enable = no"
tap_is "$gw_pw" "0" "google-workspace-relay without --user: no sasl_passwd entry"
tap_unlike "$gmail_out" "w0rd" "the password appears neither on stdout nor on stderr"

# Implicit TLS: Gmail 465 and SES 2465 give wrapper mode, encrypt.
fresh gmail465
setup_run --provider gmail --port 465 --user someone@gmail.com
tap_is "$RD_RC" 0 "setup gmail --port 465 exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(postconf -c "$S" -h smtp_tls_wrappermode)" "yes" "gmail 465: smtp_tls_wrappermode = yes"
tap_is "$(postconf -c "$S" -h smtp_tls_security_level)" "encrypt" "gmail 465: smtp_tls_security_level = encrypt"
tap_check "gmail 465: postfix check accepts the result" check_ok

fresh ses
setup_run --provider ses --region us-west-2 --port 2465 --user AKIAEXAMPLEEXAMPLE12 \
    --rewrite root@localhost=admin@example.com
tap_is "$RD_RC" 0 "setup ses --port 2465 --rewrite exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(postconf -c "$S" -h relayhost)" "[email-smtp.us-west-2.amazonaws.com]:2465" "ses 2465: relayhost"
tap_is "$(postconf -c "$S" -h smtp_tls_wrappermode)" "yes" "ses 2465: smtp_tls_wrappermode = yes"
tap_is "$(stat -c %a "$S/sasl_passwd")" "600" "sasl_passwd stays 0600"
tap_is "$(postmap -c "$S" -q root@localhost "hash:$S/generic")" "admin@example.com" \
    "--rewrite: postmap -q finds root@localhost -> admin@example.com in the generic map"
tap_is "$(postconf -c "$S" -h default_destination_rate_delay)" "1s" "ses: the sandbox rate (1/s) becomes default_destination_rate_delay = 1s"

# The same answers again: no change at all.
cp -p "$S/main.cf" "$RD_TMP/main.cf.1"
cp -p "$S/sasl_passwd" "$RD_TMP/sasl_passwd.1"
setup_run --provider ses --region us-west-2 --port 2465 --user AKIAEXAMPLEEXAMPLE12 \
    --rewrite root@localhost=admin@example.com
tap_is "$RD_RC" 0 "re-running setup with the same answers exits 0"
tap_like "$RD_OUT" "no changes" "re-running setup with the same answers says no changes"
tap_check "re-running leaves main.cf byte-identical" cmp -s "$S/main.cf" "$RD_TMP/main.cf.1"
tap_check "re-running leaves sasl_passwd byte-identical" cmp -s "$S/sasl_passwd" "$RD_TMP/sasl_passwd.1"

# Another implicit-TLS port: only relayhost changes in main.cf.
setup_run --provider ses --region us-west-2 --port 465 --user AKIAEXAMPLEEXAMPLE12
tap_is "$RD_RC" 0 "setup with another port exits 0"
changed=$(diff "$RD_TMP/main.cf.1" "$S/main.cf" | grep '^[<>]' | sed 's/^[<>] //' |
    sed 's/[ 	]*=.*//' | sort -u | tr '\n' ' ')
tap_is "$changed" "relayhost " "another port changes only relayhost in main.cf"
tap_check "postfix check accepts the new port" check_ok

# From implicit TLS back to STARTTLS: wrapper mode goes away.
setup_run --provider ses --region us-west-2 --port 587 --user AKIAEXAMPLEEXAMPLE12
tap_is "$(postconf -c "$S" -n smtp_tls_wrappermode)" "" "back to 587: smtp_tls_wrappermode is no longer set"

# Bad input: nothing written.
cp -p "$S/main.cf" "$RD_TMP/main.cf.2"
rd -c "$S" setup --yes --provider ses --region mars-north-1 --user AKIAEXAMPLEEXAMPLE12 --password-file /dev/null
tap_like "$RD_ERR" "unknown region 'mars-north-1'" "an unknown region is refused by name"
rd -c "$S" setup --yes --provider nosuch
tap_is "$RD_RC" 6 "an unknown provider exits 6"
rd -c "$S" setup --yes --provider gmail --user a@b.example --password secret
tap_is "$RD_RC" 2 "--password on the command line is refused (exit 2)"
rd -c "$S" setup --yes --provider gmail --user a@b.example --pass=Typ0Secr3t
tap_is "$RD_RC" 2 "a mistyped option is refused (exit 2)"
tap_like "$RD_ERR" "unknown argument '--pass'" "... by its name"
tap_unlike "$RD_OUT$RD_ERR" "Typ0Secr3t" "... and what followed its '=' (maybe a secret) is not printed"
tap_check "failed runs leave main.cf as it was" cmp -s "$S/main.cf" "$RD_TMP/main.cf.2"

tap_done
