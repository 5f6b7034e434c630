#!/bin/bash
# probe_auth.sh - relaydeck probe auth against the lab smart host
# (tests/lib/smarthost.sh, Cyrus SASL with a sasldb): the right password
# from a file, from stdin and from the target's sasl_passwd; a wrong
# password (535 shown, the secret in no output); implicit TLS; a port
# without STARTTLS (no credentials sent in clear).  Needs root; skips
# otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 29

sh_start_checked "$RD_TMP/lab"

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
pass=$(cat "$SH_PASS_FILE")
wrong=wrong-$(openssl rand -hex 8)
(umask 077 && printf '%s' "$wrong" >"$RD_TMP/wrong")
dest="127.0.0.1:$SH_SUBMIT_PORT"

# Every form a secret could leak in: itself, base64 of PLAIN's
# "\0user\0secret" and of LOGIN's bare secret.
leak_forms() {
	printf '%s\n' "$1"
	printf '\0%s\0%s' "$SH_USER" "$1" | base64 -w0
	echo
	printf '%s' "$1" | base64 -w0
	echo
}

# 0 when no form of secret $1 appears in the last run's stdout or stderr.
no_leak() {
	while read -r form; do
		case "$RD_OUT$RD_ERR" in
		*"$form"*) tap_diag "found: $form"; return 1 ;;
		esac
	done <<EOF
$(leak_forms "$1")
EOF
	return 0
}

# --- the right password from a 0600 file ---------------------------------
rd -c "$C" --json probe auth "$dest" --ca-file "$SH_CA" --user "$SH_USER" --password-file "$SH_PASS_FILE"
tap_is "$RD_RC" 0 "good AUTH: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
j=$RD_OUT
tap_is "$(printf '%s' "$j" | sh_json 'd["auth"]["ok"]')" true "good AUTH: auth.ok is true"
tap_is "$(printf '%s' "$j" | sh_json 'sorted(d["auth"]["mechanisms"])')" "LOGIN PLAIN" \
    "good AUTH: mechanisms PLAIN and LOGIN (the sasldb's mech_list)"
tap_like "$(printf '%s' "$j" | sh_json 'd["auth"]["mechanism"]')" '^(PLAIN|LOGIN)$' \
    "good AUTH: a mechanism is reported"
tap_like "$(printf '%s' "$j" | sh_json 'd["auth"]["reply"]')" '^235' "good AUTH: reply 235"
tap_is "$(printf '%s' "$j" | sh_json '[s["name"] for s in d["steps"]][-1:] + [str(d["steps"][-1]["ok"])]')" \
    "auth True" "good AUTH: the last step is auth and it passed"
tap_check "good AUTH: the password appears nowhere in stdout or stderr" no_leak "$pass"
tap_like "$(printf '%s' "$j" | sh_json '" ".join(d["transcript"])')" 'AUTH' \
    "good AUTH: the transcript records the AUTH exchange"

# --- the password on stdin (--password-file -) ---------------------------------
RD_RC=0
RD_OUT=$(rdx -c "$C" probe auth "$dest" --ca-file "$SH_CA" --user "$SH_USER" \
    --password-file - <"$SH_PASS_FILE" 2>"$RD_TMP/err") || RD_RC=$?
RD_ERR=$(cat "$RD_TMP/err")
tap_is "$RD_RC" 0 "good AUTH, password on stdin: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_OUT" '235' "good AUTH, password on stdin: the text output shows 235"
tap_check "good AUTH, password on stdin: no leak in the text output" no_leak "$pass"

# --- the credential from the target's sasl_passwd ------------------------------
(umask 077 && printf '[127.0.0.1]:%s %s:%s\n' "$SH_SUBMIT_PORT" "$SH_USER" "$pass" >"$C/sasl_passwd")
postmap -c "$C" "hash:$C/sasl_passwd"
rd -c "$C" --json probe auth "$dest" --ca-file "$SH_CA"
tap_is "$RD_RC" 0 "AUTH with the credential from sasl_passwd: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["auth"]["ok"]')" true \
    "AUTH with the credential from sasl_passwd: auth.ok"
tap_check "AUTH with the credential from sasl_passwd: no leak" no_leak "$pass"

# --- wrong password ---------------------------------------------------------------
rd -c "$C" --json probe auth "$dest" --ca-file "$SH_CA" --user "$SH_USER" --password-file "$RD_TMP/wrong"
tap_is "$RD_RC" 1 "wrong password: exit 1"
j=$RD_OUT
tap_is "$(printf '%s' "$j" | sh_json 'd["auth"]["ok"]')" false "wrong password: auth.ok is false"
tap_like "$(printf '%s' "$j" | sh_json 'd["auth"]["reply"]')" '^535' "wrong password: the 535 reply is shown"
tap_is "$(printf '%s' "$j" | sh_failed_step)" auth "wrong password: the auth step fails"
tap_check "wrong password: the password is absent from stdout, stderr and the transcript" \
    no_leak "$wrong"
if sh_wait_log 'SASL (PLAIN|LOGIN) authentication failed' 10; then
	tap_ok "wrong password: the smart host logged the failed AUTH"
else
	tap_not_ok "wrong password: the smart host logged the failed AUTH"
fi
rd -c "$C" probe auth "$dest" --ca-file "$SH_CA" --user "$SH_USER" --password-file "$RD_TMP/wrong"
tap_like "$RD_OUT$RD_ERR" '535' "wrong password (text): 535 shown"
tap_check "wrong password (text): no leak" no_leak "$wrong"

# --- implicit TLS ----------------------------------------------------------------
rd -c "$C" --json probe auth "127.0.0.1:$SH_IMPLICIT_PORT" --tls implicit --ca-file "$SH_CA" \
    --user "$SH_USER" --password-file "$SH_PASS_FILE"
tap_is "$RD_RC" 0 "implicit TLS AUTH: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag

# --- no STARTTLS: the credential must not go out in clear ------------------------
rd -c "$C" --json probe auth "127.0.0.1:$SH_PLAIN_PORT" --ca-file "$SH_CA" \
    --user "$SH_USER" --password-file "$SH_PASS_FILE"
tap_is "$RD_RC" 1 "no STARTTLS: probe auth exits 1"
tap_unlike "$(printf '%s' "$RD_OUT" | sh_json '" ".join(d["transcript"])')" '^C: AUTH| C: AUTH' \
    "no STARTTLS: no AUTH command sent in clear"

rd -c "$C" probe auth "$dest" --user "$SH_USER" --pass=Typ0Secr3t
tap_is "$RD_RC" 2 "a mistyped option is refused (exit 2)"
tap_like "$RD_ERR" "unknown option --pass" "... by its name"
tap_unlike "$RD_OUT$RD_ERR" "Typ0Secr3t" "... and what followed its '=' (maybe a secret) is not printed"

tap_done
