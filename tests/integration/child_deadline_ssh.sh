#!/bin/bash
# child_deadline_ssh.sh - the child_deadline.sh cases against a remote host
# over SSH: the deadline ends the remote sendmail and what it started.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/child_deadline.sh"
