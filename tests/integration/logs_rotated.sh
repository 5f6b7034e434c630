#!/bin/bash
# logs_rotated.sh - relaydeck logs summary finds the log as Postfix is
# configured and reads it whole: maillog_file of a config directory with
# its rotations (LOG.3.gz LOG.2.gz LOG.1 LOG, made by tests/lib/logsplit.py
# from a generated log over New Year, each file's mtime its last line's),
# read oldest first, counts equal to the generator's truth; a corrupt gzip
# and a cut one give a warning naming the file, exit 1 and the counts of
# what could be read; a last line cut in the middle of a delivery line is
# unparsed and named; a real journal file (systemd-journal-remote from
# export format) read through journalctl --file gives the truth too.
# logs_rotated_ssh.sh runs it over SSH (read_at over SFTP, journalctl
# through run_stream). Needs python3 and Postfix's postconf.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
command -v postconf >/dev/null 2>&1 || tap_skip_all "postfix is not installed"
[ -x "$RELAYDECK" ] || tap_skip_all "relaydeck binary not built: $RELAYDECK"
[ -e /etc/postfix/main.cf ] || tap_skip_all "/etc/postfix/main.cf is missing"
rd_tmpdir
trap rd_cleanup EXIT
lib=$(cd "$(dirname "$0")/../lib" && pwd)
export TZ=UTC

tap_plan 19

C=$RD_TMP/etc
mkdir -p "$C" "$RD_TMP/log"
printf 'maillog_file = %s\n' "$RD_TMP/log/mail.log" >"$C/main.cf"
: >"$C/master.cf"
python3 "$lib/loggen.py" "$RD_TMP/all.log" "$RD_TMP/truth.json" --messages 8000 --rate 0.5 \
    --seed 5
