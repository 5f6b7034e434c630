#!/bin/sh
# report.sh - the results of fuzz runs as a Markdown table, read from
# the libFuzzer logs that build.sh leaves in FUZZ_OUT (log-NAME.txt).
#
# Usage: tests/fuzz/report.sh [FUZZ_OUT]   (default /tmp/relaydeck-fuzz)
# Columns: executions and exec/s (libFuzzer's final stats), crashes (a
# sanitizer or libFuzzer error in the log, or an artifact left), the
# corpus at the end (files / size, libFuzzer's last "corp:" figure),
# and seconds (executions / average exec/s).
set -eu
out=${1:-/tmp/relaydeck-fuzz}
echo "| target | executions | crashes | corpus (files / size) | seconds | exec/s |"
echo "|---|---:|---:|---:|---:|---:|"
for log in "$out"/log-*.txt; do
	[ -f "$log" ] || continue
	name=${log##*/log-}
	name=${name%.txt}
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	corp=$(grep -o 'corp: [0-9]*/[0-9]*[A-Za-z]*' "$log" | tail -n 1 | sed 's/corp: //; s|/| / |')
	crashes=$(grep -c -E '^==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer' "$log" || true)
	for a in "$out"/crash-"$name"-*; do
		[ -f "$a" ] && crashes=$((crashes + 1))
	done
	secs=
	[ -n "$execs" ] && [ -n "$rate" ] && [ "$rate" -gt 0 ] && secs=$((execs / rate))
	printf '| `%s` | %s | %s | %s | %s | %s |\n' "$name" "${execs:-running}" "$crashes" \
		"${corp:-?}" "${secs:-?}" "${rate:-?}"
done
