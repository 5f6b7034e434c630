#!/bin/bash
# bench/run.sh - relaydeck against Postfix's own tools, in one run.
#
# Usage: bench/run.sh [RUNS]	(default 20 runs per measurement)
# Environment: RELAYDECK=/path/to/relaydeck (default: an optimised build
# without sanitizers), BENCH_TITLE (text that marks the console's first
# screen, default "Relay settings").
#
# Measures, on /usr/share/postfix/main.cf.dist and on a generated
# 50,000-line main.cf:
#	- wall time of "relaydeck -c DIR show" vs "postconf -c DIR -n"
#	  (hyperfine when installed, else a loop over date +%s%N);
#	- max RSS of both (/usr/bin/time -f %M);
#	- startup to the console's first screen (tmux capture-pane) vs
#	  "postconf -n".
# Prints a table with ratios (relaydeck / postconf) and writes it to
# bench/results.md.  Never run by "make check".
set -euo pipefail

runs=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
title=${BENCH_TITLE:-Relay settings}
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-bench.XXXXXX")
tmux_sock=$work/tmux.sock
cleanup() {
	tmux -S "$tmux_sock" kill-server 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

die() { echo "bench: $*" >&2; exit 1; }

command -v postconf >/dev/null || die "postconf not found (./bootstrap.sh deps)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -e /etc/postfix/main.cf ] || die "/etc/postfix/main.cf is missing: Postfix's tools need it (./bootstrap.sh deps creates an empty one)"

# An optimised binary: sanitizers would measure themselves, not relaydeck.
if [ -z "${RELAYDECK:-}" ]; then
	bb=$work/build
	mkdir -p "$bb"
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	echo "bench: building relaydeck (-O2, no sanitizers) in $bb"
	(cd "$bb" && "$top/configure" -q CFLAGS="-O2" >/dev/null && make -j2 relaydeck >/dev/null) ||
	    die "build failed"
	RELAYDECK=$bb/relaydeck
fi
[ -x "$RELAYDECK" ] || die "$RELAYDECK: not executable"

# A config dir holding one main.cf.
make_conf() {
	mkdir -p "$1"
	cp "$2" "$1/main.cf"
	cp "$top/data/sandbox/master.cf" "$1/master.cf"
}

# The synthetic file: comment blocks and long continued lists, no
# duplicates and no unknown names, so both tools see a valid file.
gen_synthetic() {
	awk 'BEGIN {
		n = 0
		print "# synthetic main.cf for bench/run.sh: 50,000 lines"; n++
		print "compatibility_level = 3.6"; n++
		print "relayhost = [smtp.example.com]:587"; n++
		print "smtp_tls_security_level = encrypt"; n++
		print "smtp_sasl_auth_enable = yes"; n++
		for (b = 0; b < 2000; b++) {
			print ""
			print "# block " b ": a comment the way admins leave them,"
			print "# with a date (2024-03-" (b % 28 + 1) ") and a ticket OPS-" b
			n += 3
		}
		print "mynetworks = 127.0.0.0/8,"; n++
		for (i = 0; n < 22000; i++) {
			printf "    10.%d.%d.0/24,\n", int(i / 256) % 256, i % 256; n++
		}
		print "    192.168.0.0/16"; n++
		print "debug_peer_list ="; n++
		for (i = 0; n < 36000; i++) {
			printf "\thost%05d.example.net,\n", i; n++
		}
		print "\tlast.example.net"; n++
		print "smtp_connection_cache_destinations ="; n++
		for (i = 0; n < 49999; i++) {
			printf "  [relay%05d.example.com]:587\n", i; n++
		}
		print "maximal_queue_lifetime = 2d"; n++
	}'
}

# Mean wall time in ms of a command (hyperfine, else a date loop).
time_ms() {
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/h.json" \
		    "$*" >/dev/null 2>&1 || { echo "NA"; return; }
		python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["mean"]*1000))' "$work/h.json"
	else
		"$@" >/dev/null 2>&1 || true
		local t0 t1
		t0=$(date +%s%N)
		for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1 || true; done
		t1=$(date +%s%N)
		awk -v d=$((t1 - t0)) -v n="$runs" 'BEGIN { printf "%.2f\n", d / n / 1e6 }'
	fi
}

