#!/bin/bash
# state_dir_trust.sh - the same rule for the state dir on every target: a
# state dir others can write, or one of another user's, is refused by name
# before anything is staged in it. state_dir_trust_ssh.sh runs it over SSH,
# where the state dir is on the remote host. Needs root.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 8

sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null || exit 1
C=$RD_TMP/sb/etc
unset RELAYDECK_STATE_DIR

mkdir -m 777 "$RD_TMP/open"
chmod 777 "$RD_TMP/open"
rd -c "$C" --state-dir "$RD_TMP/open" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "a 0777 state dir: refused (exit 7)"
tap_like "$RD_ERR" "state directory $RD_TMP/open.* is writable by everyone" "... naming the dir"
tap_check "... nothing staged in it" test ! -e "$RD_TMP/open/pending"
# the same dir named with a trailing '/': still checked before it is read
rd -c "$C" --state-dir "$RD_TMP/open/" diff
tap_is "$RD_RC" 7 "a 0777 state dir given as DIR/, read by diff: refused (exit 7)"

mkdir -m 700 "$RD_TMP/theirs"
chown nobody "$RD_TMP/theirs"
rd -c "$C" --state-dir "$RD_TMP/theirs" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "a state dir of nobody's, as root: refused (exit 7)"
tap_like "$RD_ERR" "state directory $RD_TMP/theirs.* belongs to .*uid" "... naming the dir and its owner"
tap_check "... nothing staged in it" test ! -e "$RD_TMP/theirs/pending"

mkdir -m 700 "$RD_TMP/mine"
rd -c "$C" --state-dir "$RD_TMP/mine" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 0 "a 0700 state dir of root's: the edit is staged"

tap_done
