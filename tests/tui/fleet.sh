#!/bin/bash
# fleet.sh - the Fleet screen at 80x24 on 50 hosts: 10 real sshd servers,
# each in front of its own Postfix sandbox (SetEnv MAIL_CONFIG), named
# five times each in the inventory (50 connections), and one host that is
# down. The screen reads every host in the background (progress, then
# "read in"), sorts (state: the down host first), filters (the five hosts
# of one server, whose main.cf differs from the others': drift 1), opens
# one host in Relay settings (its own relayhost), goes back with q and
# with F, and quits with 0.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
lib=$top_srcdir/tests/lib
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"
. "$lib/fleet_hosts.sh"
. "$lib/tui.sh"

rd_require_root_postfix
command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
tap_plan 14
rd_tmpdir
tmp=$RD_TMP
DIR=$tmp
SOCK=relaydeck-fleet-$$
cleanup() {
	tui_kill
	fh_cleanup
	sshd_cleanup
	rd_cleanup
}
trap cleanup EXIT
unset SSH_AUTH_SOCK
export HOME=$tmp/home
mkdir -p -m 0700 "$HOME/.ssh"
fh_init
ok=1
for s in $(seq -f 's%02g' 1 10); do
	fh_start "$s" || ok=0
done
postconf -c "$tmp/sb-s03/etc" -e "smtp_tls_loglevel = 2" || ok=0
[ $ok = 1 ] || { tap_not_ok "10 sshd servers started"; tap_done; }
{
	fh_inventory
	for i in $(seq 1 49); do
		s=$(printf 's%02d' $(( (i - 1) % 10 + 1 )))
		# h02 has a name longer than the HOST column
		n=$(printf 'h%02d' "$i")
		[ "$i" = 2 ] && n=h02-relay.eu-west-1.example.net
		eval "printf '  %s: {host: 127.0.0.1, port: %s}\n' $n \$PORT_$s"
	done
	echo "  h50: {host: 127.0.0.1, port: $(_sshd_free_port)}"
} >"$tmp/inv.yml"

tmux -u -L "$SOCK" new-session -d -x 80 -y 24 \
	"cd '$tmp' && LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME='$HOME' TERM=screen \
	 RELAYDECK_THEMES_DIR='$top_srcdir/themes' XDG_CONFIG_HOME='$tmp/xdg' \
	 '$RELAYDECK' --inventory '$tmp/inv.yml' -F none --connect-timeout 60 -g all \
	 2>'$tmp/stderr'; echo \$? >'$tmp/exit'; sleep 600"

check_screen "the Fleet screen opens on 50 hosts" "Fleet: 50 hosts"
TIMEOUT=300 wait_for "read in" || tap_diag "$(screen)"
check_screen "every host read: the round ends" "read in"
check_screen "a host's row: ok, its relayhost" "[smtp-s01.example]:587"
# a long name is cut with a visible "…" and the columns stay in line
r1=$(screen | grep '^  h01 ')
r2=$(screen | grep '^  h02-relay')
tap_like "$r2" "^  h02-relay\.eu-… [A-Za-z]" "a name longer than its column is cut with …"
col() { python3 -c 'import sys; print(sys.argv[1].find("[smtp-"))' "$1"; }
tap_is "$(col "$r2")" "$(col "$r1")" \
	"... and its relayhost starts in the same column as the other rows'" || tap_diag "$r1
$r2"
# sort by state: the host that is down comes first
for _ in 1; do keys s; done
wait_for "sort: state" || tap_diag "$(screen)"
first=$(screen | sed -n 3p)
tap_like "$first" "^  h50 +network" "sort: state puts the unreachable host first"
# filter: the five hosts of server s03, which differ from the rest
keys f
wait_for "Filter" || tap_diag "$(screen)"
text "smtp-s03"
keys Enter
check_screen "filter: 5 of 50 shown" "5 shown"
rows=$(screen | sed -n '3,7p')
tap_is "$(awk '{print $1}' <<<"$rows" | sort | tr '\n' ' ')" "h03 h13 h23 h33 h43 " "the five hosts of s03"
# every sandbox has its own paths and relayhost: drift counts them too;
# s03's hosts have one parameter more than the others
tap_like "$(screen | tr -d "\n")" "differs from most hosts: .*smtp_tls_loglevel" \
	"the selected host's detail names the parameter only its server sets"
# Enter: that host in Relay settings
keys Enter
check_screen "Enter opens the host in Relay settings" "Relay settings"
check_screen "... its own relayhost" "[smtp-s03.example]:587"
keys q
check_screen "q goes back to the fleet, the filter kept" "5 shown"
keys Enter
wait_for "Relay settings" || tap_diag "$(screen)"
keys F
check_screen "F goes back to the fleet too" "Fleet: 50 hosts"
keys q
tui_quit_check
tap_done
