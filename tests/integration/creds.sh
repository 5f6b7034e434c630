#!/bin/bash
# creds.sh - credentials on a sandbox: add, list, rotate, remove; files 0600
# root before and after; postmap -q sees each new value; the secret never
# appears in output or in any readable state file; audit finds a 0644
# sasl_passwd and --fix makes it 0600; bad input writes nothing.  Needs root
# and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 27

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
S=$RD_TMP/sb/state
export RELAYDECK_STATE_DIR=$S
P=$C/sasl_passwd
KEY='[192.0.2.25]:587'
SECRET1='Fir:st pass wörd-Q7'
SECRET2='Sec#ond:Zz9 rotated'

# rd_in INPUT CMD... - rd with INPUT on stdin.
rd_in() {
	local input=$1
	shift
	RD_RC=0
	RD_OUT=$(printf '%s\n' "$input" | rdx "$@" 2>"$RD_TMP/.err") || RD_RC=$?
	RD_ERR=$(cat "$RD_TMP/.err")
}

# perm FILE - "mode uid".
perm() { stat -c '%a %u' "$1"; }

# leaks SECRET - 0 when SECRET is in any state file others could read, or in
# the last output.
leaks() {
	printf '%s\n%s\n' "$RD_OUT" "$RD_ERR" | grep -qF -- "$1" && return 0
	local f
	while IFS= read -r -d '' f; do
		grep -qF -- "$1" "$f" && return 0
	done < <(find "$S" -type f ! -perm 600 -print0)
	return 1
}

# no_leak SECRET / lacks TEXT NEEDLE - negations for tap_check.
no_leak() { ! leaks "$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }

rd_in "$SECRET1" -c "$C" creds add "$KEY" --user alice@example.net --yes
tap_is "$RD_RC" 0 "creds add exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$P")" "alice@example.net:$SECRET1" \
    "postmap -q returns user:password with ':' , spaces and UTF-8 intact"
tap_is "$(perm "$P")" "600 0" "sasl_passwd is 0600 root after add"
tap_is "$(perm "$P.db")" "600 0" "sasl_passwd.db is 0600 root after add"
tap_check "the secret is not in output or readable state files" no_leak "$SECRET1"

rd -c "$C" creds list
tap_is "$RD_RC" 0 "creds list exits 0"
tap_check "list shows user and mask" grep -qF "alice@example.net:••••" <<<"$RD_OUT"
tap_check "list never shows the secret" lacks "$RD_OUT" "$SECRET1"
rd -c "$C" --json creds list
tap_check "creds list --json parses and masks" rd_json \
    "any(e['key']=='$KEY' and e['user']=='alice@example.net' and '••••' in e['masked'] for e in d['entries'])" <<<"$RD_OUT"

# 192.0.2.25 is never contacted: --no-test skips the AUTH test.
rd_in "$SECRET2" -c "$C" creds rotate "$KEY" --no-test --yes
tap_is "$RD_RC" 0 "creds rotate exits 0"
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$P")" "alice@example.net:$SECRET2" \
    "postmap -q sees the rotated password, same user"
tap_is "$(perm "$P")" "600 0" "sasl_passwd is 0600 root after rotate"
tap_check "neither secret leaks after rotate" no_leak "$SECRET2"
tap_check "old secret is in no readable state file" no_leak "$SECRET1"

# A password from a file: 0644 files are refused, 0600 accepted.
printf '%s\n' 'file-pass' >"$RD_TMP/pw"
chmod 644 "$RD_TMP/pw"
rd -c "$C" creds add '@example.org' --user apikey --password-file "$RD_TMP/pw" --yes
tap_is "$RD_RC" 3 "a group/world readable password file is refused (exit 3)"
chmod 600 "$RD_TMP/pw"
rd -c "$C" creds add '@example.org' --user apikey --password-file "$RD_TMP/pw" --yes
tap_is "$(postmap -c "$C" -q '@example.org' "hash:$P")" "apikey:file-pass" \
    "per-sender key from a 0600 password file"

# Bad input: nothing written.
cp -p "$P" "$RD_TMP/before"
rd_in 'ends-with-space ' -c "$C" creds add '[192.0.2.26]:587' --user bob --yes
tap_is "$RD_RC" 3 "a password ending in a space is refused (exit 3)"
rd_in '' -c "$C" creds add '[192.0.2.26]:587' --user bob --yes
tap_is "$RD_RC" 3 "an empty password is refused (exit 3)"
rd_in 'x' -c "$C" creds add 'bad key' --user bob --yes
tap_is "$RD_RC" 3 "a key with a space is refused (exit 3)"
rd -c "$C" creds add '[192.0.2.26]:587' --user bob --password 'argv-secret' --yes
tap_is "$RD_RC" 2 "--password on the command line is a usage error"
tap_check "sasl_passwd unchanged by the refused commands" cmp -s "$P" "$RD_TMP/before"

rd -c "$C" creds remove "$KEY" --yes
tap_is "$RD_RC" 0 "creds remove exits 0"
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$P"; echo "rc=$?")" "rc=1" \
    "postmap -q no longer finds the removed key"

# Audit: a 0644 table is reported, --fix makes source and .db 0600.
chmod 644 "$P" "$P.db"
rd -c "$C" creds audit
tap_is "$RD_RC" 1 "creds audit exits 1 when it finds a problem"
tap_check "audit names the readable file" grep -qF "$P:" <<<"$RD_OUT"
rd -c "$C" creds audit --fix --yes
tap_is "$(perm "$P") $(perm "$P.db")" "600 0 600 0" "audit --fix makes sasl_passwd and .db 0600 root"
rd -c "$C" creds audit
tap_is "$RD_RC" 0 "creds audit is clean after the fix"
tap_done
