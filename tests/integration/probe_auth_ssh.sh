#!/bin/bash
# probe_auth_ssh.sh - the probe_auth.sh cases against a remote host over SSH: the
# probe connects from the relay (direct-tcpip) and reads the relay's CA.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/probe_auth.sh"
