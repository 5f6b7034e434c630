# smarthost.sh - a lab smart host on loopback for the probe tests (source it
# after postfix_instance.sh; needs root, Postfix, sasl2-bin, openssl and
# python3).
#
# API:
#	sh_require		skip the test unless python3 and saslpasswd2 exist
#	sh_start_checked DIR	sh_start as a TAP check; ends the test on failure
#	sh_start DIR		make certificates and a sasldb in DIR, create and
#				start a second private Postfix instance (the smart
#				host) and the misbehaving listeners; returns 1 when
#				a step fails (details as "# " lines)
#	sh_stop			stop the listeners and the instance, remove the
#				instance's directory (DIR is the caller's);
#				safe to call twice or before sh_start
#	sh_renew_cert		new key and certificate for the good leaf (same
#				CA, same names), reload, and wait until the
#				submission port serves it
#	sh_log_has ERE		0 when the smart host's maillog matches ERE
#	sh_wait_log ERE [SECS]	wait until it does (default 10 s)
#	sh_fp_cert CERT		SHA-256 fingerprint of a certificate file, in
#				Postfix's form (uppercase hex, colons)
#	sh_fp_pubkey CERT	SHA-256 of the certificate's public key (DER
#				SubjectPublicKeyInfo), same form
#	sh_smtp_listener PORT RECORD [OPTION VALUE]...
#				start lab_listener.py smtp on 127.0.0.1:PORT (a
#				trap server that logs every line it receives to
#				RECORD; options as lab_listener.py documents);
#				waits until it listens; sh_stop stops it (needs
#				no sh_start: it logs to RECORD.log)
#	sh_log_mark		the smart host's maillog line count now (for
#				sh_disconnect_after)
#	sh_disconnect_after MARK SERVICE [SECS]
#				print the first "disconnect from" line of
#				SERVICE (untrusted, selfsigned, wrongname,
#				expired: the
#				ports' syslog names) logged after line MARK;
#				smtpd lists the commands it got there
#				("ehlo=2 starttls=1 auth=1 quit=1"); 1 when
#				none came within SECS (default 10)
#	sh_json EXPR		print a Python expression over the JSON on stdin
#				("d"); lists space-separated, booleans true/false
#	sh_failed_step		the first failed step of a probe's --json output
#
# Ports (all on 127.0.0.1, chosen free at start):
#	SH_SUBMIT_PORT		STARTTLS required (encrypt), AUTH PLAIN LOGIN
#				after TLS through Cyrus sasldb; relays only for
#				authenticated clients; good certificate
#	SH_IMPLICIT_PORT	TLS from the first byte (wrapper mode), AUTH,
#				good certificate
#	SH_PLAIN_PORT		no STARTTLS offered, no AUTH
#	SH_UNTRUSTED_PORT	STARTTLS, leaf signed by a second CA that is not
#				in SH_CA (syslog name postfix-smarthost/untrusted)
#	SH_SELFSIGNED_PORT	STARTTLS, a self-signed leaf for SH_NAME
#				(postfix-smarthost/selfsigned)
#	SH_WRONGNAME_PORT	STARTTLS, leaf for wrong.lab.test only
#				(postfix-smarthost/wrongname)
#	SH_EXPIRED_PORT		STARTTLS, leaf that expired in 2020
#				(postfix-smarthost/expired); these four offer
#				AUTH inside TLS with the same sasldb
#	SH_SILENT_PORT		accepts TCP and never speaks
#	SH_DROP_PORT		offers and accepts STARTTLS, then closes the
#				connection inside the TLS handshake
# Other variables:
#	SH_DIR			DIR (certificates, keys, the password file)
#	SH_ROOT, SH_CONF, SH_LOG the instance (as PFI_ROOT/PFI_CONF/PFI_LOG);
#				SH_CONF/sasl/smtpd.conf (Debian's smtpd reads
#				it there whatever cyrus_sasl_config_path says),
#				SH_ROOT/sasl/sasldb2 (owned by postfix)
#	SH_CA			the lab CA certificate (trust anchor)
#	SH_CA2			the untrusted second CA
#	SH_LEAF			the good leaf certificate (PEM; sh_renew_cert
#				replaces it)
#	SH_DIR/untrusted.pem, selfsigned.pem, wrongname.pem, expired.pem
#				key and certificate of each bad port (a
#				listener can present the same certificate)
#	SH_NAME			smarthost.test (the good leaf's DNS name; its IP
#				SAN is 127.0.0.1)
#	SH_USER, SH_PASS_FILE	the SASL user (user@lab.test) and a 0600 file
#				with its password, no newline
#	SH_DOMAIN		lab.test (the SASL realm)
# Mail the smart host accepts goes to the discard transport, so its log
# shows "sasl_username=" (smtpd) and "status=sent (lab smart host)".
#
# Usage:
#	. tests/lib/postfix_instance.sh; . tests/lib/smarthost.sh
#	trap 'sh_stop; rd_cleanup' EXIT
#	sh_start "$RD_TMP/lab" || ...
#
# The instance is made with postfix_instance.sh's pfi_create/pfi_start, so
# it has the same layout; its PFI_* values are kept in SH_* and swapped in
# around each pfi_* call, leaving PFI_* free for a managed instance.