# Max RSS in KiB.
rss_kb() {
	/usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$work/rss"
}

# ms from launching the console in tmux until the first screen shows.
console_ms() {
	local conf=$1 best="" t0 t1 ms k
	for ((k = 0; k < 5; k++)); do
		tmux -S "$tmux_sock" kill-server 2>/dev/null || true
		t0=$(date +%s%N)
		tmux -S "$tmux_sock" new-session -d -x 100 -y 30 \
		    "RELAYDECK_STATE_DIR=$work/state TERM=xterm-256color $RELAYDECK -c $conf; sleep 5"
		ms=NA
		for ((w = 0; w < 1000; w++)); do
			if tmux -S "$tmux_sock" capture-pane -p 2>/dev/null | grep -qF "$title"; then
				t1=$(date +%s%N)
				ms=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1e6 }')
				break
			fi
			sleep 0.005
		done
		tmux -S "$tmux_sock" kill-server 2>/dev/null || true
		[ "$ms" = NA ] && { echo NA; return; }
		if [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$ms
		fi
	done
	echo "$best"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2f", a / b }'
}

make_conf "$work/dist" /usr/share/postfix/main.cf.dist
# main.cf.dist leaves the install-time parameters empty, and postconf -d
# refuses an empty setgid_group: fill them in as Postfix's post-install does.
for n in sendmail_path newaliases_path mailq_path setgid_group html_directory \
    manpage_directory sample_directory readme_directory; do
	postconf -c "$work/dist" -e "$n = $(postconf -d -h "$n")"
done
gen_synthetic >"$work/synthetic.main.cf"
make_conf "$work/synth" "$work/synthetic.main.cf"
lines_dist=$(wc -l <"$work/dist/main.cf")
lines_synth=$(wc -l <"$work/synth/main.cf")

# Both tools must agree before their speed means anything.
for c in dist synth; do
	if ! cmp -s <(RELAYDECK_STATE_DIR=$work/state "$RELAYDECK" -c "$work/$c" show 2>/dev/null) \
	    <(postconf -c "$work/$c" -n 2>/dev/null); then
		echo "bench: warning: relaydeck show and postconf -n differ on $c"
	fi
done

export RELAYDECK_STATE_DIR=$work/state
table=$work/table.md
{
	echo "| measurement | file (lines) | relaydeck | postconf -n | ratio |"
	echo "|---|---|---:|---:|---:|"
	for c in dist synth; do
		lines=$lines_dist; name="main.cf.dist"
		[ $c = synth ] && { lines=$lines_synth; name="synthetic"; }
		r=$(time_ms "$RELAYDECK" -c "$work/$c" show)
		p=$(time_ms postconf -c "$work/$c" -n)
		echo "| show, mean ms | $name ($lines) | $r | $p | $(ratio "$r" "$p") |"
		r=$(rss_kb "$RELAYDECK" -c "$work/$c" show)
		p=$(rss_kb postconf -c "$work/$c" -n)
		echo "| show, max RSS KiB | $name ($lines) | $r | $p | $(ratio "$r" "$p") |"
		if command -v tmux >/dev/null 2>&1; then
			r=$(console_ms "$work/$c")
			p=$(time_ms postconf -c "$work/$c" -n)
			echo "| console first screen, best of 5 ms | $name ($lines) | $r | $p | $(ratio "$r" "$p") |"
		fi
	done
} >"$table"

{
	echo "# relaydeck benchmark results"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(nproc) CPUs, $(postconf -d -h mail_version 2>/dev/null | sed 's/^/Postfix /'), $("$RELAYDECK" --version 2>/dev/null)"
	echo "Timer: $(command -v hyperfine >/dev/null 2>&1 && echo "hyperfine, $runs runs" || echo "date +%s%N loop, $runs runs")."
	echo "Console: launched in a detached tmux (100x30) until \"$title\" is on screen."
	echo "main.cf.dist: the empty install-time parameters filled in as post-install does."
	echo
	cat "$table"
} >"$top/bench/results.md"
cat "$top/bench/results.md"
