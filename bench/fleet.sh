#!/bin/bash
# bench/fleet.sh - collect `postqueue -j` from N relays: relaydeck -g all
# against parallel-ssh (pssh) and `ansible -m shell`, in one run, same
# concurrency, same curve25519 key exchange, same command on the far side.
#
# Usage: bench/fleet.sh [HOSTS...]	(default 10 50 200 500; root)
# Environment: RELAYDECK=/path/to/relaydeck (default: an optimised build
# without sanitizers), PARALLEL (default 64, every tool), RUNS (default 1;
# best of), QUEUE (messages in the queue, default 100), DEADLINE (seconds
# a host may take, default 10), TOOLS (default "relaydeck pssh ansible"),
# FAULTY (default "0 1": the healthy fleet, then one with dead and hung hosts).
#
# The relays: one sshd in a private network namespace, listening on every
# address of that namespace's loopback (127.0.0.0/8 is all local there),
# so host N is 127.0.X.Y:22 - N distinct connections, key exchanges and
# logins. Every login reaches one private Postfix instance (SetEnv
# MAIL_CONFIG) whose queue holds QUEUE real deferred messages, so every
# host answers `postqueue -j` with QUEUE lines.
#
# Logins are as an account the bench creates, rdbench: uid 0 (postqueue
# serves a private instance's queue to root only), shell /bin/bash, a home
# without rc files. Root's own ~/.bashrc on a developer machine can cost
# more than everything else (pyenv's init ran 60 processes per login
# here), and would measure that file rather than the tools.
#
# Each size runs twice: all hosts healthy, then with 5% of them dead (their
# SYNs are dropped, so connect times out) and one hung (accepts TCP, never sends a banner). Goal: the second run
# takes at most the healthy time plus one DEADLINE.
#
# Measured per tool (bench/treemem.py): wall time; peak memory of the
# client's whole process tree (pssh's and ansible's ssh processes
# included), as PSS (shared pages divided among the processes mapping
# them) and as the plain RSS sum; client CPU. The tools run in a cgroup
# with a high CPU weight, with the sshd, so other work on the machine
# disturbs the comparison less; the load average is recorded anyway.
# Results: bench/results-fleet.md. Never run by "make check".
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
P=${PARALLEL:-64}
RUNS=${RUNS:-1}
QUEUE=${QUEUE:-100}
D=${DEADLINE:-10}
TOOLS=${TOOLS:-relaydeck pssh ansible}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50 200 500)
work=$(mktemp -d /var/tmp/relaydeck-bench-fleet.XXXXXX)
chmod 755 "$work"
ns=rdfleet$$
user=rdbench
made_user=
sshd_pid=
hung_pid=
cg=
die() { echo "bench: $*" >&2; exit 1; }
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null || true
	[ -n "$hung_pid" ] && kill "$hung_pid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	type qf_cleanup >/dev/null 2>&1 && qf_cleanup
	# -f: userdel refuses a uid that running processes have (root's)
	[ -n "$made_user" ] && userdel -f "$user" 2>/dev/null || true
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || die "run as root (network namespace, sshd, Postfix instance)"
command -v parallel-ssh >/dev/null || apt-get install -y -q pssh >/dev/null ||
	die "parallel-ssh missing (apt-get install pssh)"
command -v ansible >/dev/null || apt-get install -y -q ansible-core >/dev/null ||
	die "ansible missing (apt-get install ansible-core)"
if [ -z "${RELAYDECK:-}" ]; then
	bb=$work/build
	mkdir -p "$bb"
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	echo "bench: building relaydeck (-O2, no sanitizers) in $bb"
	(cd "$bb" && "$top/configure" -q CFLAGS="-O2" >/dev/null && make -j2 relaydeck >/dev/null) ||
	    die "build failed"
	RELAYDECK=$bb/relaydeck
fi

# --- the Postfix instance and its queue ---------------------------------
. "$top/tests/lib/postfix_instance.sh"
. "$top/tests/lib/queue_fill.sh"
qf_create || die "could not make a Postfix instance"
pfi_start || die "the Postfix instance did not start"
qf_fill "$QUEUE" || die "the queue did not fill"
got=$(qf_count)
[ "$got" -eq "$QUEUE" ] || die "$got messages queued, not $QUEUE"
chmod 755 "$PFI_ROOT" "$PFI_CONF"

# --- the login account ----------------------------------------------------
mkdir -p "$work/home"
if ! id "$user" >/dev/null 2>&1; then
	useradd -o -u 0 -g 0 -M -d "$work/home" -s /bin/bash "$user" || die "useradd $user failed"
	made_user=1