SH_DIR=
SH_ROOT=
SH_CONF=
SH_LOG=
SH_CA=
SH_CA2=
SH_LEAF=
SH_NAME=smarthost.test
SH_DOMAIN=lab.test
SH_USER=
SH_PASS_FILE=
SH_SUBMIT_PORT=
SH_IMPLICIT_PORT=
SH_PLAIN_PORT=
SH_UNTRUSTED_PORT=
SH_SELFSIGNED_PORT=
SH_WRONGNAME_PORT=
SH_EXPIRED_PORT=
SH_SILENT_PORT=
SH_DROP_PORT=
_sh_pids=
_sh_libdir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
case $_sh_libdir in
*/tests/lib) ;;
*) _sh_libdir=${top_srcdir:-.}/tests/lib ;;
esac

# Run a postfix_instance.sh function on the smart host's instance.
_sh_as_pfi() {
	_sh_save="$PFI_ROOT|$PFI_CONF|$PFI_LOG|$PFI_PORT"
	PFI_ROOT=$SH_ROOT PFI_CONF=$SH_CONF PFI_LOG=$SH_LOG PFI_PORT=$SH_SUBMIT_PORT
	_sh_rc=0
	"$@" || _sh_rc=$?
	IFS='|' read -r PFI_ROOT PFI_CONF PFI_LOG PFI_PORT <<EOF
$_sh_save
EOF
	return $_sh_rc
}

# Set each named variable to a free port, all of them different.
_sh_ports() {
	_sh_taken=
	for _sh_var; do
		_sh_k=0
		while :; do
			_sh_p=$(pfi_free_port) || return 1
			case " $_sh_taken " in
			*" $_sh_p "*) ;;
			*) break ;;
			esac
			_sh_k=$((_sh_k + 1))
			[ $_sh_k -lt 50 ] || return 1
		done
		_sh_taken="$_sh_taken $_sh_p"
		eval "$_sh_var=\$_sh_p"
	done
}

# 0 when something listens on 127.0.0.1:PORT.
_sh_listening() {
	awk '$4 == "0A" {print $2}' /proc/net/tcp 2>/dev/null |
	    grep -q "^$(printf '0100007F:%04X' "$1")\$"
}

# Report a failed set-up step as TAP comments and fail.
_sh_fail() {
	echo "# smarthost: $*"
	[ -f "$SH_DIR/openssl.err" ] && sed 's/^/# openssl: /' "$SH_DIR/openssl.err" | tail -n 5
	return 1
}

