#!/bin/bash
# smoke.sh - every libFuzzer target built and run for a few seconds: a
# target that no longer builds, or that crashes on its seeds or on what
# it finds in that time, fails here. Skips without clang and libFuzzer.
# Built at -O0: compiling is most of the time, and a run of seconds
# gains nothing from -O1.
#
# Environment: FUZZ_SMOKE_SECS seconds per target (default 2),
# CC_FUZZ (default clang), top_builddir (its config.h; make check sets it).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

CC=${CC_FUZZ:-clang}
secs=${FUZZ_SMOKE_SECS:-2}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-fuzz-smoke.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# libFuzzer present? (clang alone links nothing with -fsanitize=fuzzer)
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$tmp/probe.c"
command -v "$CC" >/dev/null 2>&1 &&
	"$CC" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" 2>/dev/null ||
	tap_skip_all "no $CC with libFuzzer (install clang and libclang-rt-14-dev)"

names=()
for f in "$here"/fuzz_*.c; do
	n=${f##*/fuzz_}
	names+=("${n%.c}")
done
tap_plan $((1 + ${#names[@]}))

cfg=
[ -n "${top_builddir:-}" ] && [ -f "$top_builddir/config.h" ] && cfg=$top_builddir
start=$SECONDS
if CC=$CC FUZZ_OUT=$tmp CONFIG_H_DIR=$cfg FUZZ_OPT=-O0 sh "$here/build.sh" 0 >"$tmp/build.log" 2>&1; then
	tap_ok "every fuzz target builds ($((SECONDS - start)) s)"
else
	tap_not_ok "every fuzz target builds"
	tap_diag "$(grep -v '^==' "$tmp/build.log" | tail -n 20)"
fi

for n in "${names[@]}"; do
	bin=$tmp/fuzz_$n
	if [ ! -x "$bin" ]; then
		tap_not_ok "fuzz_$n: runs ${secs}s without a crash (not built)"
		continue
	fi
	src=$here/fuzz_$n.c
	seeds=$(sed -n 's/^[ *]*FUZZ_SEEDS:[ 	]*//p' "$src" | head -n 1)
	dirs=()
	[ -n "$seeds" ] && [ -d "$here/../../$seeds" ] && dirs+=("$here/../../$seeds")
	[ -d "$here/corpus/$n" ] && dirs+=("$here/corpus/$n")
	mkdir -p "$tmp/corpus-$n"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$tmp/crash-$n-" "$tmp/corpus-$n" "${dirs[@]}" >"$tmp/$n.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$n.log")
		tap_ok "fuzz_$n: runs ${secs}s without a crash (${runs:-?} executions)"
	else
		tap_not_ok "fuzz_$n: runs ${secs}s without a crash"
		tap_diag "$(grep -E 'ERROR|SUMMARY|#[0-9]+ .* in |Test unit' "$tmp/$n.log" | head -n 20)"
		for c in "$tmp"/crash-"$n"-*; do
			[ -f "$c" ] && tap_diag "input (base64): $(base64 -w0 "$c" | head -c 2000)"
		done
	fi
done
tap_diag "total $((SECONDS - start)) s"
tap_done
