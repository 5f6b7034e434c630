#!/bin/bash
# cli_basic_ssh.sh - the cli_basic.sh cases against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/cli_basic.sh"