# Write the openssl configuration used for every certificate of the lab.
_sh_write_cnf() {
	mkdir -p "$SH_DIR/ca/new" || return 1
	: >"$SH_DIR/ca/index.txt"
	echo 1000 >"$SH_DIR/ca/serial"
	cat >"$SH_DIR/lab.cnf" <<EOF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ good_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$SH_NAME, IP:127.0.0.1
[ wrong_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.lab.test
[ ca ]
default_ca = lab
[ lab ]
database = $SH_DIR/ca/index.txt
new_certs_dir = $SH_DIR/ca/new
serial = $SH_DIR/ca/serial
default_md = sha256
policy = any
unique_subject = no
x509_extensions = good_ext
[ any ]
commonName = supplied
EOF
}

# Make a self-signed CA: NAME CN.
_sh_make_ca() {
	openssl req -x509 -config "$SH_DIR/lab.cnf" -extensions ca_ext \
	    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$SH_DIR/$1.key" -out "$SH_DIR/$1.crt" -days 30 \
	    -subj "/CN=$2" 2>>"$SH_DIR/openssl.err"
}

# Make a leaf: NAME CA EXT CN KEYSPEC...; writes NAME.key, NAME.crt and
# NAME.pem (key, then certificate: Postfix's chain file form).
_sh_make_leaf() {
	_sh_n=$1 _sh_ca=$2 _sh_ext=$3 _sh_cn=$4
	shift 4
	(umask 077 && openssl genpkey "$@" -out "$SH_DIR/$_sh_n.key" 2>>"$SH_DIR/openssl.err") &&
	openssl req -new -config "$SH_DIR/lab.cnf" -key "$SH_DIR/$_sh_n.key" \
	    -subj "/CN=$_sh_cn" -out "$SH_DIR/$_sh_n.csr" 2>>"$SH_DIR/openssl.err" &&
	openssl x509 -req -in "$SH_DIR/$_sh_n.csr" -CA "$SH_DIR/$_sh_ca.crt" \
	    -CAkey "$SH_DIR/$_sh_ca.key" -set_serial "0x$(openssl rand -hex 8)" \
	    -days 30 -sha256 -extfile "$SH_DIR/lab.cnf" -extensions "$_sh_ext" \
	    -out "$SH_DIR/$_sh_n.crt" 2>>"$SH_DIR/openssl.err" &&
	(umask 077 && cat "$SH_DIR/$_sh_n.key" "$SH_DIR/$_sh_n.crt" >"$SH_DIR/$_sh_n.pem.new") &&
	mv -f "$SH_DIR/$_sh_n.pem.new" "$SH_DIR/$_sh_n.pem"
}

# A self-signed leaf for SH_NAME, with the good leaf's names and uses:
# only its issuer is wrong (it is its own).
_sh_make_selfsigned() {
	(umask 077 && openssl req -x509 -config "$SH_DIR/lab.cnf" -extensions good_ext \
	    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$SH_DIR/selfsigned.key" -out "$SH_DIR/selfsigned.crt" -days 30 \
	    -subj "/CN=$SH_NAME" 2>>"$SH_DIR/openssl.err" &&
	    cat "$SH_DIR/selfsigned.key" "$SH_DIR/selfsigned.crt" >"$SH_DIR/selfsigned.pem")
}

# The expired leaf: openssl 3.0's x509 -req cannot set past dates, ca can.
_sh_make_expired() {
	(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$SH_DIR/expired.key" 2>>"$SH_DIR/openssl.err") &&
	openssl req -new -config "$SH_DIR/lab.cnf" -key "$SH_DIR/expired.key" \
	    -subj "/CN=$SH_NAME" -out "$SH_DIR/expired.csr" 2>>"$SH_DIR/openssl.err" &&
	openssl ca -batch -notext -config "$SH_DIR/lab.cnf" -cert "$SH_DIR/ca.crt" \
	    -keyfile "$SH_DIR/ca.key" -in "$SH_DIR/expired.csr" \
	    -startdate 20200101000000Z -enddate 20200201000000Z \
	    -out "$SH_DIR/expired.crt" >/dev/null 2>>"$SH_DIR/openssl.err" &&
	(umask 077 && cat "$SH_DIR/expired.key" "$SH_DIR/expired.crt" >"$SH_DIR/expired.pem")
}

# The Cyrus configuration and the sasldb the smart host's smtpd reads.
_sh_make_sasl() {
	mkdir -p "$SH_ROOT/sasl" "$SH_CONF/sasl" || return 1
	cat >"$SH_CONF/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $SH_ROOT/sasl/sasldb2
mech_list: PLAIN LOGIN
EOF
	SH_USER=user@$SH_DOMAIN
	SH_PASS_FILE=$SH_DIR/password
	(umask 077 && printf 'lab-%s' "$(openssl rand -hex 10)" >"$SH_PASS_FILE") || return 1
	saslpasswd2 -p -c -f "$SH_ROOT/sasl/sasldb2" -u "$SH_DOMAIN" user <"$SH_PASS_FILE" ||
	    return 1
	# smtpd reads the sasldb as the postfix user (no chroot).
	chown postfix "$SH_ROOT/sasl/sasldb2" && chmod 600 "$SH_ROOT/sasl/sasldb2"
}

# Configure the created instance: main.cf and the extra listeners.
_sh_configure() {
	postconf -c "$SH_CONF" -e \
	    "myhostname = $SH_NAME" \
	    "syslog_name = postfix-smarthost" \
	    "relayhost =" "mydestination =" \
	    "default_transport = discard:lab smart host" \
	    "smtp_sasl_auth_enable = no" \
	    "smtpd_relay_restrictions = permit_sasl_authenticated, reject" \
	    "smtpd_recipient_restrictions =" \
	    "smtpd_tls_chain_files = $SH_DIR/good.pem" \
	    "smtpd_tls_security_level = may" \
	    "smtpd_tls_auth_only = yes" \
	    "smtpd_tls_loglevel = 1" \
	    "smtpd_sasl_type = cyrus" \
	    "smtpd_sasl_path = smtpd" \
	    "cyrus_sasl_config_path = $SH_CONF/sasl" \
	    "smtpd_sasl_security_options = noanonymous" || return 1
	_sh_m="127.0.0.1:$SH_SUBMIT_PORT/inet"
	postconf -c "$SH_CONF" -P \
	    "$_sh_m/smtpd_tls_security_level=encrypt" \
	    "$_sh_m/smtpd_sasl_auth_enable=yes" || return 1
	_sh_svc() {
		printf '127.0.0.1:%s inet n - n - - smtpd\n' "$1"
		shift
		for _sh_o; do printf '  -o %s\n' "$_sh_o"; done
	}
	{
		_sh_svc "$SH_IMPLICIT_PORT" smtpd_tls_wrappermode=yes \
		    smtpd_tls_security_level=encrypt smtpd_sasl_auth_enable=yes
		_sh_svc "$SH_PLAIN_PORT" smtpd_tls_security_level=none \
		    smtpd_sasl_auth_enable=no
		_sh_svc "$SH_UNTRUSTED_PORT" smtpd_tls_chain_files="$SH_DIR/untrusted.pem" \
		    smtpd_sasl_auth_enable=yes syslog_name=postfix-smarthost/untrusted
		_sh_svc "$SH_SELFSIGNED_PORT" smtpd_tls_chain_files="$SH_DIR/selfsigned.pem" \
		    smtpd_sasl_auth_enable=yes syslog_name=postfix-smarthost/selfsigned
		_sh_svc "$SH_WRONGNAME_PORT" smtpd_tls_chain_files="$SH_DIR/wrongname.pem" \
		    smtpd_sasl_auth_enable=yes syslog_name=postfix-smarthost/wrongname
		_sh_svc "$SH_EXPIRED_PORT" smtpd_tls_chain_files="$SH_DIR/expired.pem" \
		    smtpd_sasl_auth_enable=yes syslog_name=postfix-smarthost/expired
	} >>"$SH_CONF/master.cf"
}

# Start a lab_listener.py MODE on PORT in the background.
_sh_listener() {
	python3 "$_sh_libdir/lab_listener.py" "$1" "$2" \
	    </dev/null >"$SH_DIR/listener-$1.log" 2>&1 &
	_sh_pids="$_sh_pids $!"
}

# Wait until every lab port listens (10 s at most).
_sh_wait_ports() {
	_sh_i=0
	while [ $_sh_i -lt 100 ]; do
		_sh_missing=
		for _sh_p in $SH_SUBMIT_PORT $SH_IMPLICIT_PORT $SH_PLAIN_PORT \
		    $SH_UNTRUSTED_PORT $SH_SELFSIGNED_PORT $SH_WRONGNAME_PORT $SH_EXPIRED_PORT \
		    $SH_SILENT_PORT $SH_DROP_PORT; do
			_sh_listening "$_sh_p" || _sh_missing="$_sh_missing $_sh_p"
		done
		[ -z "$_sh_missing" ] && return 0
		sleep 0.05
		_sh_i=$((_sh_i + 1))
	done
	_sh_fail "ports not listening after 10 s:$_sh_missing"
}

# Create and start the lab smart host in DIR.
sh_start() {
	[ -n "$1" ] || { echo "# usage: sh_start DIR"; return 1; }
	mkdir -p "$1" && chmod 755 "$1" || return 1
	SH_DIR=$(cd "$1" && pwd)
	: >"$SH_DIR/openssl.err"
	_sh_ports SH_SUBMIT_PORT SH_IMPLICIT_PORT SH_PLAIN_PORT SH_UNTRUSTED_PORT \
	    SH_SELFSIGNED_PORT SH_WRONGNAME_PORT SH_EXPIRED_PORT SH_SILENT_PORT SH_DROP_PORT ||
	    _sh_fail "no free ports" || return 1

	_sh_write_cnf || _sh_fail "cannot write $SH_DIR/lab.cnf" || return 1
	_sh_make_ca ca "relaydeck lab CA" && _sh_make_ca ca2 "relaydeck untrusted CA" ||
	    _sh_fail "cannot make the CAs" || return 1
	SH_CA=$SH_DIR/ca.crt
	SH_CA2=$SH_DIR/ca2.crt
	SH_LEAF=$SH_DIR/good.crt
	_sh_make_leaf good ca good_ext "$SH_NAME" -algorithm RSA -pkeyopt rsa_keygen_bits:2048 &&
	_sh_make_leaf untrusted ca2 good_ext "$SH_NAME" -algorithm EC -pkeyopt ec_paramgen_curve:P-256 &&
	_sh_make_leaf wrongname ca wrong_ext wrong.lab.test -algorithm EC -pkeyopt ec_paramgen_curve:P-256 &&
	_sh_make_selfsigned && _sh_make_expired || _sh_fail "cannot make the leaf certificates" || return 1
	_sh_save="$PFI_ROOT|$PFI_CONF|$PFI_LOG|$PFI_PORT"
	_sh_rc=0
	pfi_create "$SH_SUBMIT_PORT" || _sh_rc=1
	SH_ROOT=$PFI_ROOT SH_CONF=$PFI_CONF SH_LOG=$PFI_LOG
	IFS='|' read -r PFI_ROOT PFI_CONF PFI_LOG PFI_PORT <<EOF
$_sh_save
EOF
	[ $_sh_rc -eq 0 ] || _sh_fail "pfi_create failed" || return 1
	# The sasldb lives in the instance root, which the postfix user can
	# reach whatever the modes of DIR's parents; not in the config dir,
	# where postfix check warns about files root does not own.
	_sh_make_sasl || _sh_fail "cannot make the sasldb" || return 1
	_sh_configure || _sh_fail "cannot configure $SH_CONF" || return 1
	_sh_listener silent "$SH_SILENT_PORT"
	_sh_listener drop "$SH_DROP_PORT"
	_sh_as_pfi pfi_start || _sh_fail "the smart host did not start" || return 1
	_sh_wait_ports
}

# Stop the listeners and the smart host; remove its instance directory.
sh_stop() {
	# Every step tolerates failure: callers may run under set -e, and a
	# killed listener makes wait return 143.
	for _sh_p in $_sh_pids; do
		kill "$_sh_p" 2>/dev/null || true
		wait "$_sh_p" 2>/dev/null || true
	done
	_sh_pids=
	if [ -n "$SH_ROOT" ]; then
		_sh_as_pfi pfi_cleanup || true
		SH_ROOT=
	fi
	return 0
}

# 0 when the smart host's maillog matches the extended regexp.
sh_log_has() {
	[ -f "$SH_LOG" ] && grep -Eq -- "$1" "$SH_LOG"
}

# Wait up to SECS (default 10) until the smart host's maillog matches.
sh_wait_log() {
	_sh_as_pfi pfi_wait_log "$@"
}

# Postfix's fingerprint form: uppercase hex pairs joined by colons.
_sh_colons() {
	tr -d ' \n:' | tr 'a-f' 'A-F' | sed 's/../&:/g; s/:$//'
	echo
}

# SHA-256 fingerprint of a PEM certificate (what Postfix's "fingerprint"
# level and smtp_tls_fingerprint_cert_match compare).
sh_fp_cert() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^[^=]*=//' | _sh_colons
}

# SHA-256 of the certificate's DER public key (the "pkey" fingerprint).
sh_fp_pubkey() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 | sed 's/^.*= *//' | _sh_colons
}

