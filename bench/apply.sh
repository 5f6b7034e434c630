#!/bin/bash
# bench/apply.sh - `relaydeck apply` of one relayhost edit on a 20,609-line
# main.cf full of duplicate entries, against Postfix's own `postfix check`
# plus `postconf -n` on the same file, in the same run.
#
# Usage: bench/apply.sh [RUNS] [LINES]	(default 5 runs, 20609 lines)
# Environment: RELAYDECK=/path/to/relaydeck (default: an optimised build
# without sanitizers in a temporary directory).
#
# The file is the sandbox's main.cf (tests/lib/sandbox.sh) followed by
# blocks the way years of configuration management leave them: a comment
# block, then relayhost, smtp_tls_security_level, mynetworks (continued on
# two lines), concurrency, rate delay, queue lifetime and restrictions
# (continued) defined again, 13 lines a block, so nearly every parameter
# has hundreds of duplicates ("overriding earlier entry" warnings from
# every Postfix program that reads the file).
#
# Each run: stage a relayhost edit (not timed), then time
#	relaydeck apply --yes		(lock, backup, write, postfix check and
#					postconf -n before and after, compare
#					their warnings, status)
#	postfix check; postconf -n	(output to /dev/null)
# alternately, and report the medians and their ratio. The goal (issue 8,
# item 12) is a ratio of at most 3. Root only (postfix check).
set -euo pipefail

runs=${1:-5}
lines=${2:-20609}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-bench-apply.XXXXXX")
trap 'rm -rf "$work"' EXIT
die() { echo "bench/apply.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (postfix check needs it)"
[ -e /etc/postfix/main.cf ] || die "/etc/postfix/main.cf is missing"

if [ -z "${RELAYDECK:-}" ]; then
	bb=$work/build
	mkdir -p "$bb"
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	echo "bench: building relaydeck (-O2, no sanitizers) in $bb" >&2
	(cd "$bb" && "$top/configure" -q CFLAGS="-O2" >/dev/null && make -j2 relaydeck >/dev/null) ||
	    die "build failed"
	RELAYDECK=$bb/relaydeck
fi

sh "$top/tests/lib/sandbox.sh" "$work/sb" >/dev/null
C=$work/sb/etc
RELAYDECK_STATE_DIR=$work/sb/state	# passed as --state-dir: root ignores the variable
awk -v LINES="$lines" -v BASE="$C/main.cf" 'BEGIN {
	n = 0
	while ((getline line < BASE) > 0) { print line; n++ }
	for (b = 0; n < LINES; b++) {
		print ""
		print "# --- managed block " b " (run " 2019 + b % 6 "-" sprintf("%02d", b % 12 + 1) "-" sprintf("%02d", b % 28 + 1) ", ticket OPS-" 1000 + b ")"
		print "# do not edit by hand: changes here are overwritten"
		print "relayhost = [smtp" b % 40 ".example.com]:587"
		print "smtp_tls_security_level = " (b % 3 ? "encrypt" : "verify")
		print "mynetworks = 127.0.0.0/8,"
		print "    10." b % 256 ".0.0/16,"
		print "    192.168." b % 256 ".0/24"
		print "smtp_destination_concurrency_limit = " b % 20 + 1
		print "default_destination_rate_delay = " b % 5 + 1 "s"
		print "maximal_queue_lifetime = " b % 5 + 1 "d"
		print "smtpd_recipient_restrictions = permit_mynetworks,"
		print "\treject_unauth_destination"
		n += 13
	}
}' >"$work/main.cf.new"
mv "$work/main.cf.new" "$C/main.cf"
nlines=$(wc -l <"$C/main.cf")
nwarn=$(postconf -c "$C" -n 2>&1 >/dev/null | wc -l)
# The first check creates the queue directories: not part of the measure.
postfix -c "$C" check >/dev/null 2>&1 || die "postfix check fails on the generated file"

# ms CMD... - wall time of one run in milliseconds (output discarded).
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || return 1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
pf_both() { postfix -c "$C" check && postconf -c "$C" -n; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$work/apply.ms"
: >"$work/postfix.ms"
for ((i = 0; i < runs; i++)); do
	# a different value each run, so every apply writes
	"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$C" set "relayhost=[relay$i.example.net]:587" >/dev/null
	ms "$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$C" apply --yes >>"$work/apply.ms" || die "apply failed"
	ms pf_both >>"$work/postfix.ms" || die "postfix check or postconf -n failed"
done
[ "$(postconf -c "$C" -h relayhost)" = "[relay$((runs - 1)).example.net]:587" ] ||
    die "the last edit is not in main.cf"
a=$(median <"$work/apply.ms")
p=$(median <"$work/postfix.ms")
ratio=$(awk -v a="$a" -v b="$p" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(nproc) CPUs, Postfix $(postconf -h mail_version), main.cf $nlines lines, $nwarn postconf -n warnings, median of $runs runs"
echo
echo "| measurement | relaydeck ms | postfix check + postconf -n ms | ratio |"
echo "|---|---:|---:|---:|"
echo "| apply one relayhost edit | $a | $p | $ratio |"
echo
echo "apply runs (ms): $(tr '\n' ' ' <"$work/apply.ms")"
echo "postfix check + postconf -n runs (ms): $(tr '\n' ' ' <"$work/postfix.ms")"
