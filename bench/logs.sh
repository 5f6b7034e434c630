#!/bin/bash
# bench/logs.sh - relaydeck logs summary against pflogsumm, the guide's
# grep/awk pipelines and wc -l (the floor: reading the file once), on the
# same generated log in the same run.
#
# Usage: bench/logs.sh [BYTES]		(default 1073741824: 1 GiB)
# Environment:
#	RELAYDECK=/path/to/relaydeck	default: an optimised build without
#					sanitizers in a temporary directory
#	BENCH_LOG=FILE			a log made by tests/lib/loggen.py before,
#					its truth in FILE.json (skips generating:
#					1 GiB takes a minute or more); its mtime is
#					set to its last line's time
#	RUNS=N				runs of each fast command (default 3, the
#					best kept); pflogsumm runs once
#
# The log (tests/lib/loggen.py, two instances, classic stamps) has its
# ground truth beside it, so the table also says whether each tool's
# counts are exact. The file is read once before timing (page cache warm
# for every tool alike). Wall time, CPU time (user+sys) and peak RSS come
# from /usr/bin/time. Prints a Markdown table and writes it to
# bench/results-logs.md. Never run by make check.
set -euo pipefail

bytes=${1:-1073741824}
runs=${RUNS:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-bench-logs.XXXXXX")
die() { echo "bench/logs.sh: $*" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package time)"
command -v pflogsumm >/dev/null 2>&1 || die "pflogsumm is missing (Debian package pflogsumm)"

if [ -z "${RELAYDECK:-}" ]; then
	bb=$work/build
	mkdir -p "$bb"
	echo "bench: building relaydeck (-O2, no sanitizers) in $bb" >&2
	(cd "$bb" && "$top/configure" -q CFLAGS="-O2" >/dev/null && make -j2 relaydeck >/dev/null) ||
	    die "build failed"
	RELAYDECK=$bb/relaydeck
fi
if [ -n "${BENCH_LOG:-}" ]; then
	log=$BENCH_LOG
	truth=$BENCH_LOG.json
else
	log=$work/mail.log
	truth=$work/mail.log.json
	echo "bench: generating $bytes bytes of log" >&2
	python3 "$top/tests/lib/loggen.py" "$log" "$truth" --bytes "$bytes" --instances --seed 42
fi
[ -f "$truth" ] || die "no truth file $truth"
size=$(stat -c %s "$log")
lines=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lines"])' "$truth")
# A real log was last written when its last line was: classic stamps take
# their year from that (without it the January lines of this New Year log
# would be dated a year late, and a piece read on its own could not tell).
touch -d "@$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last"])' "$truth")" "$log"
cat "$log" >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# measure NAME N CMD... - best of N runs: "wall cpu rss" into $r
measure() {
	local n=$2 best= t
	shift 2
	for _ in $(seq "$n"); do
		# to a file: GNU grep stops at the first match when stdout is /dev/null
		/usr/bin/time -f '%e %U %S %M' -o "$work/t" bash -c "$*" >"$work/out" 2>"$work/err" ||
		    { cat "$work/err" >&2; die "failed: $*"; }
		t=$(awk '{printf "%.2f %.2f %d", $1, $2 + $3, $4}' "$work/t")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[1]<y[1])}'; then
			best=$t
		fi
	done
	r=$best
}

declare -A W C M
run() {
	local name=$1 n=$2
	shift 2
	echo "bench: $name" >&2
	measure "$name" "$n" "$@"
	local w c m
	read -r w c m <<<"$r"
	W[$name]=$w
	C[$name]=$c
	M[$name]=$m
}

run "wc -l" "$runs" "wc -l '$log'"
run "relaydeck logs summary" "$runs" "'$RELAYDECK' --json logs summary --file '$log' --top 0 >'$work/rd.json'"
run "grep relay= | awk | sort | uniq -c" "$runs" \
    "grep 'relay=' '$log' | awk -F'relay=' '{split(\$2,a,\",\"); print a[1]}' | sort | uniq -c"
