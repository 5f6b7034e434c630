#!/bin/bash
# maps.sh - rewrite and routing maps on a sandbox: list, add + query through
# the real postmap, "try an address" on a composed setup (canonical regexp,
# sender-dependent relay, transport, generic), import, and bad input (missing
# value, key with spaces, unknown type, regexp that does not compile, corrupt
# .db) with nothing written.  Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 21

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state

# Compose: canonical regexp, per-sender relay, transport.
cp "$RD_SRCDIR/tests/data/maps/sender_canonical.regexp" "$C/sender_canonical"
cp "$RD_SRCDIR/tests/data/maps/sender_dependent_relayhost.hash" "$C/sender_relay"
cp "$RD_SRCDIR/tests/data/maps/transport.hash" "$C/transport"
postmap -c "$C" "hash:$C/sender_relay" "hash:$C/transport"
postconf -c "$C" -e "sender_canonical_maps = regexp:$C/sender_canonical" \
    "sender_dependent_relayhost_maps = hash:$C/sender_relay" \
    "transport_maps = hash:$C/transport"

rd -c "$C" --json map list
tap_is "$RD_RC" 0 "map list exits 0"
tap_check "map list names every table with entries" rd_json \
    "{m['param'] for m in d['maps'] if 'entries' in m} >= {'smtp_generic_maps','sender_canonical_maps','sender_dependent_relayhost_maps','transport_maps','smtp_header_checks'}" <<<"$RD_OUT"

rd -c "$C" map add smtp_generic_maps 'web@relay01.example.net' 'web@example.net' --yes
tap_is "$RD_RC" 0 "map add to the generic table exits 0"
tap_is "$(postmap -c "$C" -q web@relay01.example.net "hash:$C/generic")" "web@example.net" \
    "postmap -q sees the new generic entry"
rd -c "$C" map query smtp_generic_maps web@relay01.example.net
tap_is "$RD_OUT" "web@example.net" "map query prints what postmap -q returns"
rd -c "$C" map query smtp_generic_maps nobody@nowhere.example
tap_is "$RD_RC" 6 "map query of a missing key exits 6"

rd -c "$C" map add sender_canonical_maps '/^(.*)@db01\.localdomain$/' '${1}@example.com' --yes
tap_is "$RD_RC" 0 "map add of a regexp rule exits 0"
tap_is "$(postmap -c "$C" -q app@db01.localdomain "regexp:$C/sender_canonical")" "app@example.com" \
    "postmap -q applies the new regexp rule"

# Try an address: canonical rewrites it, the relay and transport follow it.
rd -c "$C" --json map try root@localhost.localdomain
tap_is "$RD_RC" 0 "map try exits 0"
tap_check "sender_canonical applies the seed rule (first match wins)" rd_json \
    "[s['result'] for s in d['steps'] if s['param']=='sender_canonical_maps']==['root@yourdomain.com']" <<<"$RD_OUT"
rd -c "$C" --json map try tester@example.net
tap_check "transport routes the migrated mailbox to the new relay" rd_json \
    "[s.get('result') for s in d['steps'] if s['param']=='transport_maps']==['smtp:[email-smtp.eu-west-1.amazonaws.com]:587']" <<<"$RD_OUT"
rd -c "$C" --json map try someone@sub.example.com
tap_check "transport matches .example.com for a subdomain" rd_json \
    "[s.get('key') for s in d['steps'] if s['param']=='transport_maps']==['.example.com']" <<<"$RD_OUT"
rd -c "$C" --json map try billing@example.org
tap_check "sender relay matches @example.org" rd_json \
    "[s.get('result') for s in d['steps'] if s['param']=='sender_dependent_relayhost_maps']==['[smtp.sendgrid.net]:587']" <<<"$RD_OUT"

# Bad input: one-line error naming file:line, nothing written.
cp -p "$C/generic" "$RD_TMP/generic.before"
rd -c "$C" map add smtp_generic_maps 'two words' 'x@example.net' --yes
tap_is "$RD_RC" 3 "a key with a space is refused (exit 3)"
rd -c "$C" map add sender_canonical_maps '/^(broken$/' 'x' --yes
tap_is "$RD_RC" 3 "a regexp that does not compile is refused (exit 3)"
rd -c "$C" map show nosuch:/tmp/x
tap_is "$RD_RC" 3 "an unknown map type is refused (exit 3)"
printf 'ok@example.com ok2@example.com\nmissing-value\n' >"$RD_TMP/import"
rd -c "$C" map import smtp_generic_maps "$RD_TMP/import" --yes
tap_is "$RD_RC" 4 "import of a file with a missing value exits 4"
tap_check "the error names the imported file and line 2" grep -qF "$RD_TMP/import:2:" <<<"$RD_ERR"
tap_check "generic unchanged by refused edits" cmp -s "$C/generic" "$RD_TMP/generic.before"
# A corrupt compiled table: postmap -q fails and says so.
printf 'garbage, not a Berkeley DB file' >"$C/generic.db"
rd -c "$C" map query smtp_generic_maps web@relay01.example.net
tap_check "query on a corrupt .db fails with postmap's reason" test "$RD_RC" -ne 0 -a -n "$RD_ERR"
printf 'ok@example.com ok2@example.com\n' >"$RD_TMP/import"
rd -c "$C" map import smtp_generic_maps "$RD_TMP/import" --yes
tap_is "$(postmap -c "$C" -q ok@example.com "hash:$C/generic")" "ok2@example.com" \
    "import of a good file replaces the table and rebuilds the .db"
tap_done
