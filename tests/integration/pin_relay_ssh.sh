#!/bin/bash
# pin_relay_ssh.sh - the pin_relay.sh cases against a remote host over SSH: the
# probe connects from the relay (direct-tcpip) and reads the relay's CA.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/pin_relay.sh"
