#!/bin/bash
# probe_tls.sh - relaydeck probe tls against the lab smart host
# (tests/lib/smarthost.sh): good STARTTLS, implicit TLS, no STARTTLS,
# untrusted CA, wrong name, expired certificate, a silent listener and one
# that drops the connection inside the handshake.  Fingerprints must equal
# what openssl computes for the served certificate.  Needs root; skips
# otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
rd_tmpdir
trap 'sh_stop; rd_cleanup' EXIT

tap_plan 45

t0=$(date +%s%N)
if sh_start "$RD_TMP/lab"; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	tap_ok "lab smart host started in $ms ms"
else
	tap_not_ok "lab smart host started"
	tap_done
fi
# how fast it starts is the benchmark's business (bench/probe.sh), not a test's:
# a loaded CI machine took over 10 s
tap_check "the lab accepts connections on its submission port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$SH_SUBMIT_PORT"

# A sandbox target: probe reads the host's settings from it.
sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
leaf_fp=$(sh_fp_cert "$SH_LEAF")
leaf_pk=$(sh_fp_pubkey "$SH_LEAF")
crashes=

# Run probe tls with --json; remember runs that ended in a signal.
probe() {
	rd -c "$C" --json probe tls "$@"
	[ "$RD_RC" -gt 1 ] && crashes="$crashes [$* -> $RD_RC]"
	printf '%s' "$RD_ERR" | grep -q 'AddressSanitizer\|runtime error' &&
	    crashes="$crashes [$*: sanitizer]"
	return 0
}

# --- --ca-path: a hashed directory, read through the target ---------------------
mkdir -p "$RD_TMP/cadir" "$RD_TMP/cadir_plain"
cp "$SH_CA" "$RD_TMP/cadir/lab.pem" && openssl rehash "$RD_TMP/cadir"
cp "$SH_CA" "$RD_TMP/cadir_plain/lab.pem"
probe "127.0.0.1:$SH_SUBMIT_PORT" --ca-path "$RD_TMP/cadir"
tap_is "$RD_RC" 0 "--ca-path DIR with hash links (openssl rehash): verified, exit 0"
tap_like "$(printf '%s' "$RD_OUT" | sh_json '[s["detail"] for s in d["steps"] if s["name"]=="verify"][0]')" \
    "chain verified against $RD_TMP/cadir" "... against that directory"
probe "127.0.0.1:$SH_SUBMIT_PORT" --ca-path "$RD_TMP/cadir_plain"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["verified"]')" false \
    "--ca-path DIR without hash names: not verified (OpenSSL looks names up by hash)"

# --- good STARTTLS ---------------------------------------------------------
probe "127.0.0.1:$SH_SUBMIT_PORT" --ca-file "$SH_CA"
tap_is "$RD_RC" 0 "good STARTTLS: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
j=$RD_OUT
tap_is "$(printf '%s' "$j" | sh_json 'd["ok"]')" true "good STARTTLS: ok is true"
tap_is "$(printf '%s' "$j" | sh_json 'd["tls_mode"]')" starttls "good STARTTLS: tls_mode starttls"
# Over SSH (tests/lib/over_ssh.sh) the relay resolves the name: no resolve step.
steps="resolve connect banner ehlo starttls handshake verify hostname"
[ -n "${RD_SSH_HOST:-}" ] && steps="connect banner ehlo starttls handshake verify hostname ehlo-tls"
tap_is "$(printf '%s' "$j" | sh_json '[s["name"] for s in d["steps"] if s["ok"]][:8]')" \
    "$steps" "good STARTTLS: steps ${steps%% *}..${steps##* } all passed, in order"
tap_is "$(printf '%s' "$j" | sh_json 'd["tls"]["verified"]')" true "good STARTTLS: chain verified"
tap_is "$(printf '%s' "$j" | sh_json 'd["tls"]["hostname_match"]')" true "good STARTTLS: host name matches"
tap_is "$(printf '%s' "$j" | sh_json 'd["tls"]["fingerprints"]["cert_sha256"]')" "$leaf_fp" \
    "good STARTTLS: cert_sha256 equals openssl x509 -fingerprint -sha256"
tap_is "$(printf '%s' "$j" | sh_json 'd["tls"]["fingerprints"]["pubkey_sha256"]')" "$leaf_pk" \
    "good STARTTLS: pubkey_sha256 equals the openssl pkey | dgst pipeline"
tap_is "$(printf '%s' "$j" | sh_json 'd["tls"]["chain"][0]["subject"]')" "CN=$SH_NAME" \
    "good STARTTLS: leaf subject"
tap_is "$(printf '%s' "$j" | sh_json 'sorted(d["tls"]["chain"][0]["sans"])')" \
    "DNS:$SH_NAME IP:127.0.0.1" "good STARTTLS: leaf SANs"
tap_is "$(printf '%s' "$j" | sh_json '"%s %s" % (d["tls"]["chain"][0]["key_type"], d["tls"]["chain"][0]["key_bits"])')" \
    "RSA 2048" "good STARTTLS: key type and size"
tap_like "$(printf '%s' "$j" | sh_json 'd["tls"]["chain"][0]["days_left"]')" '^(29|30)$' \
    "good STARTTLS: days left of a 30-day certificate"
