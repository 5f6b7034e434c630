# fleet_hosts.sh - many relays for fleet tests (source it after tap.sh,
# rdtest.sh and sshd.sh, as root, with $tmp set): each relay is a Postfix
# sandbox behind its own sshd on loopback, whose SetEnv MAIL_CONFIG points
# at the sandbox, so `relaydeck -H NAME` without -c manages that sandbox.
#
#	fh_init			the admin's key ($tmp/admin_key) and an empty
#				$tmp/known_hosts
#	fh_start NAME [noauth]	a sandbox $tmp/sb-NAME (relayhost
#				[smtp-NAME.example]:587) and its sshd; its key
#				goes to known_hosts; the admin key is
#				authorized unless "noauth". Sets PORT_NAME.
#	fh_inventory		relaydeck inventory header on stdout (vars:
#				user root, the admin key, known_hosts), then
#				"hosts:"; add "  NAME: {host: ..., port: ...}"
#				lines and groups after it
#	fh_host_line NAME	"  NAME: {host: 127.0.0.1, port: $PORT_NAME}"
#	fh_cleanup		remove the relays' state dirs (the remote
#				default under /var/lib/relaydeck, named after
#				each config dir)

fh_init() {
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/admin_key" </dev/null || return 1
	: >"$tmp/known_hosts"
}

fh_start() {
	local name=$1
	"$lib/sandbox.sh" "$tmp/sb-$name" >/dev/null || return 1
	postconf -c "$tmp/sb-$name/etc" -e "relayhost = [smtp-$name.example]:587" || return 1
	sshd_start "MAIL_CONFIG=$tmp/sb-$name/etc" || return 1
	[ "${2:-}" = noauth ] || cat "$tmp/admin_key.pub" >>"$SSHD_DIR/authorized_keys"
	cat "$SSHD_KNOWN_HOSTS" >>"$tmp/known_hosts"
	eval "PORT_${name//-/_}=$SSHD_PORT"
}

fh_inventory() {
	echo "vars:"
	echo "  user: root"
	echo "  identity_file: $tmp/admin_key"
	echo "  known_hosts: $tmp/known_hosts"
	echo "hosts:"
}

fh_host_line() {
	eval "echo \"  $1: {host: 127.0.0.1, port: \$PORT_${1//-/_}}\""
}

fh_cleanup() {
	[ -n "$tmp" ] && rm -rf /var/lib/relaydeck/*"$(basename "$tmp")"*
}
