#!/bin/bash
# probe_trust.sh - the console sends a password only over a trusted
# certificate, and draws a peer's control characters as visible escapes.
# On the Probe screen (what the Setup wizard's "test the connection"
# opens), a probe of the lab smart host's untrusted-CA port with the
# target's sasl_passwd credential holds the password back and a dialog
# names the risk and the certificate: n leaves it unsent (the smart host's
# disconnect line shows no AUTH), y probes again and sends it (auth=1).
# On Credentials, rotating that entry asks the same; n, then n to "apply
# untested", leaves sasl_passwd as it was and nothing reached the server.
# A listener whose banner carries ESC ] 2;pwned BEL shows it as
# \x1b]2;pwned\x07 and the pane's title stays as it was.
# Skips when tmux is missing or when not root.
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
. "$here/../lib/rdtest.sh"
. "$here/../lib/postfix_instance.sh"
. "$here/../lib/smarthost.sh"

rd_require_root_postfix
sh_require
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$here/../lib/tui.sh"
rd_tmpdir
SOCK=relaydeck-trust-$$
DIR=$RD_TMP
cleanup() {
	tui_kill
	sh_stop
	rd_cleanup
}
trap cleanup EXIT

tap_plan 18

sh_start_checked "$RD_TMP/lab"

sh "$top_srcdir/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
postconf -c "$C" -e "smtp_tls_CAfile = $SH_CA"
KEY="[127.0.0.1]:$SH_UNTRUSTED_PORT"
"$RELAYDECK" --state-dir "$RD_TMP/sb/state" -c "$C" creds add "$KEY" \
    --user "$SH_USER" --password-file "$SH_PASS_FILE" --yes \
    >"$RD_TMP/creds.out" 2>&1 || tap_diag "creds add failed: $(cat "$RD_TMP/creds.out")"
sums() { sha256sum "$C/sasl_passwd" "$C/sasl_passwd.db"; }
fp=$(sh_fp_cert "$SH_DIR/untrusted.crt")
hport=$(pfi_free_port)
sh_smtp_listener "$hport" "$RD_TMP/received" --cert "$SH_DIR/untrusted.pem" \
    --key "$SH_DIR/untrusted.pem" --banner $'rec \e]2;pwned\a ESMTP'

# no_auth_since MARK NAME - the untrusted port's next disconnect line lists no AUTH.
no_auth_since() {
	line=$(sh_disconnect_after "$1" untrusted) || line=
	tap_like "$line" 'ehlo=2 starttls=1 quit=1 commands=4$' "$2"
}

TUI_COLS=160 TUI_ROWS=50 tui_start
tmux -L "$SOCK" select-pane -T relaydeck-test 2>/dev/null
wait_for "relaydeck - Dashboard" || tap_diag "console did not open"
keys 5
wait_for "Run the probe" || tap_diag "no Probe screen"
keys Enter
wait_for "Smart host, [host]:port" || tap_diag "no host field"
keys C-u
text "$KEY"
keys Enter
wait_for "Host[:port]  $KEY" || tap_diag "host not taken"

# --- the probe holds the password back and asks --------------------------
mark=$(sh_log_mark)
keys r
check_screen "an untrusted certificate opens the question" "Send the password to an untrusted server?"
check_screen "the question names the risk" "attacker in the path"
check_screen "the question names the certificate" "${fp:0:23}"
keys n
check_screen "n: the password was not sent" "the password was not sent"
check_screen "the result says why" "AUTH:        not sent: certificate not trusted (unable to get local issuer"
no_auth_since "$mark" "n: the smart host got no AUTH command"

mark=$(sh_log_mark)
keys r
wait_for "Send the password to an untrusted server?" || tap_diag "no question the second time"
# This probe's own disconnect line first (logged as smtpd sees the close).
sh_disconnect_after "$mark" untrusted >/dev/null
mark=$(sh_log_mark)
keys y
check_screen "y: the probe runs again and AUTH is accepted" "AUTH PLAIN: accepted"
check_screen "y: the result says the certificate was not trusted" \
    "AUTH:        sent to a server whose certificate is not trusted"
line=$(sh_disconnect_after "$mark" untrusted) || line=
tap_like "$line" ' auth=1 ' "y: the smart host logged the AUTH command"

# --- a peer's control characters are drawn as escapes ------------------------
keys Enter
wait_for "Smart host, [host]:port" || tap_diag "no host field"
keys C-u
text "[127.0.0.1]:$hport"
keys Enter
wait_for "Host[:port]  [127.0.0.1]:$hport" || tap_diag "host not taken"
keys r
check_screen "the banner's OSC sequence is drawn as text" 'banner 220 rec \x1b]2;pwned\x07 ESMTP'
tap_unlike "$(tmux -L "$SOCK" display -p '#{pane_title}')" pwned "the pane title was not changed"

# --- Credentials: rotate asks before sending the new password ---------------
before=$(sums)
mark=$(sh_log_mark)
keys 2
wait_for "Credentials" || tap_diag "no Credentials screen"
keys /
text "$SH_UNTRUSTED_PORT"
keys Enter
keys r
wait_for "New password for $KEY" || tap_diag "no password question"
text "New-pass-$$"
keys Enter
check_screen "rotate: an untrusted certificate opens the question" \
    "Send the password to an untrusted server?"
keys n
check_screen "rotate, n: asks whether to apply untested" "Apply it untested? y/n"
keys n
check_screen "rotate, n: nothing applied" "not applied: the password is unchanged"
tap_is "$(sums)" "$before" "rotate: sasl_passwd and its .db are unchanged"
no_auth_since "$mark" "rotate: the smart host got no AUTH command"

keys q
keys q
tui_quit_check
tap_done