tap_like "$(printf '%s' "$j" | sh_json 'd["tls"]["protocol"]')" '^TLSv1\.[23]$' \
    "good STARTTLS: protocol reported"

rd -c "$C" probe tls "127.0.0.1:$SH_SUBMIT_PORT" --ca-file "$SH_CA" --servername "$SH_NAME"
tap_is "$RD_RC" 0 "good STARTTLS, --servername $SH_NAME (text): exit 0"
tap_like "$RD_OUT" "$leaf_fp" "text output prints the certificate fingerprint in Postfix's form"

sha1=$(openssl x509 -in "$SH_LEAF" -noout -fingerprint -sha1 | sed 's/^[^=]*=//')
probe "127.0.0.1:$SH_SUBMIT_PORT" --ca-file "$SH_CA" --digest sha1
tap_is "$(printf '%s' "$RD_OUT" | sh_json '"'"$sha1"'" in d["tls"]["fingerprints"].values()')" true \
    "--digest sha1: a fingerprint equals openssl x509 -fingerprint -sha1"

# --- implicit TLS ------------------------------------------------------------
probe "127.0.0.1:$SH_IMPLICIT_PORT" --tls implicit --ca-file "$SH_CA"
tap_is "$RD_RC" 0 "implicit TLS: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["tls_mode"]')" implicit "implicit TLS: tls_mode implicit"
tap_is "$(printf '%s' "$RD_OUT" | sh_json '"starttls" in [s["name"] for s in d["steps"]]')" false \
    "implicit TLS: no starttls step"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["fingerprints"]["cert_sha256"]')" "$leaf_fp" \
    "implicit TLS: same certificate fingerprint"

# --- no STARTTLS offered -------------------------------------------------------
probe "127.0.0.1:$SH_PLAIN_PORT" --ca-file "$SH_CA"
tap_is "$RD_RC" 1 "no STARTTLS: exit 1"
tap_is "$(printf '%s' "$RD_OUT" | sh_failed_step)" starttls "no STARTTLS: the starttls step fails"
tap_like "$(printf '%s' "$RD_OUT" | sh_json '[s["detail"] for s in d["steps"] if s["name"] == "starttls"][0]')" \
    '[Nn]ot offered|STARTTLS' "no STARTTLS: the reason says STARTTLS is not offered"

# --- untrusted CA ----------------------------------------------------------
probe "127.0.0.1:$SH_UNTRUSTED_PORT" --ca-file "$SH_CA"
tap_is "$RD_RC" 1 "untrusted CA: exit 1"
tap_is "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["verified"]')" false "untrusted CA: not verified"
tap_is "$(printf '%s' "$RD_OUT" | sh_failed_step)" verify "untrusted CA: the verify step fails"
tap_like "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["verify_error"]')" '[a-z]' \
    "untrusted CA: verify_error explains"
probe "127.0.0.1:$SH_UNTRUSTED_PORT" --ca-file "$SH_CA2"
tap_is "$RD_RC" 0 "untrusted CA: verifies once its CA is the --ca-file"

# --- wrong name --------------------------------------------------------------
probe "127.0.0.1:$SH_WRONGNAME_PORT" --ca-file "$SH_CA"
tap_is "$RD_RC" 1 "wrong name: exit 1"
tap_is "$(printf '%s' "$RD_OUT" | sh_json '"%s %s" % (d["tls"]["verified"], d["tls"]["hostname_match"])')" \
    "True False" "wrong name: chain verified, host name does not match"
tap_is "$(printf '%s' "$RD_OUT" | sh_failed_step)" hostname "wrong name: the hostname step fails"

# --- expired -----------------------------------------------------------------
probe "127.0.0.1:$SH_EXPIRED_PORT" --ca-file "$SH_CA"
tap_is "$RD_RC" 1 "expired: exit 1"
tap_like "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["verify_error"]')" '[Ee]xpired' \
    "expired: verify_error says expired"
tap_like "$(printf '%s' "$RD_OUT" | sh_json 'd["tls"]["chain"][0]["days_left"]')" '^-[0-9]+$' \
    "expired: days_left is negative"

# --- silent listener -------------------------------------------------------
t0=$(date +%s%N)
probe "127.0.0.1:$SH_SILENT_PORT" --timeout 2000
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
tap_is "$RD_RC" 1 "silent listener: exit 1"
tap_check "silent listener: verdict within 10 s with --timeout 2000 ($ms ms)" test "$ms" -lt 10000
tap_like "$(printf '%s' "$RD_OUT" | sh_failed_step) $(printf '%s' "$RD_OUT" |
    sh_json '[s["detail"] for s in d["steps"] if not s["ok"]][0]')" \
    '^banner .*(time|within|2000)' "silent listener: the banner step fails with a timeout"

# --- listener that drops the connection inside the handshake ----------------
t0=$(date +%s%N)
probe "127.0.0.1:$SH_DROP_PORT" --timeout 2000
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
tap_is "$RD_RC" 1 "dropping listener: exit 1 within $ms ms"
tap_is "$(printf '%s' "$RD_OUT" | sh_failed_step)" handshake "dropping listener: the handshake step fails"

tap_is "$crashes" "" "no probe ended in a signal or a sanitizer report"
tap_done
