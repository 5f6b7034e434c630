#!/bin/bash
# probe_send_ssh.sh - the probe_send.sh cases against a remote host over
# SSH: the message goes in through the relay's sendmail (target run, the
# message on stdin) and its log is followed over SFTP (target read_at).
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/probe_send.sh"
