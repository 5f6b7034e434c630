#!/bin/bash
# queue.sh - the Queue screen at 80x24 on a real queue of 10,000 deferred
# messages (tests/lib/queue_fill.sh): it loads, the search finds as it
# is typed, marks survive a refresh with the cursor on its message, hold
# and release change the real queue (postqueue -j), delete asks twice
# (no at the second question deletes nothing), a filter shows what
# postqueue -j says it should, the shape and reasons views draw, and a
# message opens with the escape sequence of its Subject drawn as \x1b.
#
# Skips when tmux is missing or when not root.
# Environment: RELAYDECK, top_srcdir, TUI_TIMEOUT (seconds per wait, default 30).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tui.sh"
. "$top_srcdir/tests/lib/postfix_instance.sh"
. "$top_srcdir/tests/lib/queue_fill.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
tui_init queue
trap 'tui_cleanup; qf_cleanup' EXIT
N=10000
tap_plan 23

qf_create && pfi_start && qf_fill $N || { tap_not_ok "queue of $N filled"; tap_done; }
C=$PFI_CONF
count_in() { postqueue -c "$C" -j | grep -c "\"queue_name\": \"$1\""; }
# the detail pane's first line: " ID  queue, age old, ..."
sel_id() { screen | sed -n 's/^ \([0-9A-Za-z]*\)  \(deferred\|hold\|active\), .*/\1/p' | head -n 1; }

TUI_COLS=80 TUI_ROWS=24 tui_start
wait_for "relaydeck - Dashboard" || tap_diag "$(screen)"
keys 6
check_screen "the queue loads: 10,000 deferred" "Queue  10,000 messages: deferred 10,000"
check_screen "... and is done (the filter line replaces the progress)" "filter: none  sort: age  shown: 10,000"

# search as you type: the cursor is on a match before Enter
keys /
text "mx3.dns"
check_screen "search field open" "search: mx3.dns_"
if screen | grep -q "@mx3.dns.example"; then
	tap_ok "the selected message has a recipient at mx3.dns.example (found while typing)"
else
	tap_not_ok "the selected message has a recipient at mx3.dns.example (found while typing)"
	tap_diag "$(screen)"
fi
keys Enter
wait_gone "search:"

# two marks, kept by a refresh with the cursor on its message
keys Space Space
check_screen "two marked" "marked: 2"
marked=$(screen | sed -n 's/^\* \([0-9A-Za-z]*\) .*/\1/p' | sort)
cur=$(sel_id)
read1=$(screen | sed -n 's/.* read \([0-9:]*\)$/\1/p' | head -n 1)
sleep 1.1
keys r
wait_gone "read $read1" || tap_diag "still: read $read1"
check_screen "refresh: read again, marks kept" "marked: 2"
tap_is "$(sel_id)" "$cur" "refresh: the cursor is on the same message"

# hold and release the marked messages: the real queue changes
keys h
check_screen "hold asks with the count" "Hold 2 marked messages"
keys y
check_screen "placed on hold" "placed on hold: 2"
wait_for "hold 2   [messages]" >/dev/null
tap_is "$(postqueue -c "$C" -j | python3 -c 'import json,sys
print(" ".join(sorted(d["queue_id"] for d in map(json.loads, sys.stdin) if d["queue_name"] == "hold")))')" \
	"$(echo $marked)" "postqueue -j: exactly the marked two are in hold"
keys H
check_screen "release asks with the count" "Release 2 marked messages"
keys y
check_screen "released from hold" "released from hold: 2"
wait_for "filter: none" >/dev/null
tap_is "$(count_in hold)" "0" "postqueue -j: none in hold"

# delete asks twice; no at the second question deletes nothing
keys d
check_screen "delete asks with the count" "Delete 2 marked messages"
keys y
check_screen "... then asks again" "Really delete 2 messages"
keys n
check_screen "no: nothing done" "nothing done"
tap_is "$(postqueue -c "$C" -j | grep -c queue_id)" "$N" "postqueue -j: all $N still there"

# a filter shows what postqueue -j says it should
keys c f
text "domain:mx1.tls.example"
keys Enter
want=$(postqueue -c "$C" -j | python3 -c 'import json,sys
n = sum(1 for d in map(json.loads, sys.stdin)
        if any(r["address"].endswith("@mx1.tls.example") for r in d["recipients"]))
print(f"{n:,}")')
check_screen "filter domain:mx1.tls.example: $want shown" "shown: $want"
keys F

# the other views
keys Tab
check_screen "shape view: qshape's buckets" "recipient domain            T    5   10   20   40   80  160  320  640 1280 1280+"
keys Tab
check_screen "reasons view: folded" "host * said: 421 4.7.0 Too many messages from *,"
keys Tab

# one message, its Subject's escape sequence drawn as text
esc_id=$(grep -l -r 'URGENT' "$QF_QUEUE/deferred" | head -n 1 | xargs -n 1 basename)
keys /
text "$esc_id"
keys Enter Enter
check_screen "the message opens (postcat)" "Subject: Invoice \\x1b[31mURGENT\\x1b[0m"
keys b
wait_for "(postcat -b;" >/dev/null
keys /
text "line 0 of the body"
keys Enter
check_screen "b: the body" "line 0 of the body of message"
keys q q q
tui_quit_check

tap_done
