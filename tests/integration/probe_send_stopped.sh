#!/bin/bash
# probe_send_stopped.sh - probe send against a Postfix instance that is not
# running fails at once, saying so, instead of leaving a message in the
# maildrop queue and waiting out its --timeout for a log line that never
# comes; once the instance runs, the same command gets past that check.
# Needs root.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 6

port=$(pfi_free_port)
if ! pfi_create "$port"; then
	tap_not_ok "managed Postfix instance created"
	tap_done
fi
C=$PFI_CONF
S=$RD_TMP/state
mkdir -m 700 "$S"
# Started once and stopped, as a stopped relay is: its queue exists.
pfi_start && pfi_stop
tap_check "the instance is not running" test "$(postfix -c "$C" status >/dev/null 2>&1; echo $?)" -ne 0

start=$(date +%s%N)
rd -c "$C" --state-dir "$S" probe send --to rcpt@example.net --timeout 20
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_is "$RD_RC" 1 "probe send with Postfix stopped: exit 1"
tap_check "... at once: within half of a 20 s --timeout (took $ms ms)" test "$ms" -lt 10000
tap_like "$RD_ERR" "Postfix is not running for $C \(postfix status\).*postfix -c $C start" \
    "... and says Postfix is not running, and how to start it"
q=$(postconf -c "$C" -h queue_directory)
tap_is "$(find "$q/maildrop" -type f 2>&1 | wc -l)" 0 "... nothing was left in the maildrop queue"

# Running: the check passes (the message goes nowhere: 192.0.2.1 is a
# documentation address, so a 2 s --timeout ends the follow).
pfi_start || { tap_not_ok "instance started"; tap_done; }
rd -c "$C" --state-dir "$S" probe send --to rcpt@example.net --timeout 2
tap_unlike "$RD_ERR" "not running" "with the instance running, probe send submits"

tap_done
