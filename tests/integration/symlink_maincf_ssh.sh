#!/bin/bash
# symlink_maincf_ssh.sh - the symlink_maincf.sh cases against a remote host
# over SSH (SFTP: the link followed with the server's realpath).
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/symlink_maincf.sh"