fi
[ "$(id -u "$user")" = 0 ] || die "account $user exists and is not uid 0"
usermod -d "$work/home" -p '*' "$user" >/dev/null	# '*': no password, not locked

# --- sshd in its own network namespace -----------------------------------
[ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/admin_key"
cp "$work/admin_key.pub" "$work/authorized_keys"
chmod 644 "$work/authorized_keys"
cat >"$work/sshd_config" <<EOF
ListenAddress 0.0.0.0:22
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
KexAlgorithms curve25519-sha256
MaxStartups 2000:100:2000
MaxSessions 10
LogLevel ERROR
Subsystem sftp internal-sftp
SetEnv MAIL_CONFIG=$PFI_CONF
EOF
ip netns add "$ns"
ip -n "$ns" link set lo up
# a high CPU weight for the tools and the relays (cgroup v1 or v2)
if [ -d /sys/fs/cgroup/cpu ] && mkdir -p /sys/fs/cgroup/cpu/rdbench$$ 2>/dev/null; then
	cg=/sys/fs/cgroup/cpu/rdbench$$
	echo 262144 >"$cg/cpu.shares"
elif [ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir -p /sys/fs/cgroup/rdbench$$ 2>/dev/null; then
	cg=/sys/fs/cgroup/rdbench$$
	echo 10000 >"$cg/cpu.weight" 2>/dev/null || true
fi
[ -n "$cg" ] && echo $$ >"$cg/cgroup.procs"
ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$work/sshd_config" 2>>"$work/sshd.log" &
sshd_pid=$!
# The hung host accepts and never answers (127.0.255.1:2200). Dead hosts
# (127.0.254.N:2300) reach a listener that never accepts and whose queue
# is full: the kernel drops their SYNs, as a host that is down does.
ip netns exec "$ns" python3 -c '
import socket
dead = socket.socket(); dead.bind(("0.0.0.0", 2300)); dead.listen(0); fill = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect(("127.0.0.1", 2300))
    except BlockingIOError:
        pass
    fill.append(c)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.255.1", 2200)); s.listen(64); held = []
while True:
    c, _ = s.accept(); held.append(c)' &
hung_pid=$!
sleep 1
echo "127.0.* $(cut -d' ' -f1,2 "$work/host_key.pub")" >"$work/known_hosts"
cat >"$work/ssh_config" <<EOF
Host *
	User $user
	IdentityFile $work/admin_key
	IdentitiesOnly yes
	UserKnownHostsFile $work/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	KexAlgorithms curve25519-sha256
	ControlMaster no
	ConnectTimeout $D
EOF
unset SSH_AUTH_SOCK
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_ARGS="-F $work/ssh_config" \
	ANSIBLE_PIPELINING=True ANSIBLE_GATHERING=explicit ANSIBLE_NOCOLOR=1 \
	ANSIBLE_LOCAL_TEMP=$work/ansible-tmp ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
	ANSIBLE_TIMEOUT=$D

addr() { echo "127.0.$(( ($1 - 1) / 250 + 1 )).$(( ($1 - 1) % 250 + 1 ))"; }

# hosts N FAULTY - the inventories of N hosts: "host port" lines in
# $work/hosts (5% dead and one hung when FAULTY is 1)
hosts() {
	local n=$1 faulty=$2 dead=0 i
	[ "$faulty" = 1 ] && dead=$(( (n * 5 + 99) / 100 ))
	: >"$work/hosts"
	for i in $(seq "$n"); do
		if [ "$faulty" = 1 ] && [ "$i" -eq 1 ]; then
			echo "127.0.255.1 2200"
		elif [ "$faulty" = 1 ] && [ "$i" -le $((dead + 1)) ]; then
			echo "127.0.254.$i 2300"
		else
			echo "$(addr "$i") 22"
		fi
	done >"$work/hosts"
	{
		echo "vars: {user: $user, identity_file: $work/admin_key, known_hosts: $work/known_hosts}"
		echo "hosts:"
		awk '{ printf "  h%04d: {host: %s, port: %s}\n", NR, $1, $2 }' "$work/hosts"
	} >"$work/inv.yml"
	awk '{ print $1 ":" $2 }' "$work/hosts" >"$work/pssh.txt"
	{
		echo "all:"
		echo "  hosts:"
		awk -v u="$user" '{ printf "    h%04d: {ansible_host: %s, ansible_port: %s, ansible_user: %s}\n", NR, $1, $2, u }' "$work/hosts"
	} >"$work/ansible.yml"
	healthy=$(grep -c ' 22$' "$work/hosts" || true)
	ndead=$dead
}

# relay_cpu - CPU time (clock ticks) of every finished login of the
# relays: the listening sshd's reaped children, their shells and commands
relay_cpu() { awk '{ print $16 + $17 }' "/proc/$sshd_pid/stat"; }

# busy - "busy total" jiffies of the whole machine (/proc/stat)
busy() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# settle - wait (up to 30 s) until the relays are idle: no sshd session
# left from the last run (ansible's hundreds of closing logins would
# otherwise share the CPUs with the next tool's run)
settle() {
	for _ in $(seq 300); do
		pgrep -P "$sshd_pid" >/dev/null || return 0
		sleep 0.1
	done
}

# best TOOL - run TOOL RUNS times; "ms pss rss cpu" of the fastest run,
# after checking it printed QUEUE messages from every healthy host
best() {
	local tool=$1 b=999999999 line=
	for _ in $(seq "$RUNS"); do
		case $tool in
		relaydeck) set -- "$RELAYDECK" --inventory "$work/inv.yml" -F "$work/ssh_config" \
			-g all --parallel "$P" --connect-timeout "$D" --host-timeout "$D" \
			queue list --json ;;
		pssh) set -- parallel-ssh -p "$P" -t "$D" -h "$work/pssh.txt" -i \
			-x "-F $work/ssh_config" -- /usr/sbin/postqueue -j ;;
		ansible) set -- ansible all -i "$work/ansible.yml" -f "$P" -T "$D" -m shell \
			-a '/usr/sbin/postqueue -j' ;;
		esac
		settle
		s0=$(relay_cpu)
		m0=$(busy)
		ip netns exec "$ns" python3 "$top/bench/treemem.py" "$work/mem" "$@" \
			>"$work/out" 2>"$work/err" || true
		m1=$(busy)
		settle
		s1=$(relay_cpu)
		echo "bench:     $tool run: machine busy $(awk -v a="$m0" -v b="$m1" 'BEGIN {
			split(a, x); split(b, y); printf "%.0f%%", 100 * (y[1] - x[1]) / (y[2] - x[2]) }')" >&2
		got=$(grep -o '"arrival_time"' "$work/out" | wc -l)
		[ "$got" -eq $((healthy * QUEUE)) ] ||
			die "$tool: $got messages, not $((healthy * QUEUE)) ($healthy hosts): $(tail -n 3 "$work/err")"
		read -r ms pss rss cpu _ <"$work/mem"
		if [ "$ms" -lt "$b" ]; then
			b=$ms
			line="$ms $pss $rss $cpu $(awk -v a="$s0" -v b="$s1" -v t="$(getconf CLK_TCK)" \
				'BEGIN { printf "%.2f", (b - a) / t }')"
		fi
	done
	echo "$line"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

