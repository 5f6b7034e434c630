#!/bin/bash
# verdict_saved.sh - the verdict apply keeps of the files it leaves
# (state dir "verdict", keyed by main.cf, master.cf and the config dir):
#  - the next apply on the same files skips the check before the change;
#  - main.cf or master.cf changed behind relaydeck's back: the check
#    before the change runs again, and a warning already there is not
#    blamed on the change;
#  - a saved verdict that is wrong (it lacks a warning the files have):
#    the old files are checked again and the change is not blamed;
#  - a warning the change really adds still fails the apply, files back;
#  - a rollback to files on which Postfix warned is done, the warning
#    reported: it was there when the backup was taken.
# Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 21

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
V=$RELAYDECK_STATE_DIR/verdict
SKIPPED=$(tap_re_quote "postfix check before the change: as at the last check of these files")
RECHECK="checking the files as they were before the change again"

# apply_relay N - stage relayhost [192.0.2.N]:587 and apply it.
apply_relay() {
	rd -c "$C" set "relayhost=[192.0.2.$1]:587"
	rd -c "$C" apply --yes
}

apply_relay 10
tap_is "$RD_RC" 0 "first apply exits 0"
tap_check "... and leaves a verdict in the state dir" test -s "$V"
tap_is "$(stat -c %a "$V")" 600 "... readable by its owner only"

apply_relay 11
tap_is "$RD_RC" 0 "second apply on the same files exits 0"
tap_like "$RD_OUT" "$SKIPPED" "... and skips the check before the change"

# main.cf changed behind relaydeck's back: a warning Postfix gives already
echo 'rd_test_unused_x = 1' >>"$C/main.cf"
apply_relay 12
tap_is "$RD_RC" 0 "main.cf changed by hand (an unused parameter): apply exits 0"
tap_unlike "$RD_OUT" "$SKIPPED" "... the check before the change runs again"
tap_unlike "$RD_ERR" "makes Postfix warn" "... the old warning is not blamed on the change"
tap_like "$RD_OUT" "unused parameter: rd_test_unused_x" "... and is listed as an old warning"

echo '# edited by hand' >>"$C/master.cf"
apply_relay 13
tap_unlike "$RD_OUT" "$SKIPPED" "master.cf changed by hand: the check before the change runs again"

# A wrong saved verdict: the right key, but none of the warnings.
head -n 1 "$V" >"$V.new" && mv "$V.new" "$V" && chmod 600 "$V"
apply_relay 14
tap_is "$RD_RC" 0 "a saved verdict that lacks an old warning: apply exits 0"
tap_like "$RD_OUT" "$RECHECK" "... after checking the old files again"
tap_unlike "$RD_ERR" "makes Postfix warn" "... the change is not blamed"
tap_is "$(postconf -c "$C" -h relayhost)" "[192.0.2.14]:587" "... and the edit is in place"

# A warning the change adds fails the apply, saved verdict or not.
apply_relay 15
cp "$C/main.cf" "$RD_TMP/main.cf.before"
rd -c "$C" set 'relayhost=$rd_test_undefined_y'
rd -c "$C" apply --yes
tap_is "$RD_RC" 1 "a change that makes Postfix warn fails (exit 1)"
tap_like "$RD_ERR" "makes Postfix warn: .*undefined parameter: rd_test_undefined_y" \
    "... naming the new warning"
tap_check "... main.cf is put back byte for byte" cmp -s "$C/main.cf" "$RD_TMP/main.cf.before"

# A rollback brings back a warning the files had: not refused.
rd -c "$C" discard
echo 'rd_test_unused_z = 1' >>"$C/main.cf"
rd -c "$C" unset rd_test_unused_z
rd -c "$C" apply --yes
tap_is "$RD_RC" 0 "unset of an unused parameter (its warning goes): apply exits 0"
cp "$C/main.cf" "$RD_TMP/main.cf.clean"
rd -c "$C" rollback --yes
tap_is "$RD_RC" 0 "rollback to the files with that warning exits 0"
tap_like "$RD_OUT$RD_ERR" "unused parameter: rd_test_unused_z" "... and reports the warning"
tap_like "$(cat "$C/main.cf")" "rd_test_unused_z = 1" "... main.cf is the backup again"
