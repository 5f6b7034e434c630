#!/bin/sh
# build.sh - build and run the libFuzzer targets tests/fuzz/fuzz_*.c.
#
# Usage: tests/fuzz/build.sh [SECONDS] [NAME...]
#   SECONDS  how long each target runs (default 30); 0 builds only
#   NAME     targets to run, e.g. maincf (default: every fuzz_*.c)
# Environment:
#   CC           clang with libFuzzer (default clang)
#   FUZZ_OUT     binaries, corpora and crash artifacts (default /tmp/relaydeck-fuzz)
#   CONFIG_H_DIR a configured build directory whose config.h to use
#                (default: a minimal config.h written to FUZZ_OUT)
#
# Each target names what it needs in its header comment:
#   FUZZ_SOURCES: core/x.c ...   sources compiled in (default core/*.c)
#   FUZZ_LIBS: -lcrypto ...      libraries to link
#   FUZZ_SEEDS: tests/data/x     seed corpus, read only
# New inputs go to FUZZ_OUT/corpus-NAME, never into the source tree.
# Exits non-zero when a target fails to build or finds a crash.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
CC=${CC:-clang}
out=${FUZZ_OUT:-/tmp/relaydeck-fuzz}
mkdir -p "$out"

case $secs in
*[!0-9]*|'') echo "build.sh: SECONDS must be a number: $secs" >&2; exit 2 ;;
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

failed=0
for name in "$@"; do
	src=$here/fuzz_$name.c
	[ -f "$src" ] || { echo "build.sh: no $src" >&2; failed=1; continue; }
	srcs=$(field "$src" FUZZ_SOURCES)
	libs=$(field "$src" FUZZ_LIBS)
	seeds=$(field "$src" FUZZ_SEEDS)
	files=
	for s in ${srcs:-core/*.c}; do
		case $s in
		/*) files="$files $s" ;;
		*) files="$files $top/$s" ;;
		esac
	done
	bin=$out/fuzz_$name
	echo "== build fuzz_$name"
	# shellcheck disable=SC2086
	if ! "$CC" -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-I"$incdir" -I"$top/core" -I"$top/themes" -I"$top/remote" -o "$bin" "$src" $files $libs; then
		echo "build.sh: fuzz_$name did not build" >&2
		failed=1
		continue
	fi
	[ "$secs" -gt 0 ] || continue
	corpus=$out/corpus-$name
	mkdir -p "$corpus"
	seeddir=
	[ -n "$seeds" ] && [ -d "$top/$seeds" ] && seeddir=$top/$seeds
	echo "== run fuzz_$name for ${secs}s (corpus $corpus${seeddir:+, seeds $seeddir})"
	# shellcheck disable=SC2086
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crash-$name-" "$corpus" $seeddir; then
		echo "build.sh: fuzz_$name failed; artifacts in $out/crash-$name-*" >&2
		failed=1
	fi
done
exit $failed
