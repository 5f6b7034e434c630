#!/bin/bash
# bench/maps.sh - editing one entry of a 1,000,000-line hash map and
# rebuilding it through relaydeck, against plain `postmap` of the same
# file, in the same run.
#
# Usage: bench/maps.sh [LINES]	(default 1000000)
# Environment: RELAYDECK=/path/to/relaydeck (default: an optimised build
# without sanitizers in a temporary directory); ROUNDS (default 5).
#
# In a sandbox (tests/lib/sandbox.sh) whose smtp_generic_maps is the
# generated table, measures wall time of, in each round:
#	- postmap hash:FILE                     (the baseline: compile only)
#	- relaydeck map add smtp_generic_maps KEY VALUE --yes
#	  (parse, edit, diff, lock, backup, atomic write, postmap, postfix
#	  check, postconf -n), once for a new key and once for a changed one;
#	- relaydeck map query (postmap -q through relaydeck) vs postmap -q.
# Each round's ratios are taken against that round's postmap, timed just
# before (a shared machine's load moves both alike); the table gives the
# median of the rounds and every round's ratio. Prints Markdown; never
# run by "make check". Root only (postfix check).
set -euo pipefail

lines=${1:-1000000}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-bench-maps.XXXXXX")
trap 'rm -rf "$work"' EXIT
die() { echo "bench/maps.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (postfix check needs it)"
[ -e /etc/postfix/main.cf ] || die "/etc/postfix/main.cf is missing"

if [ -z "${RELAYDECK:-}" ]; then
	bb=$work/build
	mkdir -p "$bb"
	echo "bench: building relaydeck (-O2, no sanitizers) in $bb" >&2
	(cd "$bb" && "$top/configure" -q CFLAGS="-O2" >/dev/null && make -j2 relaydeck >/dev/null) ||
	    die "build failed"
	RELAYDECK=$bb/relaydeck
fi

sh "$top/tests/lib/sandbox.sh" "$work/sb" >/dev/null
C=$work/sb/etc
RELAYDECK_STATE_DIR=$work/sb/state	# passed as --state-dir: root ignores the variable
map=$C/generic
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) printf "u%07d@relay01.example.net\tn%07d@example.net\n", i, i }' >"$map"
bytes=$(stat -c %s "$map")

# ms CMD... - wall time of one run in milliseconds.
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

rounds=${ROUNDS:-5}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# median FORMAT N... - the middle value (the mean of the two middle ones).
median() {
	local f=$1
	shift
	printf '%s\n' "$@" | sort -g | awk -v f="$f" '{ v[NR] = $1 } END {
		printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rd() { "$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$C" "$@"; }
pms=() adds=() chgs=() qs=() pqs=() radd=() rchg=() rq=()
for r in $(seq "$rounds"); do
	pm=$(ms postmap -c "$C" "hash:$map")
	add=$(ms rd map add smtp_generic_maps "new$r@relay01.example.net" new@example.net --yes)
	chg=$(ms rd map add smtp_generic_maps u0500000@relay01.example.net "changed$r@example.net" --yes)
	[ "$(postmap -c "$C" -q u0500000@relay01.example.net "hash:$map")" = "changed$r@example.net" ] ||
	    die "the edit did not reach the compiled table"
	q=$(ms rd map query smtp_generic_maps u0999999@relay01.example.net)
	pq=$(ms postmap -c "$C" -q u0999999@relay01.example.net "hash:$map")
	pms+=("$pm") adds+=("$add") chgs+=("$chg") qs+=("$q") pqs+=("$pq")
	radd+=("$(ratio "$add" "$pm")") rchg+=("$(ratio "$chg" "$pm")") rq+=("$(ratio "$q" "$pq")")
	echo "bench: round $r: postmap $pm ms, add $add ms, change $chg ms, query $q ms vs $pq ms" >&2
done

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), Postfix $(postconf -h mail_version), $lines lines ($bytes bytes), $rounds rounds"
echo
echo "| measurement | relaydeck ms (median) | postmap ms (median) | ratio (median) | each round's ratio |"
echo "|---|---:|---:|---:|---|"
echo "| add one entry + rebuild vs postmap | $(median %.0f "${adds[@]}") | $(median %.0f "${pms[@]}") | $(median %.2f "${radd[@]}") | ${radd[*]} |"
echo "| change one entry + rebuild vs postmap | $(median %.0f "${chgs[@]}") | $(median %.0f "${pms[@]}") | $(median %.2f "${rchg[@]}") | ${rchg[*]} |"
echo "| query one key vs postmap -q | $(median %.0f "${qs[@]}") | $(median %.0f "${pqs[@]}") | $(median %.2f "${rq[@]}") | ${rq[*]} |"
