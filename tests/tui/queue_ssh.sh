#!/bin/bash
# queue_ssh.sh - the Queue screen test (queue.sh) on a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/queue.sh"