table="| relays | hosts down | tool | wall, ms | vs pssh | vs ansible | peak PSS, MiB | peak RSS sum, MiB | PSS per host, KiB | client CPU, s | relays' CPU, s |
|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
	for faulty in ${FAULTY:-0 1}; do
		hosts "$n" "$faulty"
		label=none
		[ "$faulty" = 1 ] && label="$ndead dead, 1 hung"
		echo "bench: $n relays ($label), $P at a time, best of $RUNS, load $(cut -d' ' -f1 /proc/loadavg)"
		declare -A R=()
		for t in $TOOLS; do
			R[$t]=$(best "$t")
			echo "bench:   $t: ${R[$t]}"
		done
		for t in $TOOLS; do
			read -r ms pss rss cpu rcpu <<<"${R[$t]}"
			vp=-; va=-
			[ -n "${R[pssh]:-}" ] && vp=$(ratio "$ms" "${R[pssh]%% *}")
			[ -n "${R[ansible]:-}" ] && va=$(ratio "$ms" "${R[ansible]%% *}")
			table="$table
| $n | $label | $t | $ms | $vp | $va | $(mib "$pss") | $(mib "$rss") | $((pss / n)) | $cpu | $rcpu |"
		done
		unset R
	done
done
{
	echo "# bench/fleet.sh results ($(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg) at the end, parallel $P, best of $RUNS, $QUEUE messages per queue, deadline $D s)"
	echo
	echo "$table"
} >"$top/bench/results-fleet.md"
cat "$top/bench/results-fleet.md"
