#!/bin/bash
# fleet_probe.sh - the Fleet screen's TLS and AUTH columns at 80x24 on
# three relays (real sshd servers, each in front of its own Postfix
# sandbox) whose smart host is a lab SMTP server with a certificate of 30
# days: r1 was probed before the console opened (`relaydeck -H r1 probe
# auth`: its record is in r1's state dir), so its row shows "ok 29d" (or
# 30d) and AUTH ok; r2 and r3 were never probed ("-"). The columns sort
# (tls: the probed host first) and filter. Marking r2 and pressing p
# probes from r2 in the background: its row then shows the verdicts, r3's
# stays "-", and r2's record says so on the command line too.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
lib=$top_srcdir/tests/lib
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"
. "$lib/fleet_hosts.sh"
. "$lib/postfix_instance.sh"
. "$lib/smarthost.sh"
. "$lib/fleet_lab.sh"
. "$lib/tui.sh"

fl_begin fleetprobe 14 r1 r2 r3

"$RELAYDECK" --inventory "$tmp/inv.yml" -F none -H r1 probe auth "[127.0.0.1]:$FL_PORT" \
	>"$tmp/probe.out" 2>&1
tap_is "$?" 0 "r1 probed from the command line (TLS trusted, AUTH accepted)"

fl_console relays

check_screen "the Fleet screen opens on 3 hosts" "Fleet: 3 hosts"
wait_for "read in" || tap_diag "$(screen)"
check_screen "the header names the TLS and AUTH columns" "TLS       AUTH"
row() { screen | grep -E "^[ *] $1 "; }
tap_like "$(row r1)" "ok (29|30)d +ok " "r1: TLS ok with the certificate's days left, AUTH ok"
tap_like "$(row r2)" "- +- " "r2, never probed: TLS - and AUTH -"
# sort: name, state, queue, deferred, drift, tls
keys s s s s s
check_screen "sort: tls" "sort: tls"
tap_like "$(screen | sed -n 3p)" "^  r1 " "sorted by TLS: the probed relay first"
keys f
wait_for "Filter" || tap_diag "$(screen)"
text "ok"
keys Enter
check_screen "filter on the TLS/AUTH columns: 1 of 3 shown" "1 shown"
keys f
wait_for "Filter" || tap_diag "$(screen)"
keys C-u Enter
wait_for "3 shown" || tap_diag "$(screen)"
# mark r2 (sorted by TLS: r1, then r2 and r3 by name) and probe it
keys j Space
wait_for "1 marked" || tap_diag "$(screen)"
tap_like "$(row r2)" "^\\* r2 " "Space marks r2"
keys p
check_screen "p probes the marked relay in the background" "probed 1 host"
tap_like "$(row r2)" "ok (29|30)d +ok " "r2 after the probe: TLS ok, days left, AUTH ok"
tap_like "$(row r3)" "- +- " "r3 (not marked) not probed"
"$RELAYDECK" --inventory "$tmp/inv.yml" -F none -H r2 --json health >"$tmp/h.json" 2>/dev/null
tap_is "$(python3 -c "
import json
d = json.load(open('$tmp/h.json'))
print(' '.join(i['name'] + '=' + i['level'] for i in d['items'] if i['name'] in ('tls', 'auth')))
" 2>&1)" "tls=ok auth=ok" "r2's probe record is kept on r2: its health --json says TLS and AUTH ok"
keys q
tui_quit_check
tap_done
