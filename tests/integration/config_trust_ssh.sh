#!/bin/bash
# config_trust_ssh.sh - config_trust.sh against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/config_trust.sh"
