#!/bin/bash
# probe_tunnel.sh - with -H, probes, pin and creds rotate's test connect
# from the relay's own network position (a direct-tcpip channel its sshd
# opens), and read the CA the relay's main.cf names through SSH.
#
# The relay side is a real sshd in its own network namespace (reached
# over a veth pair) and its own mount namespace. The lab smart host
# (tests/lib/smarthost.sh) is made reachable only from inside that
# network namespace: tests/lib/ns_proxy.py listens on 127.0.0.1:PORT
# there, and on this side nothing listens on that port. The CA file and
# the hashed CA directory main.cf names are on a tmpfs mounted only in
# the server's mount namespace: they do not exist on this side.
#
# Proof the probe went through the tunnel: it succeeds without
# --from-here, the proxy inside the namespace logs the connection, and
# with --from-here the same probe fails to connect. Needs root, Postfix,
# openssh-server, `ip netns`; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"
. "$(dirname "$0")/../lib/sshd.sh"

rd_require_root_postfix
sh_require
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
command -v ip >/dev/null 2>&1 || tap_skip_all "iproute2 (ip) is not installed"
rd_tmpdir
NS=rdns$$
VA=rdva$$
VB=rdvb$$
proxy_pid=
cleanup() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
	sshd_cleanup
	ip link del "$VA" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	sh_stop
	rd_cleanup
}
trap cleanup EXIT
ip netns add "$NS" 2>/dev/null || tap_skip_all "cannot make a network namespace here"

tap_plan 33

# --- the relay side: a namespace with its own address, sshd inside --------------
a=$(( $$ % 250 ))
b=$(( ($$ / 250) % 60 * 4 ))
HERE_ADDR=10.213.$a.$((b + 1))
RELAY_ADDR=10.213.$a.$((b + 2))
ip link add "$VA" type veth peer name "$VB" &&
	ip link set "$VB" netns "$NS" &&
	ip addr add "$HERE_ADDR/30" dev "$VA" && ip link set "$VA" up &&
	ip netns exec "$NS" ip addr add "$RELAY_ADDR/30" dev "$VB" &&
	ip netns exec "$NS" ip link set "$VB" up &&
	ip netns exec "$NS" ip link set lo up
tap_is "$?" 0 "namespace $NS reached at $RELAY_ADDR over a veth pair"

sh_start_checked "$RD_TMP/lab"
sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
STATE=$RD_TMP/sb/state
P=$C/sasl_passwd
RIGHT=$(cat "$SH_PASS_FILE")

# The smart host, as seen from inside the namespace only.
TP=$(pfi_free_port)
python3 "$RD_LIB/ns_proxy.py" "$NS" "$TP" "$SH_SUBMIT_PORT" >"$RD_TMP/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 50); do grep -q listening "$RD_TMP/proxy.log" && break; sleep 0.1; done
tap_like "$(cat "$RD_TMP/proxy.log")" "^listening" "the smart host listens on 127.0.0.1:$TP inside $NS"
DEST=127.0.0.1:$TP
KEY="[127.0.0.1]:$TP"

# Files only the server side sees: a tmpfs in sshd's own mount namespace.
REMOTE=$RD_TMP/remote
mkdir -p "$REMOTE"
cat >"$RD_TMP/relayside.sh" <<EOF
#!/bin/sh
mount -t tmpfs -o mode=0755 relaydeck-test "$REMOTE" || exit 1
cp "$SH_CA" "$REMOTE/lab-ca.pem" && mkdir "$REMOTE/cadir" &&
    cp "$SH_CA" "$REMOTE/cadir/lab.pem" && openssl rehash "$REMOTE/cadir" || exit 1
exec "\$@"
EOF
chmod 755 "$RD_TMP/relayside.sh"
SSHD_NETNS=$NS SSHD_ADDR=$RELAY_ADDR \
    SSHD_WRAP="unshare -m --propagation private $RD_TMP/relayside.sh" sshd_start
