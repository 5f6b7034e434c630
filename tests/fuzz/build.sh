#!/bin/sh
# build.sh - build and run the libFuzzer targets tests/fuzz/fuzz_*.c.
#
# Usage: tests/fuzz/build.sh [SECONDS] [NAME...]
#   SECONDS  how long each target runs (default 30); 0 builds only
#   NAME     targets to run, e.g. maincf (default: every fuzz_*.c)
# Environment:
#   FUZZ_RUNS    stop each target after this many executions instead
#                (SECONDS then bounds the time as well, unless it is 0)
#   CC           clang with libFuzzer (default clang)
#   FUZZ_OUT     binaries, corpora and crash artifacts (default /tmp/relaydeck-fuzz)
#   CONFIG_H_DIR a configured build directory whose config.h to use
#                (default: a minimal config.h written to FUZZ_OUT)
#   FUZZ_JOBS    compilers run at once for the library (default 2)
#   FUZZ_OPT     optimisation (default -O1; the smoke test builds with -O0,
#                five times quicker to compile, for runs of a few seconds)
#
# Every source of core/, remote/ and themes/ is compiled once with the
# fuzzer's coverage and ASan+UBSan into FUZZ_OUT/librdfuzz.a; each target
# links against it, so a target needs no list of the sources it reaches.
# A target's header comment may name:
#   FUZZ_LIBS: -lx ...           extra libraries to link
#   FUZZ_SEEDS: tests/data/x     a seed directory, read only
# tests/fuzz/corpus/NAME, when present, is read as seeds too (small
# hand-made inputs and the inputs of crashes once fixed).
# New inputs go to FUZZ_OUT/corpus-NAME, never into the source tree; each
# run's libFuzzer output to FUZZ_OUT/log-NAME.txt (tests/fuzz/report.sh
# makes a table of them).
# Exits non-zero when a target fails to build or finds a crash.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
CC=${CC:-clang}
out=${FUZZ_OUT:-/tmp/relaydeck-fuzz}
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-2}
mkdir -p "$out"

case $secs in
*[!0-9]*|'') echo "build.sh: SECONDS must be a number: $secs" >&2; exit 2 ;;
esac
case $runs in
*[!0-9]*) echo "build.sh: FUZZ_RUNS must be a number: $runs" >&2; exit 2 ;;
esac

if [ -n "${CONFIG_H_DIR:-}" ]; then
	[ -f "$CONFIG_H_DIR/config.h" ] || { echo "build.sh: no config.h in $CONFIG_H_DIR" >&2; exit 2; }
	incdir=$CONFIG_H_DIR
else
	incdir=$out/include
	mkdir -p "$incdir"
	cat > "$incdir/config.h" <<'EOH'
/* Minimal config.h for fuzz builds (see tests/fuzz/build.sh). */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif
#define HAVE_EXPLICIT_BZERO 1
#define PACKAGE "relaydeck"
#define PACKAGE_VERSION "fuzz"
#define PACKAGE_STRING "relaydeck fuzz"
EOH
fi

# field FILE KEY - the words after "KEY:" in the file's header.
field() {
	sed -n "s/^[ *]*$2:[ 	]*//p" "$1" | head -n 1
}

if [ $# -eq 0 ]; then
	set --
	for f in "$here"/fuzz_*.c; do
		[ -e "$f" ] || continue
		n=${f##*/fuzz_}
		set -- "$@" "${n%.c}"
	done
fi
[ $# -gt 0 ] || { echo "build.sh: no fuzz targets in $here" >&2; exit 2; }

# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: the code may lower a limit
# whose large case costs too much per execution (inventory.h says which).
cflags="-g ${FUZZ_OPT:--O1} -std=c11 -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
-I$incdir -I$top/core -I$top/themes -I$top/remote"
libs="-lssh2 -lssl -lcrypto -lyaml -ljson-c -lpthread"

# The library: every source once, with coverage but without libFuzzer's main.
echo "== build librdfuzz.a"
objdir=$out/obj
rm -rf "$objdir" "$out/librdfuzz.a"
mkdir -p "$objdir"
# shellcheck disable=SC2086
if ! ls "$top"/core/*.c "$top"/remote/*.c "$top"/themes/*.c |
	xargs -P "$jobs" -I{} sh -c 'f={}; b=${f##*/}; d=${f%/*}; d=${d##*/}
		exec "$0" '"$cflags"' -fsanitize=fuzzer-no-link,address,undefined \
		-c -o "$1/${d}_${b%.c}.o" "$f"' "$CC" "$objdir"; then
	echo "build.sh: the library did not build" >&2
	exit 1
fi
ar rcs "$out/librdfuzz.a" "$objdir"/*.o

failed=0
for name in "$@"; do
	src=$here/fuzz_$name.c
	[ -f "$src" ] || { echo "build.sh: no $src" >&2; failed=1; continue; }
	extra=$(field "$src" FUZZ_LIBS)
	seeds=$(field "$src" FUZZ_SEEDS)
	bin=$out/fuzz_$name
	echo "== build fuzz_$name"
	# shellcheck disable=SC2086
	if ! "$CC" $cflags -fsanitize=fuzzer,address,undefined -o "$bin" "$src" \
		"$out/librdfuzz.a" $extra $libs; then
		echo "build.sh: fuzz_$name did not build" >&2
		failed=1
		continue
	fi
	[ "$secs" -gt 0 ] || [ -n "$runs" ] || continue
	corpus=$out/corpus-$name
	mkdir -p "$corpus"
	seeddirs=
	[ -n "$seeds" ] && [ -d "$top/$seeds" ] && seeddirs=$top/$seeds
	[ -d "$here/corpus/$name" ] && seeddirs="$seeddirs $here/corpus/$name"
	limits=
	[ "$secs" -gt 0 ] && limits="-max_total_time=$secs"
	[ -n "$runs" ] && limits="$limits -runs=$runs"
	log=$out/log-$name.txt
	echo "== run fuzz_$name:$limits (corpus $corpus${seeddirs:+, seeds$seeddirs}; log $log)"
	# shellcheck disable=SC2086
	if ! "$bin" $limits -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/crash-$name-" "$corpus" $seeddirs >"$log" 2>&1; then
		grep -E 'ERROR|SUMMARY|#[0-9]+ .* in |Test unit' "$log" | head -n 40 >&2
		echo "build.sh: fuzz_$name failed; log $log, artifacts in $out/crash-$name-*" >&2
		failed=1
	fi
	grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" || true
done
exit $failed
