#!/bin/sh
# layout.sh - the console at 80x24 and at 200x50 with long values: an SES
# relayhost of 40 characters, its credential, a table under a long
# directory, a staged edit, a backup. Every screen (Relay settings,
# Credentials, Maps, the table view, the wizard's panels, Probe, Changes,
# History) shows each whole value somewhere (a row cut with "…" leaves it
# to the detail pane), prose wraps (its last words
# are on screen) and no captured line is wider than the pane.
#
# Skips when tmux is missing or when not root (the sandbox).
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
tui_init layout
tap_plan 34
LONG='[email-smtp.us-east-1.amazonaws.com]:587'
STAGED='[email-smtp.eu-central-1.amazonaws.com]:2587'
TABLES=$C/tables-of-the-outbound-relay
mkdir -p "$TABLES"
cp "$C/generic" "$TABLES/generic"
postmap "hash:$TABLES/generic"
postconf -c "$C" -e "relayhost = $LONG" "smtp_generic_maps = hash:$TABLES/generic"
printf '%s AKIAIOSFODNN7EXAMPLE:not-a-real-secret\n' "$LONG" >>"$C/sasl_passwd"
postmap "hash:$C/sasl_passwd"
export RELAYDECK_STATE_DIR=$DIR/sb/state
# A backup for History, then an edit left staged for Changes.
"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$C" set smtp_tls_loglevel=2 >/dev/null &&
	"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$C" apply --yes >/dev/null 2>&1 || tap_diag "apply for History failed"
"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$C" set "relayhost=$STAGED" >/dev/null || tap_diag "set failed"

# seen NAME TEXT - TEXT is on screen (a fixed string, within one line).
seen() {
	check_screen "$COLS_ROWS $1" "$2"
}

for size in "80 24" "200 50"; do
	set -- $size
	COLS_ROWS="$1x$2:"
	TUI_SEEN=$DIR/seen-$1
	: >"$TUI_SEEN"
	tui_kill
	TUI_COLS=$1 TUI_ROWS=$2 tui_start
	wait_for "relaydeck - Dashboard" || tap_diag "no Dashboard"
	keys 1
	seen "the detail pane shows the whole value" "value: $LONG"
	seen "and the whole staged value" "staged: $STAGED"
	seen "help text wraps to its last words" "instead of looking up its MX records."
	keys 2
	seen "Credentials shows the whole key" "$LONG"
	seen "and the source table" "hash:$C/sasl_passwd"
	keys 3
	seen "Maps shows the whole table path" "hash:$TABLES/generic"
	keys Enter
	seen "the table view's title wraps, the path whole" "hash:$TABLES/generic"
	keys 4
	seen "the wizard's first panel shows the relayhost" "relayhost:             $LONG"
	keys Enter
	seen "the provider step's notes wrap to their last words" "another."
	keys Enter
	wait_for "Step 4 of 10: Region" || tap_diag "no region step"
	keys Enter
	wait_for "Step 5 of 10: Port" || tap_diag "no port step"
	keys Enter
	wait_for "User name (" || tap_diag "no user field"
	keys Enter
	wait_for "Empty: keep the current one" || tap_diag "no password field"
	keys Enter
	wait_for "Step 7 of 10: Sender rewriting" || tap_diag "no rewrite step"
	keys Enter
	seen "the limits note wraps to its last words" "delay."
	keys q
	wait_for "Leave?" && keys y
	keys 5
	seen "Probe shows the whole target" "Host[:port]  $LONG"
	seen "Probe's help wraps to its last words" "cancel or back"
	keys 1
	wait_for "relaydeck - Relay settings" || tap_diag "no Relay settings"
	keys c
	seen "Changes shows the staged value whole" "set relayhost = $STAGED"
	seen "and the diff line" "+relayhost = $STAGED"
	keys h
	seen "History shows the backup's files whole" "$C/main.cf"
	keys q q q q
	wait_for "Quit?" && keys y
	tui_quit_check
	wide=$(python3 -c '
import sys
w = int(sys.argv[1])
print(sum(1 for l in open(sys.argv[2], encoding="utf-8") if len(l.rstrip("\n")) > w))' "$1" "$TUI_SEEN")
	tap_is "$wide" 0 "$COLS_ROWS no captured line is wider than the pane"
done

tap_done
