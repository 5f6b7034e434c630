#!/bin/bash
# setup_old_credential.sh - when `relaydeck setup` switches the relay, the
# previous relay's sasl_passwd entry is a stale secret: setup names it in
# a note and keeps it; --remove-old-credential removes it in the same
# change set (postmap -q no longer finds it, the new entry is there);
# --json reports old_credential; an entry still used (by transport_maps,
# a master.cf service's -o relayhost=, main.cf's default_transport) is
# neither named nor removed, a master.cf comment is no use; the same relay
# again names nothing.
# Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT
tap_plan 18

OLD='[smtp.example.com]:587'
NEW='[192.0.2.25]:2525'
PASSWORD='Another-Secret-1'

# fresh NAME - a new sandbox (relayhost OLD, with an entry) in $RD_TMP/NAME.
fresh() {
	"$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/$1" >/dev/null || return 1
	S=$RD_TMP/$1/etc
	export RELAYDECK_STATE_DIR=$RD_TMP/$1/state
}

# setup_run [ARGS...] - setup of the custom relay NEW, password on stdin.
setup_run() {
	RD_RC=0
	RD_OUT=$(printf '%s\n' "$PASSWORD" | rdx -c "$S" setup --yes --provider custom \
	    --host 192.0.2.25 --port 2525 --user newuser "$@" 2>"$RD_TMP/.err") || RD_RC=$?
	RD_ERR=$(cat "$RD_TMP/.err")
}

lookup() {
	postmap -q "$1" "hash:$S/sasl_passwd" 2>/dev/null
}

fresh note
setup_run
tap_is "$RD_RC" 0 "setup to another relay succeeds"
tap_like "$RD_OUT" "note: the previous relay's credential \\[smtp\\.example\\.com\\]:587 \\(user relay-user@example\\.net\\) .* no longer used" \
	"setup names the previous relay's unused credential"
tap_like "$RD_OUT" "--remove-old-credential" "the note names the option that removes it"
tap_isnt_empty() { [ -n "$1" ] && tap_ok "$2" || tap_not_ok "$2"; }
tap_isnt_empty "$(lookup "$OLD")" "without the option the old entry stays"

fresh remove
setup_run --remove-old-credential
tap_is "$RD_RC" 0 "setup --remove-old-credential succeeds"
tap_is "$(lookup "$OLD")" "" "the old relay's entry is gone from the table postmap reads"
tap_is "$(lookup "$NEW")" "newuser:$PASSWORD" "the new relay's entry is there"
tap_unlike "$RD_OUT$RD_ERR" "example-not-a-real-password" "the removed secret is never printed"

fresh json
RD_OUT=$(printf '%s\n' "$PASSWORD" | rdx -c "$S" --json setup --yes --provider custom \
    --host 192.0.2.25 --port 2525 --user newuser --remove-old-credential 2>/dev/null)
printf '%s' "$RD_OUT" | rd_json 'd["old_credential"]["key"] == "[smtp.example.com]:587" and d["old_credential"]["removed"] is True and d["applied"] is True'
tap_is "$?" 0 "--json reports old_credential with removed: true"

# Still used: a transport_maps entry routes a domain through the old relay.
fresh used
printf 'example.org smtp:%s\n' "$OLD" >"$S/transport"
postmap "hash:$S/transport"
postconf -c "$S" -e "transport_maps = hash:$S/transport"
setup_run --remove-old-credential
tap_is "$RD_RC" 0 "setup with the old relay still in transport_maps succeeds"
tap_isnt_empty "$(lookup "$OLD")" "an entry transport_maps still uses is not removed"
tap_unlike "$RD_OUT" "previous relay's credential" "and it is not called unused"

# Still used: a master.cf service sends through the old relay (-o relayhost=).
fresh master
{
	printf '# relay2 routes through the old relay (this comment alone would not count)\n'
	printf 'relay2    unix  -       -       n       -       -       smtp\n'
	printf '  -o relayhost=%s\n' "$OLD"
} >>"$S/master.cf"
setup_run --remove-old-credential
tap_is "$RD_RC" 0 "setup with the old relay in a master.cf service succeeds"
tap_isnt_empty "$(lookup "$OLD")" "an entry a master.cf service still uses is not removed"
tap_unlike "$RD_OUT" "previous relay's credential" "and it is not called unused"

# Still used: main.cf's default_transport names the old relay.
fresh deftransport
postconf -c "$S" -e "default_transport = smtp:$OLD"
setup_run --remove-old-credential
tap_isnt_empty "$(lookup "$OLD")" "an entry default_transport still uses is not removed"

# Only a comment of master.cf names it: still stale.
fresh comment
printf '# the old relay was %s\n' "$OLD" >>"$S/master.cf"
setup_run
tap_like "$RD_OUT" "previous relay's credential" "a master.cf comment does not count as a use"

# The same relay again: nothing is stale.
setup_run
tap_unlike "$RD_OUT" "previous relay's credential" "setup to the same relay names no old credential"

tap_done
