#!/bin/bash
# relay_edit_ssh.sh - the relay_edit.sh console test against a remote host
# over SSH (relaydeck -H), the host shown in the status line.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/relay_edit.sh"
