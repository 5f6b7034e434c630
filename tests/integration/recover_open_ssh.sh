#!/bin/bash
# recover_open_ssh.sh - the recover_open.sh cases against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/recover_open.sh"
