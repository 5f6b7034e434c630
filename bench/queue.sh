#!/bin/bash
# bench/queue.sh - relaydeck's queue tools against Postfix's own on a real
# queue of 100,000 deferred messages, all in the same run.
#
# Usage: bench/queue.sh [MESSAGES]	(default 100000)
# Environment:
#	RELAYDECK=/path/to/relaydeck	default: an optimised build without
#					sanitizers in a temporary directory
#	RUNS=N				runs per command line measurement (default 3,
#					the best is kept)
#	BENCH_CONF=DIR			a running instance whose queue is filled
#					already (skips making one: filling 100,000
#					takes a minute or two)
#
# A private Postfix instance (tests/lib/queue_fill.sh) gets MESSAGES
# submission files in maildrop/; pickup, cleanup and qmgr queue them and
# they are deferred (a dead relay port, retry(8) with reasons). Then:
#	- postqueue -j >/dev/null            (the floor: what relaydeck reads)
#	- relaydeck queue list --json >/dev/null
#	- postqueue -p >/dev/null            (mailq)
#	- relaydeck queue shape vs qshape deferred
#	- peak RSS (/usr/bin/time -f %M) of each
#	- the console (bench/queue_tui.py on an 80x24 pseudo-terminal): time
#	  from the key 6 to the first queue row drawn and to the whole list,
#	  key-to-last-byte of each redraw while scrolling (Down, PgDn), and
#	  its peak RSS.
# Prints a Markdown table and writes it to bench/results-queue.md. Root
# only; never run by make check.
set -euo pipefail

count=${1:-100000}
runs=${RUNS:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-bench-queue.XXXXXX")
die() { echo "bench/queue.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (the queue files are root's to read)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package time)"
. "$top/tests/lib/postfix_instance.sh"
. "$top/tests/lib/queue_fill.sh"
cleanup() {
	[ -z "${BENCH_CONF:-}" ] && qf_cleanup
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${RELAYDECK:-}" ]; then
	bb=$work/build
	mkdir -p "$bb"
	echo "bench: building relaydeck (-O2, no sanitizers) in $bb" >&2
	(cd "$bb" && "$top/configure" -q CFLAGS="-O2" >/dev/null && make -j2 relaydeck >/dev/null) ||
	    die "build failed"
	RELAYDECK=$bb/relaydeck
fi

if [ -n "${BENCH_CONF:-}" ]; then
	C=$BENCH_CONF
else
	qf_create || die "could not make a Postfix instance"
	pfi_start || die "the instance did not start"
	echo "bench: filling the queue with $count messages" >&2
	t0=$(date +%s)
	TIMEOUT=1800 qf_fill "$count" || die "the queue did not fill in 30 minutes"
	echo "bench: filled in $(( $(date +%s) - t0 )) s" >&2
	C=$PFI_CONF
fi
have=$(postqueue -c "$C" -j | grep -c '"queue_id"')
deferred=$(postqueue -c "$C" -j | grep -c '"queue_name": "deferred"')
rd=("$RELAYDECK" --state-dir "$work/state" -c "$C")

# best_ms CMD... - the fastest of $runs runs, in milliseconds.
best_ms() {
	local best= t0 t1 ms
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}
# rss CMD... - peak resident KiB of one run.
rss() {
	/usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$work/rss"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# the same answers first
"${rd[@]}" queue list --json | grep -c '"id"' >"$work/n"
[ "$(cat "$work/n")" = "$have" ] || echo "bench: warning: relaydeck lists $(cat "$work/n"), postqueue -j $have" >&2

pqj=$(best_ms postqueue -c "$C" -j)
list=$(best_ms "${rd[@]}" queue list --json)
pqp=$(best_ms postqueue -c "$C" -p)
qsh=$(best_ms qshape -c "$C" deferred)
shape=$(best_ms "${rd[@]}" queue shape)
shapej=$(best_ms "${rd[@]}" queue shape --older-than 0)
rss_pqj=$(rss postqueue -c "$C" -j)
rss_list=$(rss "${rd[@]}" queue list --json)
rss_shape=$(rss "${rd[@]}" queue shape)
rss_qsh=$(rss qshape -c "$C" deferred)

postqueue -c "$C" -j | sed -n 's/.*"queue_id": "\([0-9A-Za-z]*\)".*/\1/p' >"$work/ids"
RD_STATE_DIR=$work/state python3 "$top/bench/queue_tui.py" "$RELAYDECK" "$C" "$work/ids" 300 \
	>"$work/tui"
tv() { sed -n "s/^$1 //p" "$work/tui"; }

{
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)," \
     "Postfix $(postconf -h mail_version), $have messages ($deferred deferred), best of $runs"
echo
echo "| measurement | relaydeck | Postfix | ratio | goal |"
echo "|---|---:|---:|---:|---|"
echo "| queue list --json vs postqueue -j (the floor), ms | $list | $pqj | $(ratio "$list" "$pqj") | <= 1.3 |"
echo "| queue list --json vs postqueue -p (mailq), ms | $list | $pqp | $(ratio "$list" "$pqp") | |"
echo "| queue shape vs qshape deferred, ms | $shape | $qsh | $(ratio "$shape" "$qsh") ($(ratio "$qsh" "$shape")x faster) | >= 5x faster |"
echo "| queue shape from postqueue -j (a filter, or over SSH) vs qshape, ms | $shapej | $qsh | $(ratio "$shapej" "$qsh") | |"
echo "| peak RSS, list --json vs postqueue -j, KiB | $rss_list | $rss_pqj | $(ratio "$rss_list" "$rss_pqj") | |"
echo "| peak RSS, shape vs qshape, KiB | $rss_shape | $rss_qsh | $(ratio "$rss_shape" "$rss_qsh") | |"
echo "| console: key 6 to the first rows, ms | $(tv first_rows_ms) | | | < 500 |"
echo "| console: key 6 to the whole list, ms | $(tv loaded_ms) | $pqj (postqueue -j) | $(ratio "$(tv loaded_ms)" "$pqj") | |"
echo "| console: Down, key to redraw, median / p95 / max ms | $(tv redraw_down_median_ms) / $(tv redraw_down_p95_ms) / $(tv redraw_down_max_ms) | | | < 10 |"
echo "| console: PgDn, key to redraw, median / p95 / max ms | $(tv redraw_pgdn_median_ms) / $(tv redraw_pgdn_p95_ms) / $(tv redraw_pgdn_max_ms) | | | < 10 |"
echo "| console: peak RSS with the whole queue, KiB | $(tv rss_kib) | | | <= 20480 |"
} | tee "$top/bench/results-queue.md"
