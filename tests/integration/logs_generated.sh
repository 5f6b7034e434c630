#!/bin/bash
# logs_generated.sh - relaydeck logs summary against the ground truth of a
# generated log (tests/lib/loggen.py writes both): 20,000 interleaved
# messages of two instances (postfix/ and postfix-out/) over New Year in
# classic syslog stamps, with lines that are not log lines among them;
# the same in RFC 3339 stamps; every count, every relay, domain and sender
# row, the deferral count per message, and the year of each stamp
# (nothing lands in 2026's December); the same log read in 7 pieces at
# once gives the single reader's summary. Needs python3; no root.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
[ -x "$RELAYDECK" ] || tap_skip_all "relaydeck binary not built: $RELAYDECK"
rd_tmpdir
trap rd_cleanup EXIT
gen=$(cd "$(dirname "$0")/../lib" && pwd)/loggen.py

tap_plan 14

# compare JSON TRUTH - every count of the summary on stdin against TRUTH.
compare() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
t = json.load(open(sys.argv[1]))
bad = []
def eq(name, got, want):
    if got != want:
        bad.append("%s: got %r, want %r" % (name, got, want))
for k in ("received", "delivered", "deferred", "deferrals", "bounced", "rejected", "expired", "lines"):
    eq(k, d[k], t[k])
eq("unparsed", d["unparsed_lines"], t["unparsed"])
eq("sasl ours", d["sasl"]["ours_failed"], t["sasl_ours"])
eq("sasl clients", d["sasl"]["clients_failed"], t["sasl_clients"])
eq("tls verified", d["tls"]["outbound"]["verified"], t["tls_out_verified"])
eq("tls anonymous in", d["tls"]["inbound"]["anonymous"], t["tls_in_anonymous"])
eq("tls failures", d["tls"]["outbound"]["failures"], t["tls_fail_out"])
eq("in flight", d["in_flight"], 0)
for table in ("relays", "domains", "senders"):
    rows = {r["name"]: {k: r[k] for k in ("delivered", "deferred", "bounced")} for r in d[table]}
    eq(table, rows, t[table])
eq("hourly sum", sum(h["delivered"] for h in d["hourly"]), t["delivered"])
first = d["hourly"][0]["hour"] if d["hourly"] else -1
if not (t["first"] - 3600 < first <= t["first"]):
    bad.append("first hour %d is not the hour of %d" % (first, t["first"]))
if len(d["hourly"]) > (t["last"] - t["first"]) // 3600 + 2:
    bad.append("%d hours for a log of %d s (a year misread?)" % (len(d["hourly"]), t["last"] - t["first"]))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
' "$1"
}

TZ=Europe/Berlin python3 "$gen" "$RD_TMP/mail.log" "$RD_TMP/truth.json" --messages 20000 \
    --instances --garbage 25 --seed 7
last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last"])' "$RD_TMP/truth.json")
touch -d "@$last" "$RD_TMP/mail.log"
TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0
tap_is "$RD_RC" 0 "summary of 20,000 generated messages: exit 0"
tap_like "$RD_ERR" "warning: 25 lines could not be parsed: $RD_TMP/mail.log:[0-9]+" \
    "the 25 lines that are not log lines are reported with their place"
tap_check "every count, row and hour matches the generator's truth (classic stamps over New Year)" \
    compare "$RD_TMP/truth.json" <<<"$RD_OUT"

TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0 \
    --since "@$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first"])' "$RD_TMP/truth.json") + 7200 ))"
tap_is "$(printf '%s' "$RD_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["outside_window"] > 0 and d["delivered"] < '"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["delivered"])' "$RD_TMP/truth.json")"')')" \
    True "--since: lines before the window are left out"

# The same log read in pieces at once (RELAYDECK_LOG_PIECE: bytes a piece,
# here 7 pieces): messages in flight and deferred across every boundary,
# New Year inside a piece. The summary is the single reader's, every field.
piece=$(( $(stat -c %s "$RD_TMP/mail.log") / 7 + 1 ))
RELAYDECK_LOG_PIECE=0 TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0
one=$RD_OUT
RELAYDECK_LOG_PIECE=$piece TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0
tap_check "7 pieces: every count, row and hour matches the truth" compare "$RD_TMP/truth.json" <<<"$RD_OUT"
tap_is "$RD_OUT" "$one" "7 pieces: the JSON is the single reader's (senders, in flight, unparsed places too)"
RELAYDECK_LOG_PIECE=$piece TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0 \
    --since "@$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first"])' "$RD_TMP/truth.json") + 7200 ))"
pieces_since=$RD_OUT
RELAYDECK_LOG_PIECE=0 TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0 \
    --since "@$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first"])' "$RD_TMP/truth.json") + 7200 ))"
tap_is "$pieces_since" "$RD_OUT" "7 pieces with --since: the single reader's JSON"
# A log whose mtime says last year for its January lines: a piece that
# starts in January would date them otherwise; it is read again in order.
touch -d "@$(( last - 86400 * 3 ))" "$RD_TMP/mail.log"
RELAYDECK_LOG_PIECE=0 TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0
one=$RD_OUT
RELAYDECK_LOG_PIECE=$piece TZ=Europe/Berlin rd --json logs summary --file "$RD_TMP/mail.log" --top 0
tap_is "$RD_OUT" "$one" "7 pieces, years the pieces cannot tell alone: the single reader's JSON"
touch -d "@$last" "$RD_TMP/mail.log"

python3 "$gen" "$RD_TMP/rfc.log" "$RD_TMP/rfc.json" --messages 5000 --rfc3339 --seed 11
rd --json logs summary --file "$RD_TMP/rfc.log" --top 0
tap_is "$RD_RC" 0 "RFC 3339 stamps: exit 0"
tap_check "RFC 3339 stamps: every count matches the truth" compare "$RD_TMP/rfc.json" <<<"$RD_OUT"

# Text output: the counts and the rows, on a terminal-less stdout.
rd logs summary --file "$RD_TMP/rfc.log"
tap_like "$RD_OUT" "delivered +$(python3 -c 'import json,sys; print(format(json.load(open(sys.argv[1]))["delivered"], ","))' "$RD_TMP/rfc.json")" \
    "text: the delivered count"
tap_like "$RD_OUT" "smtp\\.relay-a\\.example +[0-9,]+ +[0-9,]+ +[0-9,]+" \
    "text: one row per relay name (three addresses of relay-a are one row)"

rd logs summary --file "$RD_TMP/nope.log"
tap_is "$RD_RC" 6 "a missing --file: exit 6 (not found)"
tap_like "$RD_ERR" "nope\\.log: No such file" "the error names the file"
tap_done
