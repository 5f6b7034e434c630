#!/bin/bash
# state_dir_trust_ssh.sh - state_dir_trust.sh against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/state_dir_trust.sh"