# Fingerprint the submission port serves now (STARTTLS), or nothing.
_sh_served_fp() {
	openssl s_client -starttls smtp -connect "127.0.0.1:$SH_SUBMIT_PORT" \
	    </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null |
	    sed 's/^[^=]*=//' | _sh_colons
}

# Replace the good leaf (new key), reload, wait until it is served.
sh_renew_cert() {
	_sh_make_leaf good ca good_ext "$SH_NAME" -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ||
	    _sh_fail "cannot make the new leaf" || return 1
	_sh_want=$(sh_fp_cert "$SH_LEAF")
	postfix -c "$SH_CONF" reload >/dev/null 2>&1 || _sh_fail "reload failed" || return 1
	_sh_i=0
	while [ $_sh_i -lt 100 ]; do
		[ "$(_sh_served_fp)" = "$_sh_want" ] && return 0
		sleep 0.1
		_sh_i=$((_sh_i + 1))
	done
	_sh_fail "127.0.0.1:$SH_SUBMIT_PORT still serves the old certificate after 10 s"
}

# Start a recording SMTP listener (lab_listener.py smtp) and wait for it.
sh_smtp_listener() {
	_sh_lp=$1 _sh_rec=$2
	shift 2
	: >"$_sh_rec"
	python3 "$_sh_libdir/lab_listener.py" smtp "$_sh_lp" --record "$_sh_rec" "$@" \
	    </dev/null >"$_sh_rec.log" 2>&1 &
	_sh_pids="$_sh_pids $!"
	_sh_i=0
	while [ $_sh_i -lt 100 ]; do
		_sh_listening "$_sh_lp" && return 0
		sleep 0.05
		_sh_i=$((_sh_i + 1))
	done
	_sh_fail "the smtp listener on $_sh_lp did not start: $(cat "$_sh_rec.log")"
}

