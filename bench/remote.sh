#!/bin/bash
# bench/remote.sh - relaydeck over SSH against OpenSSH's ssh running
# Postfix's own tools, in one run, on a throwaway sshd on 127.0.0.1.
#
# Usage: bench/remote.sh [RUNS]	(default 20 runs per measurement; root)
# Environment: RELAYDECK=/path/to/relaydeck (default: an optimised build
# without sanitizers).
#
# Both clients use the same key exchange: the server only offers
# curve25519-sha256 (KexAlgorithms), and ssh is told the same. Both log in
# with the same ed25519 key and check the same known_hosts file; ssh runs
# with -F /dev/null (no ControlMaster, no config of the machine).
#
#	show:  relaydeck -H root@127.0.0.1:PORT -c DIR show
#	       vs ssh root@127.0.0.1 postconf -c DIR -n
#	apply: relaydeck set relayhost=... + apply --yes (two connections:
#	       stage, then lock, backup, write, postfix check, postconf -n)
#	       vs ssh ... postconf -c DIR -e relayhost=... (one write, no checks)
#	and both against the same relaydeck run locally (the transport's share).
#
# Prints a table with ratios (relaydeck / ssh) and writes it to
# bench/results-remote.md. Never run by "make check".
set -euo pipefail

runs=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-bench-remote.XXXXXX")
. "$top/tests/lib/sshd.sh"
cleanup() {
	sshd_cleanup
	rm -rf "$work"
}
trap cleanup EXIT

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sshd, root login on 127.0.0.1)"
command -v postconf >/dev/null || die "postconf not found (./bootstrap.sh deps)"
command -v sshd >/dev/null || die "sshd not found (./bootstrap.sh deps)"
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

sh "$top/tests/lib/sandbox.sh" "$work/sb" >/dev/null
C=$work/sb/etc
ST=$work/sb/state
sshd_extra_config "KexAlgorithms curve25519-sha256"
sshd_start || die "sshd did not start"
unset SSH_AUTH_SOCK

RD="$RELAYDECK -H root@127.0.0.1:$SSHD_PORT --known-hosts $SSHD_KNOWN_HOSTS -i $SSHD_KEY -c $C --state-dir $ST"
SSH="ssh -F /dev/null -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 -o StrictHostKeyChecking=yes \
-o UserKnownHostsFile=$SSHD_KNOWN_HOSTS -o IdentitiesOnly=yes -i $SSHD_KEY -p $SSHD_PORT root@127.0.0.1"

# Same output first: a benchmark of two different things would mean nothing.
if [ "$($RD show)" != "$($SSH postconf -c "$C" -n)" ]; then
	echo "bench: warning: relaydeck show and ssh postconf -n differ" >&2
fi
grep -q 'kex: algorithm: curve25519-sha256' "$SSHD_LOG" 2>/dev/null ||
    echo "bench: note: sshd's log does not name the kex (LogLevel VERBOSE does not always)" >&2

# Each apply run flips relayhost between two values, so every run changes
# the file (an apply of an unchanged value would do nothing).
cat >"$work/rd_apply.sh" <<EOF
#!/bin/sh
n=\$(cat $work/n 2>/dev/null || echo 0); n=\$((1 - n)); echo \$n >$work/n
$RD set "relayhost=[192.0.2.\$((10 + n))]:587" >/dev/null && $RD apply --yes >/dev/null
EOF
cat >"$work/ssh_apply.sh" <<EOF
#!/bin/sh
n=\$(cat $work/m 2>/dev/null || echo 0); n=\$((1 - n)); echo \$n >$work/m
$SSH postconf -c $C -e "relayhost=[192.0.2.\$((10 + n))]:587"
EOF
sh "$top/tests/lib/sandbox.sh" "$work/lsb" >/dev/null
L="$RELAYDECK -c $work/lsb/etc --state-dir $work/lsb/state"
cat >"$work/local_apply.sh" <<EOF
#!/bin/sh
n=\$(cat $work/l 2>/dev/null || echo 0); n=\$((1 - n)); echo \$n >$work/l
$L set "relayhost=[192.0.2.\$((10 + n))]:587" >/dev/null && $L apply --yes >/dev/null
EOF
chmod +x "$work/rd_apply.sh" "$work/ssh_apply.sh" "$work/local_apply.sh"

# mean_ms CMD - mean wall time in ms (hyperfine, else a date loop).
mean_ms() {
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/h.json" "$1" >/dev/null 2>&1 ||
		    { echo NA; return; }
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["mean"]*1000))' "$work/h.json"
	else
		local t0 t1 i
		$1 >/dev/null 2>&1 || true
		t0=$(date +%s%N)
		for ((i = 0; i < runs; i++)); do $1 >/dev/null 2>&1 || true; done
		t1=$(date +%s%N)
		awk -v d=$((t1 - t0)) -v n="$runs" 'BEGIN { printf "%.1f\n", d / n / 1e6 }'
	fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "NA" }'; }

rs=$(mean_ms "$RD show")
ss=$(mean_ms "$SSH postconf -c $C -n")
ra=$(mean_ms "$work/rd_apply.sh")
sa=$(mean_ms "$work/ssh_apply.sh")
la=$(mean_ms "$work/local_apply.sh")
lsh=$(mean_ms "$L show")
{
	echo "# relaydeck over SSH vs ssh + Postfix tools"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, Postfix $(postconf -h mail_version), $(ssh -V 2>&1), relaydeck $($RELAYDECK --version | cut -d' ' -f2), KexAlgorithms curve25519-sha256, $(command -v hyperfine >/dev/null && echo "hyperfine, $runs runs" || echo "date loop, $runs runs")"
	echo
	echo "| measurement | relaydeck | ssh | ratio |"
	echo "|---|---:|---:|---:|"
	echo "| show vs postconf -n, mean ms | $rs | $ss | $(ratio "$rs" "$ss") |"
	echo "| set + apply vs postconf -e, mean ms | $ra | $sa | $(ratio "$ra" "$sa") |"
	echo
	echo "The same relaydeck on this machine without SSH (the transport's share):"
	echo
	echo "| measurement | over SSH | local | ratio |"
	echo "|---|---:|---:|---:|"
	echo "| show, mean ms | $rs | $lsh | $(ratio "$rs" "$lsh") |"
	echo "| set + apply, mean ms | $ra | $la | $(ratio "$ra" "$la") |"
	echo
	echo "SSH logins during the run: $(grep -c 'Accepted publickey' "$SSHD_LOG")"
} | tee "$top/bench/results-remote.md"
