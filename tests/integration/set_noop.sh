#!/bin/bash
# set_noop.sh - `set NAME=VALUE` to the value main.cf already has, and
# `unset NAME` of a name main.cf does not set, stage nothing and say so
# (text and --json, exit 0); one that returns a staged name to main.cf's
# value drops the staged edit. On a sandbox; needs root and Postfix.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 13

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
cur=$(postconf -c "$C" -h relayhost)

rd -c "$C" set "relayhost=$cur"
tap_is "$RD_RC" 0 "set relayhost to its current value exits 0"
tap_is "$RD_OUT" "no change: relayhost already has that value" "... and says there is no change"
tap_check "... nothing is staged (no pending file)" test ! -e "$RELAYDECK_STATE_DIR/pending"
rd -c "$C" diff
tap_is "$RD_ERR" "relaydeck: no staged changes" "... diff agrees: nothing staged"

# Blanks around "=" do not make a change.
rd -c "$C" set "relayhost =  $cur"
tap_is "$RD_OUT" "no change: relayhost already has that value" "blanks around = are no change"

rd -c "$C" --json set "relayhost=$cur"
if [ "$RD_RC" -eq 0 ] &&
	printf '%s' "$RD_OUT" | rd_json "d['unchanged'] == ['relayhost'] and d['pending'] == []"; then
	tap_ok "--json: unchanged lists relayhost, pending is empty"
else
	tap_not_ok "--json: unchanged lists relayhost, pending is empty"
	rd_diag
fi

# One real edit beside a no-op: only the real one is staged.
rd -c "$C" set "relayhost=$cur" smtp_tls_loglevel=2
tap_like "$RD_OUT" "no change: relayhost already has that value" "a no-op beside a real edit is reported"
tap_like "$RD_OUT" "^1 edit staged" "... and only the real edit is staged"
tap_unlike "$(cat "$RELAYDECK_STATE_DIR/pending")" "relayhost" "... relayhost is not in the pending file"

# Back to main.cf's value: the staged edit goes away.
rd -c "$C" set 'relayhost=[192.0.2.50]:587'
rd -c "$C" set "relayhost=$cur"
tap_is "$RD_RC" 0 "setting relayhost back to main.cf's value exits 0"
tap_unlike "$(cat "$RELAYDECK_STATE_DIR/pending")" "relayhost" "... and drops its staged edit"

# unset of a name main.cf does not set.
rd -c "$C" unset smtp_sasl_mechanism_filter
tap_is "$RD_OUT" "no change: smtp_sasl_mechanism_filter is not set in main.cf
staged: smtp_tls_loglevel = 2
1 edit staged; review with \`relaydeck diff\`, then \`relaydeck apply\`" \
    "unset of a name main.cf does not set stages nothing"
rd -c "$C" apply --yes
tap_is "$(postconf -c "$C" -h smtp_tls_loglevel)" "2" "the remaining edit applies"

tap_done