# The smart host's maillog length, in lines.
sh_log_mark() {
	if [ -f "$SH_LOG" ]; then wc -l <"$SH_LOG"; else echo 0; fi
}

# The first disconnect line of a bad port's smtpd after line MARK.
sh_disconnect_after() {
	_sh_i=0
	while [ $_sh_i -lt $(( ${3:-10} * 10 )) ]; do
		_sh_l=$(tail -n +"$(( $1 + 1 ))" "$SH_LOG" 2>/dev/null |
		    grep -m1 "postfix-smarthost/$2/smtpd\[[0-9]*\]: disconnect from ")
		if [ -n "$_sh_l" ]; then
			printf '%s\n' "$_sh_l"
			return 0
		fi
		sleep 0.1
		_sh_i=$((_sh_i + 1))
	done
	return 1
}

# Print the value of a Python expression over the JSON document on stdin
# ("d"); lists print space-separated, None and errors print nothing.
sh_json() {
	python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
    v = eval(sys.argv[1])
except Exception:
    sys.exit(1)
if isinstance(v, (list, tuple)):
    print(" ".join(str(x) for x in v))
elif isinstance(v, bool):
    print("true" if v else "false")
elif v is not None:
    print(v)
' "$1"
}

# Name of the first failed step in a probe's JSON on stdin.
sh_failed_step() {
	sh_json '[s["name"] for s in d["steps"] if not s["ok"]][0]'
}

# sh_require - skip the whole test unless the lab's tools are here.
sh_require() {
	command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
	command -v saslpasswd2 >/dev/null 2>&1 || tap_skip_all "saslpasswd2 is not installed (sasl2-bin)"
}

# sh_start_checked DIR - sh_start as the test's first TAP check; without
# a lab nothing else can run, so a failure ends the test there.
sh_start_checked() {
	if sh_start "$1"; then
		tap_ok "lab smart host started"
	else
		tap_not_ok "lab smart host started"
		tap_done
	fi
}