tap_is "$?" 0 "sshd runs inside $NS on $RELAY_ADDR:$SSHD_PORT"
HOST="root@$RELAY_ADDR:$SSHD_PORT"
VIA=(-H "$HOST" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$SSHD_KEY" -c "$C" --state-dir "$STATE")
unset SSH_AUTH_SOCK

tap_check "the CA file main.cf will name does not exist on this side" \
    test ! -e "$REMOTE/lab-ca.pem"
postconf -c "$C" -e "smtp_tls_CAfile = $REMOTE/lab-ca.pem" "relayhost = $KEY"
(umask 077 && printf '%s %s:%s\n' "$KEY" "$SH_USER" "$RIGHT" >"$P")
postmap -c "$C" "hash:$P"

# rdv ARGS... - relaydeck against the relay (stdin from $RD_IN or /dev/null).
rdv() {
	RD_RC=0
	RD_OUT=$("$RELAYDECK" "${VIA[@]}" "$@" 2>"$RD_TMP/.err" <"${RD_IN:-/dev/null}") || RD_RC=$?
	RD_ERR=$(cat "$RD_TMP/.err")
}
json() { printf '%s' "$RD_OUT" | sh_json "$1"; }

# --- probe tls ------------------------------------------------------------------
rdv --json probe tls "$DEST"
tap_is "$RD_RC" 0 "probe tls $DEST through the relay: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(json 'd["from"]')" "$HOST" "--json says the connection started on $HOST"
tap_like "$(json '[s["detail"] for s in d["steps"] if s["name"]=="connect"][0]')" \
    "^127\\.0\\.0\\.1:$TP from $HOST \\(direct-tcpip\\)" "the connect step names the channel"
tap_like "$(json '[s["detail"] for s in d["steps"] if s["name"]=="verify"][0]')" \
    "chain verified against $REMOTE/lab-ca.pem" "the chain verifies against the relay's own CA file"
tap_like "$(grep -c '^accept' "$RD_TMP/proxy.log")" '^[1-9]' \
    "the connection arrived inside the relay's namespace"

rdv --json probe tls "$DEST" --from-here
tap_is "$RD_RC" 1 "--from-here: the same probe fails from this machine"
tap_is "$(json '[s["name"] for s in d["steps"] if not s["ok"]][0]')" "connect" \
    "--from-here: it is the connect step that fails"
tap_is "$(json 'str(d["from"])')" "None" "--from-here: no relay named as the start"

# --- the CA through the target: a hashed directory, a missing file --------------
postconf -c "$C" -X smtp_tls_CAfile
postconf -c "$C" -e "smtp_tls_CApath = $REMOTE/cadir"
rdv --json probe tls "$DEST"
tap_is "$RD_RC" 0 "smtp_tls_CApath on the relay: verified (exit 0)"
tap_like "$(json '[s["detail"] for s in d["steps"] if s["name"]=="verify"][0]')" \
    "chain verified against $REMOTE/cadir" "... against the relay's hashed CA directory"
postconf -c "$C" -X smtp_tls_CApath
postconf -c "$C" -e "smtp_tls_CAfile = $REMOTE/missing.pem"
rdv --json probe tls "$DEST"
tap_is "$RD_RC" 1 "a CA file missing on the relay: exit 1"
tap_like "$(json '[s["detail"] for s in d["steps"] if s["name"]=="handshake"][0]')" \
    "CA $REMOTE/missing\\.pem on $HOST: .*No such file" "the step names the file and the relay"
postconf -c "$C" -e "smtp_tls_CAfile = $REMOTE/lab-ca.pem"

# --- probe auth -------------------------------------------------------------------
mark=$(sh_log_mark)
rdv --json probe auth "$DEST"
tap_is "$RD_RC" 0 "probe auth through the relay with the relay's credential: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(json 'd["auth"]["ok"]')" "true" "AUTH accepted"
# smtpd's summary: auth=1 is an accepted AUTH (auth=0/1 a refused one)
auth_seen() {
	local i
	for i in $(seq 100); do
		tail -n +"$((mark + 1))" "$SH_LOG" | grep -q 'disconnect from .* auth=1 ' && return 0
		sleep 0.1
	done
	return 1
}
tap_check "the smart host logged the accepted AUTH" auth_seen
case "$RD_OUT$RD_ERR" in
*"$RIGHT"*) tap_not_ok "no password in the output" ;;
*) tap_ok "no password in the output" ;;
esac

# --- creds rotate: the test runs from the relay -----------------------------------
before=$(sha256sum "$P" "$P.db")
printf '%s\n' "$RIGHT" >"$RD_TMP/pw"
RD_IN=$RD_TMP/pw rdv creds rotate "$KEY" --from-here --yes
tap_is "$RD_RC" 1 "creds rotate --from-here: the test cannot reach the smart host (exit 1)"
tap_like "$RD_ERR" "not accepted: .*connect" "... and says the connect step failed"
tap_is "$(sha256sum "$P" "$P.db")" "$before" "... and sasl_passwd is unchanged"
RD_IN=$RD_TMP/pw rdv creds rotate "$KEY" --yes
tap_is "$RD_RC" 0 "creds rotate through the relay: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_ERR" "AUTH accepted with the new password" "the test passed from the relay"

# --- pin ----------------------------------------------------------------------------
leaf_fp=$(sh_fp_cert "$SH_LEAF")
rdv pin "$DEST" --mode fingerprint --yes
tap_is "$RD_RC" 0 "pin through the relay: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
maps=$(postconf -c "$C" -h smtp_tls_policy_maps)
tap_like "$(cat "${maps#*:}" 2>/dev/null)" "^\\[127\\.0\\.0\\.1\\]:$TP[[:space:]]+fingerprint.*match=$leaf_fp" \
    "the policy pins the certificate the relay sees"
rdv pin "$DEST" --mode fingerprint --from-here --yes
tap_like "$RD_RC" '^[1-9]' "pin --from-here: nothing to pin from this machine (exit $RD_RC)"
tap_like "$RD_ERR" "no TLS|connect" "... and it says why"

# --- errors over -H carry the host and a transport code -----------------------------
RELAYDECK_SAVE=("${VIA[@]}")
VIA=(-H "root@$RELAY_ADDR:1" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$SSHD_KEY" -c "$C")
rdv --json show
tap_is "$(json 'd["error"]["host"]+" "+d["error"]["code"]')" "root@$RELAY_ADDR:1 network" \
    "a refused SSH connection: --json error with host and code network"
: >"$RD_TMP/empty_known_hosts"
VIA=(-H "$HOST" --known-hosts "$RD_TMP/empty_known_hosts" -i "$SSHD_KEY" -c "$C")
rdv --json probe tls "$DEST"
tap_is "$(json 'd["error"]["host"]+" "+d["error"]["code"]')" "$HOST host-key-unknown" \
    "an unknown host key: --json error with host and code host-key-unknown"
ssh-keygen -q -t ed25519 -N '' -f "$RD_TMP/other_key"
VIA=(-H "$HOST" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$RD_TMP/other_key" -c "$C")
rdv --json probe tls "$DEST"
tap_is "$(json 'd["error"]["host"]+" "+d["error"]["code"]')" "$HOST auth" \
    "a key the relay does not accept: --json error with host and code auth"
VIA=("${RELAYDECK_SAVE[@]}")
tap_done
