#!/bin/bash
# health_ssh.sh - the health.sh cases against a remote host over SSH (the
# pid file, ps, postfix check, postqueue and the mail log's tail all read
# through the SSH target).
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/health.sh"
