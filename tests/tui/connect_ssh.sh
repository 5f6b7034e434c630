#!/bin/bash
# connect_ssh.sh - the console's connection to a remote host, in tmux:
#   an unknown host key: the console shows its SHA256 fingerprint and asks;
#   "n" leaves known_hosts untouched (exit 7), "y" records the key (ssh-keygen
#   -F finds it) and the console opens; a changed key is never offered.
#   an encrypted identity file: the console asks for its passphrase with the
#   echo off (the passphrase never shows), then logs in with it.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
lib=$top_srcdir/tests/lib
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"
. "$lib/tui.sh"

rd_require_root_postfix
command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
tap_plan 11
rd_tmpdir
tmp=$RD_TMP
DIR=$tmp
SOCK=relaydeck-connect-$$
cleanup() {
	tui_kill
	sshd_cleanup
	rd_cleanup
}
trap cleanup EXIT
unset SSH_AUTH_SOCK
export HOME=$tmp/home
mkdir -p -m 0700 "$HOME/.ssh"
"$lib/sandbox.sh" "$tmp/sb" >/dev/null
ssh-keygen -q -t ed25519 -N 'correct horse' -f "$tmp/enc_key"
sshd_start "MAIL_CONFIG=$tmp/sb/etc" || { tap_not_ok "sshd started"; tap_done; }
cat "$tmp/enc_key.pub" >>"$SSHD_DIR/authorized_keys"
H=root@127.0.0.1:$SSHD_PORT

# open ARGS... - the console in a fresh tmux pane at 80x24
open() {
	tui_kill
	rm -f "$tmp/exit"
	tmux -u -L "$SOCK" new-session -d -x 80 -y 24 \
		"cd '$tmp' && LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME='$HOME' TERM=screen \
		 RELAYDECK_THEMES_DIR='$top_srcdir/themes' XDG_CONFIG_HOME='$tmp/xdg' \
		 '$RELAYDECK' -F none --state-dir '$tmp/sb/state' $*; \
		 echo \$? >'$tmp/exit'; sleep 600"
}
exit_code() {
	local i=0
	while [ ! -s "$tmp/exit" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
	cat "$tmp/exit" 2>/dev/null
}

# 1-3: an unknown key, refused
: >"$tmp/kh"
open -H "$H" --known-hosts "$tmp/kh" -i "$SSHD_KEY"
check_screen "an unknown host key: its fingerprint is shown" "$SSHD_FP"
check_screen "... and the console asks" "Accept this key"
keys n Enter
tap_is "$(exit_code):$(wc -c <"$tmp/kh")" "7:0" "n: exit 7, known_hosts untouched"

# 4-6: accepted
open -H "$H" --known-hosts "$tmp/kh" -i "$SSHD_KEY"
wait_for "Accept this key" || tap_diag "$(screen)"
keys y Enter
check_screen "y: the console opens on the host (its Dashboard)" "relaydeck - Dashboard"
tap_like "$(ssh-keygen -F "[127.0.0.1]:$SSHD_PORT" -f "$tmp/kh")" "$(tap_re_quote "$SSHD_HOSTKEY_PUB")" \
	"the key is recorded in known_hosts"
keys q
tap_is "$(exit_code)" 0 "q quits with 0"

# 7: a changed key is never offered
other=$(ssh-keygen -q -t ed25519 -N '' -f "$tmp/other" && cut -d' ' -f1,2 "$tmp/other.pub")
echo "[127.0.0.1]:$SSHD_PORT $other" >"$tmp/kh2"
open -H "$H" --known-hosts "$tmp/kh2" -i "$SSHD_KEY"
code=$(exit_code)
tap_like "$code:$(screen | tr -d '\n')" "^7:.*IDENTIFICATION HAS CHANGED" \
	"a changed key: refused at once (exit 7)"
tap_unlike "$(screen)" "Accept this key" "... and nothing is asked"

# 8-10: an encrypted key
open -H "$H" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$tmp/enc_key"
check_screen "an encrypted key: its passphrase is asked for" "Passphrase for $tmp/enc_key"
text "correct horse"
tap_unlike "$(screen)" "correct horse" "the passphrase is not echoed"
keys Enter
check_screen "the passphrase opens the key: the console opens" "relaydeck - Dashboard"
keys q
tap_done
