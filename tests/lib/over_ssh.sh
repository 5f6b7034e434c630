#!/bin/bash
# over_ssh.sh SCRIPT - run an integration test against a remote host: a
# throwaway sshd on loopback (tests/lib/sshd.sh), and every `rd` call in
# SCRIPT gets -H root@127.0.0.1:PORT with that server's known_hosts file
# and client key (rdtest.sh reads RD_SSH_*). The script's checks of files
# and Postfix state run on the same machine, i.e. on the remote side.
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"

script=$1
rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
trap sshd_cleanup EXIT
if ! sshd_start; then
	tap_plan 1
	tap_not_ok "sshd started for $(basename "$script")"
	tap_diag "$(tail -n 5 "$SSHD_LOG" 2>/dev/null)"
	tap_done
fi
export RD_SSH_HOST="root@127.0.0.1:$SSHD_PORT"
export RD_SSH_KNOWN_HOSTS=$SSHD_KNOWN_HOSTS
export RD_SSH_KEY=$SSHD_KEY
unset SSH_AUTH_SOCK
echo "# target: ssh $RD_SSH_HOST"
bash "$script"
rc=$?
# Make sure the calls really went over SSH: sshd logged the logins.
n=$(grep -c 'Accepted publickey' "$SSHD_LOG")
echo "# $n SSH logins to $RD_SSH_HOST"
if [ "$n" -eq 0 ]; then
	echo "Bail out! no relaydeck call reached sshd"
	exit 1
fi
exit $rc
