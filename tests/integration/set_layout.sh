#!/bin/bash
# set_layout.sh - `set` + `apply` keep each main.cf line's own layout: an
# aligned relayhost with trailing blanks keeps its alignment and blanks; a
# continued list edited in the middle gets one new line in its own
# indentation, the comment between its lines stays, and the diff shows
# only that line. On a sandbox; needs root and Postfix.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 9

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state

# The admin's layout: relayhost aligned, two blanks after the value; a
# comment between the continuation lines of smtpd_relay_restrictions.
sed -i -e 's/^relayhost = \(.*\)$/relayhost            = \1  /' \
	-e 's/^\(\tpermit_mynetworks,\)$/\1\n\t# only our own clients below/' "$C/main.cf"
cp "$C/main.cf" "$RD_TMP/before"
grep -q '^relayhost            = ' "$C/main.cf" && grep -q '^	# only our own' "$C/main.cf" ||
	tap_diag "the sandbox main.cf changed shape; the checks below will say how"

rd -c "$C" set 'relayhost=[192.0.2.25]:2525'
rd -c "$C" apply --yes
tap_is "$RD_RC" 0 "relayhost edit applies"
tap_is "$(diff "$RD_TMP/before" "$C/main.cf" | grep -c '^[<>]')" 2 "... one line out, one line in"
tap_check "... the line keeps its alignment and trailing blanks" \
	grep -qx 'relayhost            = \[192\.0\.2\.25\]:2525  ' "$C/main.cf"
tap_is "$(postconf -c "$C" -h relayhost)" "[192.0.2.25]:2525" "... postconf reads the new value"

cp "$C/main.cf" "$RD_TMP/before"
rd -c "$C" set 'smtpd_relay_restrictions=permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination'
rd -c "$C" diff
tap_is "$(printf '%s\n' "$RD_OUT" | grep -E '^[-+]' | grep -vE '^(---|\+\+\+) ')" \
	"+	permit_sasl_authenticated," "the diff of a list edit is the one new line"
rd -c "$C" apply --yes
tap_is "$RD_RC" 0 "list edit applies"
tap_is "$(sed -n '/^smtpd_relay_restrictions =$/,/^	reject_unauth_destination$/p' "$C/main.cf")" \
	"smtpd_relay_restrictions =
	permit_mynetworks,
	permit_sasl_authenticated,
	# only our own clients below
	reject_unauth_destination" "... in the list's own indentation, the comment kept in place"
tap_is "$(diff "$RD_TMP/before" "$C/main.cf" | grep -c '^[<>]')" 1 "... and nothing else changed"
tap_is "$(postconf -c "$C" -h smtpd_relay_restrictions)" \
	"permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" \
	"... postconf reads the new value"

tap_done
