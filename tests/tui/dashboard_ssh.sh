#!/bin/bash
# dashboard_ssh.sh - the Dashboard test (dashboard.sh) on a remote host over
# SSH: the check's worker thread and the probe and start keys use the SSH
# target while the main thread draws.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/dashboard.sh"
