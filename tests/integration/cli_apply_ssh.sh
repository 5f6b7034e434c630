#!/bin/bash
# cli_apply_ssh.sh - the cli_apply.sh cases against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/cli_apply.sh"
