#!/bin/bash
# term_escape.sh - text from a peer or a file never reaches the terminal
# raw.  A lab SMTP listener (tests/lib/lab_listener.py smtp) whose banner,
# EHLO name and AUTH line carry an OSC title sequence (ESC ] 2;pwned BEL),
# a raw C1 CSI byte (0x9b) and C1 as UTF-8 (U+009B), presenting a
# certificate made here with openssl whose subject and DNS SANs carry the
# same; then a sandbox whose generic map value, sasl_passwd user and
# main.cf value carry them.  The command line's stdout and stderr hold no
# ESC, BEL or 0x9b byte and decode as UTF-8 without control characters
# (LF and TAB aside), and show the visible escapes (\x1b, \x9b, \u009b);
# --json parses and carries \u001b and \u009b (a byte that is not UTF-8
# as U+FFFD).  On a pseudo-terminal whose locale is not UTF-8, no byte past
# 0x7f at all (a UTF-8 character's 0x9b is CSI there).  Needs root; skips
# otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 32

ESC=$'\e' BEL=$'\a' CSI=$'\x9b' C1=$'\xc2\x9b'
OSC="$ESC]2;pwned$BEL"

# clean NAME TEXT - TEXT has no ESC, BEL or 0x9b byte, and is UTF-8 with no
# control character but LF and TAB (C1 included).
clean() {
	if printf '%s' "$2" | python3 -c '
import sys, unicodedata
d = sys.stdin.buffer.read()
bad = [b for b in (b"\x1b", b"\x07", b"\x9b") if b in d]
try:
    t = d.decode("utf-8")
except UnicodeDecodeError as x:
    print("# not UTF-8: %s" % x); sys.exit(1)
ctl = sorted({hex(ord(c)) for c in t if unicodedata.category(c) == "Cc" and c not in "\n\t"})
if bad or ctl:
    print("# raw bytes %r, control characters %s" % (bad, ctl)); sys.exit(1)
'; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
	fi
}

# has NAME TEXT FIXED - TEXT contains the fixed string FIXED.
has() {
	case "$2" in
	*"$3"*) tap_ok "$1" ;;
	*) tap_not_ok "$1"; tap_diag "missing: $3"; tap_diag "in: $(printf '%s' "$2" | head -c 2000)" ;;
	esac
}

# --- a certificate whose subject and DNS SANs carry the sequences ---------
mkdir -p "$RD_TMP/cert"
printf '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = evil%s%s31m.test\nO = Org%s\n' \
    "$OSC" "$C1" "$ESC[31m" >"$RD_TMP/cert/c.cnf"
printf '[ext]\nsubjectAltName = DNS:a%s.test, DNS:b%s31m.test, DNS:c%s31m.test\n' \
    "$OSC" "$CSI" "$C1" >>"$RD_TMP/cert/c.cnf"
if openssl req -x509 -config "$RD_TMP/cert/c.cnf" -extensions ext -utf8 -newkey ec \
    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$RD_TMP/cert/k.pem" \
    -out "$RD_TMP/cert/c.pem" -days 2 2>"$RD_TMP/cert/err"; then
	tap_ok "openssl made the certificate"
else
	tap_not_ok "openssl made the certificate"
	tap_diag "$(cat "$RD_TMP/cert/err")"
fi
tap_check "the certificate's SANs hold the raw bytes (openssl x509 -text)" \
    grep -qF "DNS:a$OSC.test" <(openssl x509 -in "$RD_TMP/cert/c.pem" -noout -text)

# --- the peer: banner, EHLO name and AUTH line -------------------------------
port=$(pfi_free_port)
sh_smtp_listener "$port" "$RD_TMP/received" --cert "$RD_TMP/cert/c.pem" \
    --key "$RD_TMP/cert/k.pem" --banner "rec $OSC $CSI""31m $C1""31m ESMTP" \
    --ehlo-name "rec$OSC" --ehlo-auth "PLAIN LOGIN X$OSC"
tap_ok "hostile listener on $port"

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state

rd -c "$C" probe tls "127.0.0.1:$port" --ca-file "$RD_TMP/cert/c.pem"
clean "probe tls (text): stdout has no raw control byte" "$RD_OUT"
clean "probe tls (text): stderr has no raw control byte" "$RD_ERR"
has "probe tls (text): the banner shows \\x1b, \\x07, \\x9b and \\u009b" "$RD_OUT" \
    'banner 220 rec \x1b]2;pwned\x07 \x9b31m \u009b31m ESMTP'
has "probe tls (text): the AUTH line shows the escape" "$RD_OUT" \
    'AUTH offered: PLAIN LOGIN X\x1b]2;pwned\x07'
has "probe tls (text): the SANs show the escapes" "$RD_OUT" \
    'DNS:a\x1b]2;pwned\x07.test DNS:b\x9b31m.test DNS:c\u009b31m.test'
has "probe tls (text): the subject shows U+009B escaped" "$RD_OUT" '\u009b31m.test'
tap_like "$RD_OUT" '^certificate 0: .*CN=evil' "probe tls (text): the subject line is there"

