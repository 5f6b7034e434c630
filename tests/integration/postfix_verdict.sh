#!/bin/bash
# postfix_verdict.sh - what apply makes of Postfix's own verdict, on
# sandboxes checked by the real `postfix check` and `postconf -n`:
#  - maillog_file = /dev/stdout and no compatibility_level: Postfix's
#    compatibility notice comes back with a new stamp and pid each run;
#    it is the same warning, so an edit applies;
#  - a main.cf Postfix already rejects (setgid_group =): apply says so
#    first, in Postfix's words, and does not blame the change; fixing it
#    applies;
#  - a change that makes Postfix fail: Postfix's reason ("fatal: ..."),
#    not "see the log";
#  - postconf -n failing (as a user, where postfix check cannot run): its
#    fatal line, not the first warning before it.
# Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 19

# sandbox NAME - a fresh sandbox in $RD_TMP/NAME; sets C and the state dir.
sandbox() {
	sh "$RD_LIB/sandbox.sh" "$RD_TMP/$1" >/dev/null
	C=$RD_TMP/$1/etc
	export RELAYDECK_STATE_DIR=$RD_TMP/$1/state
}

SETGID_REASON='fatal: bad string length 0 < 1: setgid_group ='

# --- maillog_file = /dev/stdout, no compatibility_level (issue item 16) ---
sandbox stdout
sed -i '/^compatibility_level/d' "$C/main.cf"
echo 'maillog_file = /dev/stdout' >>"$C/main.cf"
rd -c "$C" set 'relayhost=[192.0.2.40]:587'
rd -c "$C" apply --yes
tap_is "$RD_RC" 0 "maillog_file=/dev/stdout without compatibility_level: apply exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(postconf -c "$C" -h relayhost)" "[192.0.2.40]:587" "... and relayhost is applied"
tap_unlike "$RD_ERR" "makes Postfix warn" "... no 'the change makes Postfix warn'"
tap_like "$RD_OUT" "postfix: Postfix is using backwards-compatible default settings" \
    "... the notice is listed once as an old warning, without stamp or pid"

# --- Postfix already rejects main.cf (setgid_group =) --------------------
sandbox broken
echo 'setgid_group =' >>"$C/main.cf"
cp "$C/main.cf" "$RD_TMP/broken.orig"
rd -c "$C" set 'relayhost=[192.0.2.41]:587'
rd -c "$C" apply --yes
tap_is "$RD_RC" 1 "already rejected: apply exits 1"
tap_is "$(printf '%s\n' "$RD_OUT" | head -n 1)" \
    "Postfix already rejects this main.cf: $SETGID_REASON" \
    "... the first line says so, in Postfix's words"
tap_like "$RD_ERR" "Postfix already rejects this main.cf, before this change too: $SETGID_REASON" \
    "... the error does not blame the change"
tap_unlike "$RD_ERR" "logged the reason|see the log" "... no 'the reason went to the log'"
tap_check "... main.cf is byte-identical" cmp -s "$C/main.cf" "$RD_TMP/broken.orig"
rd -c "$C" --json apply --yes
if printf '%s' "$RD_OUT" | rd_json "d['ok'] is False and d['rejected_before'] == '$SETGID_REASON' and 'before this change too' in d['error']['message']"; then
	tap_ok "... --json: rejected_before holds the reason"
else
	tap_not_ok "... --json: rejected_before holds the reason"
	rd_diag
fi
rd -c "$C" discard
rd -c "$C" set setgid_group=postdrop
rd -c "$C" apply --yes
tap_is "$RD_RC" 0 "the edit that fixes it applies (exit 0)"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_OUT" "Postfix accepts the files again" "... and says Postfix accepts the files again"
tap_check "... postfix check passes now" postfix -c "$C" check

# --- a change that makes postfix check fail --------------------------------
sandbox breaks
cp "$C/main.cf" "$RD_TMP/breaks.orig"
rd -c "$C" set setgid_group=
rd -c "$C" apply --yes
tap_is "$RD_RC" 1 "a change postfix check refuses: apply exits 1"
tap_like "$RD_ERR" "postfix check failed: $SETGID_REASON" "... the error quotes Postfix's reason"
tap_unlike "$RD_ERR$RD_OUT" "already rejects" "... and does not say Postfix rejected it before"
tap_check "... main.cf is byte-identical" cmp -s "$C/main.cf" "$RD_TMP/breaks.orig"

# --- postconf -n failing, as a user (no postfix check) ---------------------
# "${mydomain" is a truncated macro: postconf warns about it twice, then
# exits with "fatal: macro processing error". relaydeck refuses to write
# it, so the file gets it by hand.
sandbox user
sed -i 's/^myorigin = .*/myorigin = ${mydomain/' "$C/main.cf"
chown -R nobody "$RD_TMP/user/etc" "$RD_TMP/user/state"
RELAYDECK_STATE_DIR=$RD_TMP/user/state setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$RELAYDECK" -c "$C" set 'relayhost=[192.0.2.42]:587' >/dev/null 2>&1
out=$(RELAYDECK_STATE_DIR=$RD_TMP/user/state setpriv --reuid=nobody --regid=nogroup \
    --clear-groups "$RELAYDECK" -c "$C" apply --yes 2>&1)
tap_like "$out" "Postfix already rejects this main.cf: fatal: macro processing error" \
    "as a user, postconf -n's fatal line is the reason, not its first warning"
tap_unlike "$out" "truncated macro reference.*\\(previous" "... the warnings before it are not quoted as the reason"

tap_done
