#!/bin/bash
# creds_ssh.sh - the creds.sh cases (sasl_passwd 0600 before content, masks,
# postmap) against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/creds.sh"
