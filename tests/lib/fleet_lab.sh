# fleet_lab.sh - relays for the console's fleet tests whose smart host
# answers (source it after tap.sh, rdtest.sh, sshd.sh, fleet_hosts.sh,
# postfix_instance.sh and smarthost.sh, as root, with $tmp set): each
# relay is a fleet_hosts.sh sandbox behind its own sshd, relaying through
# one lab_listener.py smtp server on loopback (STARTTLS with a leaf of a
# lab CA valid 30 days, IP 127.0.0.1 in its names; AUTH accepted) with
# the CA as smtp_tls_CAfile and a credential for it in sasl_passwd, so a
# TLS and AUTH probe from any relay passes.
#
#	fl_start NAME...	the CA, leaf and listener, then each relay;
#				FL_PORT is the listener's port, FL_RECORD what
#				it was sent; 1 when a step fails
#	fl_inventory FILE NAME...
#				an inventory of those relays (group "relays")
#	fl_setup PLAN NAME...
#				a test's start: skip unless sshd and python3
#				are there, the TAP plan, $tmp (and DIR, HOME),
#				the relays NAME... with their smart host and
#				$tmp/inv.yml, all stopped and removed on exit
#	fl_begin TAG PLAN NAME...
#				a console test's start: fl_setup, and skip
#				unless tmux is there (SOCK for tui.sh)
#	fl_console GROUP	the console on GROUP of $tmp/inv.yml in a
#				detached tmux of 80x24 (stderr in $tmp/stderr,
#				exit status in $tmp/exit)

fl_start() {
	local h etc
	SH_DIR=$tmp/lab
	mkdir -p "$SH_DIR" || return 1
	_sh_write_cnf && _sh_make_ca ca "Fleet Lab CA" &&
	    _sh_make_leaf good ca good_ext 127.0.0.1 -algorithm EC \
		-pkeyopt ec_paramgen_curve:P-256 || return 1
	FL_PORT=$(_sshd_free_port)
	FL_RECORD=$tmp/lab/record
	sh_smtp_listener "$FL_PORT" "$FL_RECORD" --cert "$SH_DIR/good.crt" \
	    --key "$SH_DIR/good.key" || return 1
	for h in "$@"; do
		fh_start "$h" || return 1
		etc=$tmp/sb-$h/etc
		(umask 077 && printf '[127.0.0.1]:%s user@lab.test:secret-%s\n' "$FL_PORT" "$h" \
		    >"$etc/sasl_passwd") || return 1
		postmap -c "$etc" "hash:$etc/sasl_passwd" || return 1
		postconf -c "$etc" -e "relayhost = [127.0.0.1]:$FL_PORT" \
		    "smtp_tls_CAfile = $SH_DIR/ca.crt" "smtp_tls_security_level = secure" \
		    "smtp_sasl_auth_enable = yes" "smtp_sasl_password_maps = hash:$etc/sasl_passwd" \
		    "smtp_sasl_security_options = noanonymous" || return 1
	done
}

fl_inventory() {
	local file=$1 h
	shift
	{
		fh_inventory
		for h in "$@"; do fh_host_line "$h"; done
		echo "groups:"
		echo "  relays:"
		echo "    hosts: [$(echo "$@" | tr ' ' ',')]"
	} >"$file"
}

fl_cleanup() {
	! type tui_kill >/dev/null 2>&1 || tui_kill
	sh_stop
	fh_cleanup
	sshd_cleanup
	rd_cleanup
}

fl_setup() {
	local plan=$1
	shift
	rd_require_root_postfix
	command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
	command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
	tap_plan "$plan"
	rd_tmpdir
	tmp=$RD_TMP
	DIR=$tmp
	trap fl_cleanup EXIT
	unset SSH_AUTH_SOCK
	export HOME=$tmp/home
	mkdir -p -m 0700 "$HOME/.ssh"
	fh_init || { tap_not_ok "admin key"; tap_done; exit 1; }
	fl_start "$@" || { tap_not_ok "the relays and their smart host"; tap_done; exit 1; }
	fl_inventory "$tmp/inv.yml" "$@"
}

fl_begin() {
	local tag=$1
	shift
	command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
	SOCK=relaydeck-$tag-$$
	fl_setup "$@"
}

fl_console() {
	tmux -u -L "$SOCK" new-session -d -x 80 -y 24 \
		"cd '$tmp' && LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME='$HOME' TERM=screen \
		 RELAYDECK_THEMES_DIR='$top_srcdir/themes' XDG_CONFIG_HOME='$tmp/xdg' \
		 '$RELAYDECK' --inventory '$tmp/inv.yml' -F none --connect-timeout 60 -g $1 \
		 2>'$tmp/stderr'; echo \$? >'$tmp/exit'; sleep 600"
}
