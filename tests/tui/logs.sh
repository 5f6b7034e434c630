#!/bin/bash
# logs.sh - the Logs screen (7) at 80x24 on a generated maillog of 3,000
# messages written in the last hours (tests/lib/loggen.py, its truth
# beside it): the counts shown equal the truth, the sparkline of
# deliveries per hour is drawn, w cycles the window (the last hour shows
# fewer deliveries), r reads again, and a line that is not a log line is
# reported as unparsed. No root needed (a sandbox config directory whose
# maillog_file is the generated log).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
tui_init logs
tap_plan 11

# 3,000 messages at 0.5 a second (about 2.4 hours), made to end a minute ago
gen() {
	python3 "$top_srcdir/tests/lib/loggen.py" "$DIR/mail.log" "$DIR/truth.json" --messages 3000 \
	    --rate 0.5 --start "$1" --garbage 3 --seed 3
}
gen 1000000000
span=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["last"] - t["first"])' "$DIR/truth.json")
gen $(( $(date +%s) - span - 60 ))
postconf -c "$C" -e "maillog_file = $DIR/mail.log"
truth() { python3 -c 'import json,sys; print(format(json.load(open(sys.argv[1]))[sys.argv[2]], ","))' "$DIR/truth.json" "$1"; }

TUI_COLS=80 TUI_ROWS=24 tui_start
wait_for "Relay settings" || tap_diag "$(screen; cat "$DIR/stderr")"
keys 7
check_screen "the Logs screen opens on the last 24 hours" "Logs, last 24 hours"
check_screen "the summary arrives: delivered as the generator wrote" \
    "delivered $(truth delivered)  deferred $(truth deferred) ($(truth deferrals) tries)"
check_screen "received, bounced" "received $(truth received)"
check_screen "the unparsed lines are reported" "3 lines could not be parsed"
check_screen "the sparkline of deliveries per hour" "deliveries per hour, last 24 h"
if screen | grep -q '▁\|▂\|▃\|▄\|▅\|▆\|▇\|█\|[_.~=+*#-]|'; then
	tap_ok "the sparkline has bars"
else
	tap_not_ok "the sparkline has bars"
	tap_diag "$(screen)"
fi
all=$(screen | sed -n 's/.*delivered \([0-9,]*\)  deferred.*/\1/p')
keys w
check_screen "w: the last 7 days" "Logs, last 7 days"
keys w
check_screen "w again: the whole log" "Logs, the whole log"
keys w
check_screen "and again: the last hour" "Logs, last hour"
wait_for "delivered"
hour=$(screen | sed -n 's/.*delivered \([0-9,]*\)  deferred.*/\1/p')
if [ -n "$hour" ] && [ "${hour//,/}" -lt "${all//,/}" ]; then
	tap_ok "the last hour has fewer deliveries ($hour) than 24 hours ($all)"
else
	tap_not_ok "the last hour has fewer deliveries ($hour) than 24 hours ($all)"
	tap_diag "$(screen)"
fi
# leaving while a read runs stops it cleanly
keys w r q q q
tui_quit_check
tap_done
