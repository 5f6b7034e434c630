#!/bin/bash
# remote_apply_kill.sh - kill -9 of relaydeck in the middle of a remote
# apply (over a real sshd) that changes main.cf and a map together
# (`setup --yes` of one smart host, set A with STARTTLS and one password,
# set B with implicit TLS and another: smtp_tls_wrappermode in main.cf,
# the entry in sasl_passwd and its .db), at spread-out moments of the
# apply.
#
# After each kill: every file on the relay is whole, byte for byte the old
# or the new version (atomic renames over SFTP); when the set is mixed
# (main.cf new, sasl_passwd old, or the .db behind its source), the
# "applying" marker in the relay's state dir names the backup, and the
# next apply puts the whole set back first: after it the three agree and
# no marker is left. (A next command that finds nothing to change does not
# reach the apply, so it would not recover yet: the next apply here always
# changes main.cf.) Needs root, Postfix, openssh-server; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/sshd.sh"

rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
rd_tmpdir
trap 'sshd_cleanup; rd_cleanup' EXIT
KILLS=${RD_KILLS:-6}
tap_plan $(( 4 + KILLS * 4 + 1 ))

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
S=$RD_TMP/sb/etc
STATE=$RD_TMP/sb/state
sshd_start
tap_is "$?" 0 "sshd started"
unset SSH_AUTH_SOCK
VIA=(-H "root@127.0.0.1:$SSHD_PORT" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$SSHD_KEY"
     -c "$S" --state-dir "$STATE")
KEY="[192.0.2.25]:2525"
(umask 077 && printf 'kill-test-A-%s\n' $$ >"$RD_TMP/pw.A" &&
    printf 'kill-test-B-%s\n' $$ >"$RD_TMP/pw.B")

# setup_args SET - the setup of set A (STARTTLS) or B (implicit TLS).
setup_args() {
	local tls=starttls
	[ "$1" = B ] && tls=implicit
	echo setup --yes --provider custom --host 192.0.2.25 --port 2525 --tls $tls \
	    --user relay@example.net --password-file "$RD_TMP/pw.$1"
}
# setup_run SET - one whole setup; exit status as relaydeck's.
setup_run() {
	# shellcheck disable=SC2046
	"$RELAYDECK" "${VIA[@]}" $(setup_args "$1") >"$RD_TMP/out" 2>"$RD_TMP/err" </dev/null
}
# file_set FILE - A or B when FILE is byte for byte that set's version, else ?.
file_set() {
	local sum
	sum=$(sha256sum <"$1" | cut -d' ' -f1)
	case $sum in
	"$(cat "$RD_TMP/$(basename "$1").A")") echo A ;;
	"$(cat "$RD_TMP/$(basename "$1").B")") echo B ;;
	*) echo "?" ;;
	esac
}
# db_set - A or B by the password the compiled sasl_passwd.db holds.
db_set() {
	case $(postmap -c "$S" -q "$KEY" "hash:$S/sasl_passwd" 2>/dev/null) in
	*:kill-test-A-*) echo A ;;
	*:kill-test-B-*) echo B ;;
	*) echo "?" ;;
	esac
}
state() { echo "$(file_set "$S/main.cf")$(file_set "$S/sasl_passwd")$(db_set)"; }

# wait_marker GONE - poll (5 ms) until the applying marker exists (or, with
# GONE, until it is gone again); 1 after 60 s.
wait_marker() {
	local n=0
	while [ $n -lt 12000 ]; do
		if [ -z "$1" ]; then
			[ -e "$STATE/applying" ] && return 0
		else
			[ -e "$STATE/applying" ] || return 0
		fi
		sleep 0.005
		n=$((n + 1))
	done
	return 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The two versions of each file, from whole runs; the second measures the
# window in which the apply runs (the marker exists), where the kills go.
setup_run B
sha256sum <"$S/main.cf" | cut -d' ' -f1 >"$RD_TMP/main.cf.B"
sha256sum <"$S/sasl_passwd" | cut -d' ' -f1 >"$RD_TMP/sasl_passwd.B"
setup_run A &
pid=$!
wait_marker && t0=$(now_ms)
wait_marker gone && t1=$(now_ms)
wait "$pid"
tap_is "$?" 0 "a whole remote setup applies"
sha256sum <"$S/main.cf" | cut -d' ' -f1 >"$RD_TMP/main.cf.A"
sha256sum <"$S/sasl_passwd" | cut -d' ' -f1 >"$RD_TMP/sasl_passwd.A"
tap_is "$(state)" "AAA" "set A in place (main.cf, sasl_passwd, sasl_passwd.db)"
ms=$(( ${t1:-0} - ${t0:-0} ))
tap_like "$ms" '^[1-9][0-9]*$' "the apply (backup to the end, marker present) takes $ms ms"
tap_diag "kills spread over 0..$ms ms after the marker appears"

mixed=0
for i in $(seq "$KILLS"); do
	cur=$(state)
	cur=${cur:0:1}
	next=B
	[ "$cur" = B ] && next=A
	# spread the kills over the apply, a little later each time
	delay=$(( ms * i / (KILLS + 1) ))
	# shellcheck disable=SC2046
	"$RELAYDECK" "${VIA[@]}" $(setup_args "$next") >/dev/null 2>&1 </dev/null &
	pid=$!
	wait_marker
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sleep 0.2	# let sshd see the connection go
	after=$(state)
	case ${after:0:2} in
	*"?"*) tap_not_ok "kill $i at $delay ms: a file is torn ($after)" ;;
	*) tap_ok "kill $i at $delay ms: main.cf and sasl_passwd each whole ($after)" ;;
	esac
	if [ "$after" = AAA ] || [ "$after" = BBB ]; then
		tap_ok "kill $i: the set is whole ($after)"
	elif [ -e "$STATE/applying" ]; then
		mixed=$((mixed + 1))
		tap_ok "kill $i: a mixed set ($after) is marked for recovery"
	else
		tap_not_ok "kill $i: a mixed set ($after) with no applying marker"
	fi
	# The next apply (one that changes main.cf, so it runs): recovery
	# first, then its own change.
	again=A
	[ "${after:0:1}" = A ] && again=B
	setup_run "$again" || setup_run "$again"
	final=$(state)
	case $final in
	AAA | BBB) tap_ok "kill $i: after the next apply the set is whole ($final)" ;;
	*) tap_not_ok "kill $i: after the next apply the set is still mixed ($final)" ;;
	esac
	tap_check "kill $i: no applying marker is left" test ! -e "$STATE/applying"
done
tap_diag "$mixed of $KILLS kills left a mixed set that the next apply recovered"
tap_is "$(postfix -c "$S" check 2>&1)" "" "postfix check is quiet on the final files"
tap_done
