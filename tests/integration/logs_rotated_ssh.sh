#!/bin/bash
# logs_rotated_ssh.sh - the logs_rotated.sh cases against a remote host over
# SSH: the files are read in pieces with read_at over SFTP, journalctl runs
# through run_stream.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/logs_rotated.sh"