python3 "$lib/logsplit.py" "$RD_TMP/all.log" "$RD_TMP/log/mail.log" 2025 >/dev/null
truth() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$RD_TMP/truth.json" "$1"; }
j() { printf '%s' "$RD_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

rd -c "$C" --json logs summary --top 0
tap_is "$RD_RC" 0 "maillog_file with 3 rotated files: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(j '" ".join(f.rsplit("/",1)[1] for f in d["files"])')" \
    "mail.log.3.gz mail.log.2.gz mail.log.1 mail.log" "read oldest first, the live file last"
tap_like "$(j 'd["source"]')" "mail\\.log \\(\\+3 rotated\\)" "the source says what was read"
got="$(j '(d["lines"], d["received"], d["delivered"], d["deferred"], d["bounced"], d["expired"], d["unparsed_lines"])')"
want="($(truth lines), $(truth received), $(truth delivered), $(truth deferred), $(truth bounced), $(truth expired), 0)"
tap_is "$got" "$want" "lines, received, delivered, deferred, bounced, expired: the truth"
tap_is "$(j 'len(d["hourly"]) <= 8')" True "hours over New Year in order (no year misread)"

# A message retried across two rotated files, traced by queue ID.
pick=$(python3 - "$RD_TMP/log" <<'PY'
import gzip, os, re, sys
d = sys.argv[1]
files = ["mail.log.3.gz", "mail.log.2.gz", "mail.log.1", "mail.log"]
seen = {}
for i, f in enumerate(files):
    op = gzip.open if f.endswith(".gz") else open
    for line in op(os.path.join(d, f), "rt"):
        m = re.search(r"\]: ([0-9A-F]{10}): ", line)
        if m:
            seen.setdefault(m.group(1), []).append((i, "status=deferred" in line))
for q, v in seen.items():
    if len({i for i, _ in v}) > 1 and sum(1 for _, dfr in v if dfr) >= 1:
        print(q, len(v))
        break
PY
)
qid=${pick% *}
rd -c "$C" --json logs trace "$qid"
tap_is "$RD_RC $(j 'len(d["lines"])')" "0 ${pick#* }" \
    "trace of $qid, deferred and spread over two rotated files: every line of it"
tap_is "$(j 'd["lines"][-1]["line"].endswith("removed") and sum(r["attempts"] for r in d["recipients"]) > 1')" \
    True "its retries are counted and it ends with removed"

# --- damage ------------------------------------------------------------------
cp -a "$RD_TMP/log" "$RD_TMP/bad"
python3 - "$RD_TMP/bad/mail.log.2.gz" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
for i in range(len(b) // 2, len(b) // 2 + 64):
    b[i] ^= 0x5a
open(p, "wb").write(bytes(b))
PY
touch -r "$RD_TMP/log/mail.log.2.gz" "$RD_TMP/bad/mail.log.2.gz"
n1=$(wc -l <"$RD_TMP/log/mail.log.1")
n0=$(wc -l <"$RD_TMP/log/mail.log")
n3=$(zcat "$RD_TMP/log/mail.log.3.gz" | wc -l)
rd --json logs summary --file "$RD_TMP/bad/mail.log.3.gz" --file "$RD_TMP/bad/mail.log.2.gz" \
    --file "$RD_TMP/bad/mail.log.1" --file "$RD_TMP/bad/mail.log"
tap_is "$RD_RC" 1 "a corrupt gzip file: exit 1"
tap_like "$RD_ERR" "warning: .*bad/mail\\.log\\.2\\.gz: corrupt gzip data near byte [0-9]+" \
    "the warning names the file and says what is wrong"
tap_is "$(j 'd["complete"]')" False "--json says the summary is incomplete"
tap_is "$(j "d['lines'] >= $n1 + $n0 + $n3 and d['lines'] < $(truth lines)")" True \
    "the other files are counted whole, the damaged one up to the damage"

cp -a "$RD_TMP/log" "$RD_TMP/cut"
sz=$(stat -c %s "$RD_TMP/cut/mail.log.3.gz")
truncate -s $((sz / 2)) "$RD_TMP/cut/mail.log.3.gz"
touch -r "$RD_TMP/log/mail.log.3.gz" "$RD_TMP/cut/mail.log.3.gz"
printf 'Jan  1 03:00:00 relay1 postfix/smtp[9]: 0123456789: to=<cut@example.com>, relay=mx.example[192.0.2.1]:25, del' \
    >>"$RD_TMP/cut/mail.log"
rd --json logs summary --file "$RD_TMP/cut/mail.log.3.gz" --file "$RD_TMP/cut/mail.log"
tap_is "$RD_RC" 1 "a cut gzip file: exit 1"
tap_like "$RD_ERR" "cut/mail\\.log\\.3\\.gz: gzip data ends early" "the warning says the file is cut"
tap_is "$(j 'd["unparsed_lines"] in (1, 2)')" True \
    "the cut last line of mail.log is unparsed (and the cut gzip's last, when cut in a line)"
tap_is "$(j "[e['where'].rsplit('/', 2)[-2:] for e in d['unparsed_examples']][-1]")" \
    "['cut', 'mail.log:$((n0 + 1))']" "and named with its file and line number"

# --- journald -------------------------------------------------------------------
jr=/usr/lib/systemd/systemd-journal-remote
if [ -x "$jr" ] && command -v journalctl >/dev/null 2>&1; then
	python3 "$lib/loggen.py" "$RD_TMP/rfc.log" "$RD_TMP/rfc.json" --messages 3000 --rfc3339 --seed 9
	python3 "$lib/log2journal.py" "$RD_TMP/rfc.log" >"$RD_TMP/export"
	"$jr" --output="$RD_TMP/postfix.journal" "$RD_TMP/export" 2>/dev/null
	rd --json logs summary --file "$RD_TMP/postfix.journal"
	tap_is "$RD_RC" 0 "a journal file through journalctl --file: exit 0"
	[ "$RD_RC" -eq 0 ] || rd_diag
	got="$(j '(d["received"], d["delivered"], d["deferred"], d["bounced"], d["rejected"], d["unparsed_lines"])')"
	want="$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print((t["received"], t["delivered"], t["deferred"], t["bounced"], t["rejected"], 0))' "$RD_TMP/rfc.json")"
	tap_is "$got" "$want" "the journal's counts are the truth"
	# A journal with a two-hour gap, read --since a minute after the gap:
	# the read starts an hour early (LOGSUM_LEAD), in the gap, and the
	# entry before that start is read too, so the journal is known to
	# begin before the window (no "the log read covers since ..." note).
	# Outside the window: that entry and the lines of the lead hour.
	s0=1767200000
	python3 "$lib/loggen.py" "$RD_TMP/j1.log" "$RD_TMP/j1.json" --messages 20 --rfc3339 \
	    --seed 3 --start "$s0"
	python3 "$lib/loggen.py" "$RD_TMP/j2.log" "$RD_TMP/j2.json" --messages 20 --rfc3339 \
	    --seed 4 --start "$((s0 + 7200))"
	cat "$RD_TMP/j1.log" "$RD_TMP/j2.log" >"$RD_TMP/gap.log"
	python3 "$lib/log2journal.py" "$RD_TMP/gap.log" >"$RD_TMP/gap.export"
	"$jr" --output="$RD_TMP/gap.journal" "$RD_TMP/gap.export" 2>/dev/null
	since=$((s0 + 7260))
	want=$(python3 - "$RD_TMP/gap.log" "$since" <<'PY'
import datetime, sys
since = int(sys.argv[2])
n = 0
for line in open(sys.argv[1]):
    t = int(datetime.datetime.fromisoformat(line.split(" ", 1)[0]).timestamp())
    n += since - 3600 <= t < since
print(n + 1)
PY
)
	rd --json logs summary --file "$RD_TMP/gap.journal" --since "@$since"
	tap_is "$RD_RC:$(j 'd["outside_window"]')" "0:$want" \
	    "--since after a gap in a journal: the entry before the read's start is read too"
else
	tap_skip "a journal file through journalctl --file" "systemd-journal-remote is not installed"
	tap_skip "the journal's counts are the truth" "systemd-journal-remote is not installed"
	tap_skip "--since after a gap in a journal: the entry before the read's start is read too" \
	    "systemd-journal-remote is not installed"
fi

# Without maillog_file and without /var/log/mail.log: journald.
if [ ! -e /var/log/mail.log ]; then
	: >"$C/main.cf"
	rd -c "$C" --json logs summary
	tap_like "$(j 'd["source"]') $RD_ERR" "^journald" \
	    "no maillog_file and no /var/log/mail.log: journald is read"
else
	tap_skip "no maillog_file and no /var/log/mail.log: journald is read" "/var/log/mail.log exists on this machine"
fi
tap_done
