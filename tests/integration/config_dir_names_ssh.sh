#!/bin/bash
# config_dir_names_ssh.sh - config_dir_names.sh against a remote host over SSH.
exec bash "$(dirname "$0")/../lib/over_ssh.sh" "$(dirname "$0")/config_dir_names.sh"
