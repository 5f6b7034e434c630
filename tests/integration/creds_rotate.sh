#!/bin/bash
# creds_rotate.sh - creds rotate tests the new password against the lab
# smart host (tests/lib/smarthost.sh) before applying it: a wrong one is
# refused with the server's 535 reply and sasl_passwd (and its .db) stay
# byte for byte the same; the right one is applied; --no-test skips the
# test; a sender-keyed entry is rotated with a note.  No secret in any
# output.  Needs root; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 14

sh_start_checked "$RD_TMP/lab"
sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
P=$C/sasl_passwd
KEY="[127.0.0.1]:$SH_SUBMIT_PORT"
RIGHT=$(cat "$SH_PASS_FILE")
OLD="Old-pass-$$"
WRONG="Wr0ng:pass-$$"
# The probe trusts what the target's Postfix trusts.
postconf -c "$C" -e "smtp_tls_CAfile = $SH_CA"

# rd_in SECRET ARGS... - relaydeck with SECRET on stdin.
rd_in() {
	local input=$1
	shift
	RD_RC=0
	RD_OUT=$(printf '%s\n' "$input" | rdx "$@" 2>"$RD_TMP/.err") || RD_RC=$?
	RD_ERR=$(cat "$RD_TMP/.err")
}
sums() { sha256sum "$P" "$P.db" 2>/dev/null; }
no_secret() {
	case "$RD_OUT$RD_ERR" in
	*"$OLD"* | *"$WRONG"* | *"$RIGHT"*) return 1 ;;
	esac
	return 0
}

rd_in "$OLD" -c "$C" creds add "$KEY" --user "$SH_USER" --yes
tap_is "$RD_RC" 0 "creds add $KEY exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
before=$(sums)

rd_in "$WRONG" -c "$C" creds rotate "$KEY" --yes
tap_is "$RD_RC" 1 "rotate with a wrong password: exit 1"
tap_like "$RD_ERR" "not accepted: .*535 5\\.7\\.8" "the error carries the server's 535 reply"
tap_is "$(sums)" "$before" "sasl_passwd and its .db are unchanged"
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$P")" "$SH_USER:$OLD" "postmap -q still sees the old password"
tap_check "no secret in the output of the refused rotation" no_secret

rd_in "$RIGHT" -c "$C" creds rotate "$KEY" --yes
tap_is "$RD_RC" 0 "rotate with the right password: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_ERR" "AUTH accepted with the new password" "the test passed before applying"
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$P")" "$SH_USER:$RIGHT" "postmap -q sees the new password"
tap_check "no secret in the output of the applied rotation" no_secret

rd_in "$OLD" -c "$C" creds rotate "$KEY" --no-test --yes
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$P")" "$SH_USER:$OLD" \
    "--no-test applies without asking the server"

rd_in "$OLD" -c "$C" creds add '@example.org' --user apikey --yes
rd_in "$RIGHT" -c "$C" creds rotate '@example.org' --yes
tap_is "$RD_RC" 0 "a sender-keyed entry rotates without a test"
tap_like "$RD_ERR" "not tested: @example.org is keyed by sender" "and says why it was not tested"
tap_done