run "grep -c status=deferred" "$runs" "grep -c 'status=deferred' '$log'"
run "grep -c SASL authentication failed" "$runs" "grep -c 'SASL authentication failed' '$log'"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
run "pflogsumm" 1 "pflogsumm '$log' >'$work/pfl.txt'"

# exactness against the generator's truth
rd_exact=$(python3 - "$work/rd.json" "$truth" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
keys = ["received", "delivered", "deferred", "deferrals", "bounced", "rejected", "expired"]
bad = [k for k in keys if d[k] != t[k]]
if d["sasl"]["ours_failed"] != t["sasl_ours"]: bad.append("sasl")
rows = {r["name"]: r["delivered"] for r in d["relays"]}
if rows != {k: v["delivered"] for k, v in t["relays"].items()}: bad.append("relays")
print("yes" if not bad else "no: " + ",".join(bad))
PY
)
pfl_exact=$(python3 - "$work/pfl.txt" "$truth" <<'PY'
import json, re, sys
txt = open(sys.argv[1]).read(); t = json.load(open(sys.argv[2]))
def num(label):
    m = re.search(r"^\s*(\d+)([km]?)\s+" + label + r"\s*$", txt, re.M)
    if not m: return None
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1048576}[m.group(2)]
got = {"received": num("received"), "delivered": num("delivered"),
       "deferred": num(r"deferred\s+\(\d+[km]?\s+deferrals\)"), "bounced": num("bounced"),
       "rejected": num(r"rejected \(\d+%\)")}
bad = ["%s %s (truth %s)" % (k, got[k], t[k]) for k in got if got[k] != t[k]]
print("yes" if not bad else "no: " + "; ".join(bad))
PY
)
grep_exact="relay= rows are per name[address]:port and include relay=none; status=deferred counts lines (deferrals), not messages; the SASL grep counts our failures and clients' together"

base=${W[wc -l]}
rdw=${W[relaydeck logs summary]}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.1f", a / b; else print "-" }'; }
{
	echo "### $(date -u +%Y-%m-%d) — $(nproc) CPUs, $(uname -m), log $(awk -v s="$size" 'BEGIN{printf "%.2f GiB", s/1073741824}'), $(printf "%'d" "$lines") lines, best of $runs runs (pflogsumm 1), load average $load_before before, $load_after after the fast commands"
	echo
	echo "| command | wall s | CPU s | peak RSS MB | wall vs relaydeck | exact counts |"
	echo "|---|---:|---:|---:|---:|---|"
	for k in "wc -l" "relaydeck logs summary" "grep relay= | awk | sort | uniq -c" \
	    "grep -c status=deferred" "grep -c SASL authentication failed" "pflogsumm"; do
		case $k in
		"relaydeck logs summary") ex=$rd_exact ;;
		pflogsumm) ex=$pfl_exact ;;
		"wc -l") ex="(lines only)" ;;
		*) ex="-" ;;
		esac
		printf '| `%s` | %s | %s | %s | %s | %s |\n' "${k//|/\\|}" "${W[$k]}" "${C[$k]}" \
		    "$(awk -v m="${M[$k]}" 'BEGIN{printf "%.1f", m/1024}')" "$(ratio "${W[$k]}" "$rdw")" "$ex"
	done
	echo
	echo "relaydeck / wc -l: $(ratio "$rdw" "$base")x wall, $(ratio "${C[relaydeck logs summary]}" "${C[wc -l]}")x CPU;" \
	    "pflogsumm / relaydeck: $(ratio "${W[pflogsumm]}" "$rdw")x wall, $(ratio "${C[pflogsumm]}" "${C[relaydeck logs summary]}")x CPU;" \
	    "the three grep pipelines together: $(awk -v a="${W[grep relay= | awk | sort | uniq -c]}" -v b="${W[grep -c status=deferred]}" -v c="${W[grep -c SASL authentication failed]}" 'BEGIN{printf "%.2f", a+b+c}') s wall."
	echo "grep pipelines: $grep_exact. pflogsumm reads only the syslog name postfix (the postfix-out instance's half of the log is left out; --syslog-name takes one name)."
} | tee "$top/bench/results-logs.md"
