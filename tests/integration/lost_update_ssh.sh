#!/bin/bash
# lost_update_ssh.sh - the lost_update.sh cases against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/lost_update.sh"
