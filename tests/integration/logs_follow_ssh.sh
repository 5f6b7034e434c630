#!/bin/bash
# logs_follow_ssh.sh - logs_follow.sh against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/logs_follow.sh"