rd -c "$C" --json probe tls "127.0.0.1:$port" --ca-file "$RD_TMP/cert/c.pem"
j=$RD_OUT
clean "probe tls --json: no raw control byte" "$j"
tap_is "$(printf '%s' "$j" | sh_json 'd["server"]')" 127.0.0.1 "probe tls --json parses"
has "probe tls --json: carries \\u001b and \\u0007" "$j" '220 rec \u001b]2;pwned\u0007'
has "probe tls --json: U+009B as \\u009b" "$j" '\u009b31m'
tap_is "$(printf '%s' "$j" | sh_json '[s["detail"] for s in d["steps"] if s["name"] == "banner"][0] == "220 rec \x1b]2;pwned\x07 \ufffd31m \x9b31m ESMTP"')" \
    true "probe tls --json: the banner decodes to what the peer sent (the raw 0x9b as U+FFFD)"
tap_is "$(printf '%s' "$j" | sh_json '"S: 250-rec\x1b]2;pwned\x07" in d["transcript"]')" true \
    "probe tls --json: the EHLO name is in the transcript, as sent"
tap_is "$(printf '%s' "$j" | sh_json '"DNS:a\x1b]2;pwned\x07.test" in d["tls"]["chain"][0]["sans"]')" \
    true "probe tls --json: the SAN decodes to what the certificate holds"

# --- files: a map value, a sasl_passwd user, a main.cf value -----------------
printf 'evil@x.test  a%sb%sc@y.test\n' "$OSC" "$C1" >>"$C/generic"
postmap -c "$C" "hash:$C/generic"
printf '[evil.test]:587 u%sser:pw-%s\n' "$ESC[2J" "$$" >>"$C/sasl_passwd"
postmap -c "$C" "hash:$C/sasl_passwd"
printf 'smtp_helo_name = h%s.test\n' "$OSC" >>"$C/main.cf"

rd -c "$C" map show smtp_generic_maps
clean "map show: no raw control byte" "$RD_OUT$RD_ERR"
has "map show: the value shows its escapes" "$RD_OUT" 'a\x1b]2;pwned\x07b\u009bc@y.test'
rd -c "$C" map query smtp_generic_maps evil@x.test
clean "map query: no raw control byte" "$RD_OUT$RD_ERR"
has "map query: the value shows its escapes" "$RD_OUT" 'a\x1b]2;pwned\x07b\u009bc@y.test'
rd -c "$C" map try evil@x.test
clean "map try: no raw control byte" "$RD_OUT$RD_ERR"
rd -c "$C" creds list
clean "creds list: no raw control byte" "$RD_OUT$RD_ERR"
has "creds list: the user shows its escape" "$RD_OUT" 'u\x1b[2Jser'
rd -c "$C" show smtp_helo_name
clean "show NAME: no raw control byte" "$RD_OUT$RD_ERR"
has "show NAME: the value shows its escapes" "$RD_OUT" 'h\x1b]2;pwned\x07.test'
rd -c "$C" --json show smtp_helo_name
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["parameters"][0]["value"] == "h\x1b]2;pwned\x07.test"')" true \
    "show --json: parses and carries the value's bytes (\\u001b)"

# --- a terminal whose locale is not UTF-8 ----------------------------------------
# It reads a UTF-8 character byte by byte: U+011B is c4 9b, and 0x9b is CSI
# to it.  On a pseudo-terminal under LC_ALL=C no byte past 0x7f arrives;
# the character shows as \u011b (in --json too, which stays JSON).
printf 'csi@x.test  a\xc4\x9b2J\xf0\x9f\x93\xa7@y.test\n' >>"$C/generic"
postmap -c "$C" "hash:$C/generic"

# rd_pty LOCALE ARGS... - relaydeck on a pseudo-terminal (stdout and
# stderr), its bytes in RD_OUT as they reached the terminal (CR LF as LF).
rd_pty() {
	local loc=$1
	shift
	RD_OUT=$(LC_ALL=$loc python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
' "$RELAYDECK" ${RELAYDECK_STATE_DIR:+--state-dir "$RELAYDECK_STATE_DIR"} "$@")
}

rd_pty C -c "$C" map query smtp_generic_maps csi@x.test
tap_check "LC_ALL=C terminal: no byte past 0x7f (map query)" \
    python3 -c 'import sys; d = sys.stdin.buffer.read(); sys.exit(1 if not d or max(d) > 0x7f else 0)' \
    <<<"$RD_OUT"
has "LC_ALL=C terminal: U+011B and U+1F4E7 show as \\u escapes" "$RD_OUT" \
    'a\u011b2J\ud83d\udce7@y.test'
rd_pty C.UTF-8 -c "$C" map query smtp_generic_maps csi@x.test
has "UTF-8 terminal: the characters as they are" "$RD_OUT" $'a\xc4\x9b2J\xf0\x9f\x93\xa7@y.test'
rd_pty C -c "$C" --json map query smtp_generic_maps csi@x.test
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["value"] == "a\u011b2J\U0001f4e7@y.test"')" true \
    "LC_ALL=C terminal, --json: still JSON, decodes to the value"
LC_ALL=C rd -c "$C" map query smtp_generic_maps csi@x.test
has "LC_ALL=C, a pipe: the bytes as they are (a program reads them)" "$RD_OUT" \
    $'a\xc4\x9b2J\xf0\x9f\x93\xa7@y.test'

tap_done
