#!/bin/bash
# probe_ssh.sh - the probe.sh console test against a remote host over SSH
# (relaydeck -H): the Probe screen's probe connects from the relay (a
# direct-tcpip channel in the probe's worker thread while the screen's own
# reads share the session), the pin and the credential rotation are
# applied on the remote side.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/probe.sh"
