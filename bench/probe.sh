#!/bin/bash
# bench/probe.sh - relaydeck probe against swaks and openssl s_client on the
# lab smart host (tests/lib/smarthost.sh), in one run.  Needs root.
#
# Usage: bench/probe.sh [RUNS]	(default 20 runs per measurement)
# Environment: RELAYDECK=/path/to/relaydeck (default: an optimised build
# without sanitizers, as bench/run.sh makes).
#
# Measures:
#	- one full STARTTLS + AUTH probe: "relaydeck probe auth" vs
#	  "swaks --tls --auth ... --quit-after AUTH" vs
#	  "openssl s_client -starttls smtp" (TLS only: s_client cannot AUTH);
#	  hyperfine when installed, else a loop over date +%s%N;
#	- 50 probes (50 runs spread over the lab's TLS ports) started
#	  concurrently as background jobs vs the same 50 run one after another.
# Prints a table with ratios and appends it to doc/BENCHMARKS.md's probe
# section.  Never run by "make check".
set -euo pipefail

runs=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-bench-probe.XXXXXX")
chmod 755 "$work"
. "$top/tests/lib/postfix_instance.sh"
. "$top/tests/lib/smarthost.sh"
cleanup() {
	sh_stop
	rm -rf "$work"
}
trap cleanup EXIT

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (a private Postfix instance)"
for tool in postconf saslpasswd2 swaks openssl python3; do
	command -v "$tool" >/dev/null || die "$tool not found (./bootstrap.sh deps)"
done
[ -e /etc/postfix/main.cf ] || die "/etc/postfix/main.cf is missing (./bootstrap.sh deps creates an empty one)"

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

sh_start "$work/lab" >/dev/null || die "the lab smart host did not start"
sh "$top/tests/lib/sandbox.sh" "$work/sb" >/dev/null
RELAYDECK_STATE_DIR=$work/sb/state	# passed as --state-dir: root ignores the variable
C=$work/sb/etc
ep=127.0.0.1:$SH_SUBMIT_PORT
pw=$(cat "$SH_PASS_FILE")

# The three commands; each must succeed once before it is timed.
rd_cmd="$RELAYDECK --state-dir $RELAYDECK_STATE_DIR -c $C probe auth $ep --ca-file $SH_CA --user $SH_USER --password-file $SH_PASS_FILE"
# swaks takes the password on its command line; it is the lab's throwaway
# password, which is what the comparison needs.
sw_cmd="swaks --server $ep --tls --tls-verify --tls-ca-path $SH_CA --auth PLAIN --auth-user $SH_USER --auth-password $pw --quit-after AUTH"
os_cmd="openssl s_client -brief -no_ign_eof -starttls smtp -connect $ep -CAfile $SH_CA"
$rd_cmd >/dev/null 2>&1 || die "relaydeck probe auth fails on $ep"
# (output captured first: grep -q would end the pipe early under pipefail)
sw_out=$($sw_cmd 2>&1 || true)
case $sw_out in
*"<~  235"*) ;;
*) die "swaks AUTH fails on $ep: $(printf '%s' "$sw_out" | grep -E '^(<~\*|\*\*\*)' | head -n 2)" ;;
esac
echo QUIT | $os_cmd >/dev/null 2>&1 || die "openssl s_client fails on $ep"

# Mean wall time in ms of a command over $runs runs.
mean_ms() {
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 2 -r "$runs" --export-json "$work/h.json" "$1" >"$work/h.out" 2>&1 || { sed "s/^/bench: /" "$work/h.out" >&2; return 1; }
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["mean"] * 1000))' "$work/h.json"
	else
		_s=$(date +%s%N)
		for _i in $(seq "$runs"); do bash -c "$1" </dev/null >/dev/null 2>&1; done
		echo "scale=1; ($(date +%s%N) - $_s) / 1000000 / $runs" | bc
	fi
}
timer=loop
command -v hyperfine >/dev/null && timer=hyperfine

echo "bench: one STARTTLS + AUTH probe, $runs runs each ($timer)"
t_rd=$(mean_ms "$rd_cmd")
t_sw=$(mean_ms "$sw_cmd")
# hyperfine -N gives s_client no input: it ends after the handshake.
t_os=$(mean_ms "$os_cmd")

# 50 probes over the TLS ports, concurrently and one after another.
ports=($SH_SUBMIT_PORT $SH_IMPLICIT_PORT $SH_UNTRUSTED_PORT $SH_WRONGNAME_PORT $SH_EXPIRED_PORT)
one() {
	trap - EXIT	# a background copy must not tear the lab down
	_p=${ports[$(($1 % ${#ports[@]}))]}
	_m=starttls
	[ "$_p" = "$SH_IMPLICIT_PORT" ] && _m=implicit
	"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" -c "$C" probe tls "127.0.0.1:$_p" --tls "$_m" --ca-file "$SH_CA" \
	    --timeout 10000 >/dev/null 2>&1 || true
}
s=$(date +%s%N)
for i in $(seq 0 49); do one "$i"; done
t_seq=$(( ($(date +%s%N) - s) / 1000000 ))
s=$(date +%s%N)
pids=()
for i in $(seq 0 49); do one "$i" & pids+=($!); done
# Only the probes: a bare wait would also wait for the lab's listeners.
wait "${pids[@]}"
t_par=$(( ($(date +%s%N) - s) / 1000000 ))

ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }
table=$(cat <<EOF

### $(date -u +%Y-%m-%d) — $(nproc) CPUs, $(openssl version | cut -d' ' -f1-2), timer: $timer, $runs runs

| measurement | relaydeck | other | ratio (relaydeck / other) |
|---|---|---|---|
| STARTTLS + AUTH probe vs \`swaks --tls --auth\`, mean ms | $t_rd | $t_sw | $(ratio "$t_rd" "$t_sw") |
| STARTTLS + AUTH probe vs \`openssl s_client -starttls smtp\` (TLS only), mean ms | $t_rd | $t_os | $(ratio "$t_rd" "$t_os") |
| 50 probes concurrent vs sequential, total ms | $t_par | $t_seq | $(ratio "$t_par" "$t_seq") |
EOF
)
printf '%s\n' "$table"
bm=$top/doc/BENCHMARKS.md
grep -q '^## Probe' "$bm" || printf '\n## Probe\n\n`bench/probe.sh` (root): relaydeck probe against swaks and openssl s_client on the lab smart host; results appended below.\n' >>"$bm"
printf '%s\n' "$table" >>"$bm"
echo "bench: appended to $bm"
