#!/bin/bash
# safety.sh - where relaydeck keeps its state, and whose config it trusts
# as root: no shared /tmp state when HOME is unset; a state dir others can
# write, or another user's, refused by name with the fix; the lock never
# taken through a symbolic link; as root RELAYDECK_STATE_DIR ignored and
# --state-dir honoured; as root a config dir another user owns does not
# choose the programs root runs (postfix check, sendmail_path) unless
# --trust-config-dir.  Needs root (and setpriv for the HOME case).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 43

# sandbox NAME - a fresh sandbox in RD_TMP/NAME; C its config dir.
sandbox() {
	sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/$1" >/dev/null || exit 1
	C=$RD_TMP/$1/etc
}
sandbox sb
S=$RD_TMP/sb/state
unset RELAYDECK_STATE_DIR

# --- HOME unset: no shared /tmp path --------------------------------------
# nobody's home in the password database is /nonexistent: no home at all.
esc=$(printf '%s' "${C#/}" | sed 's|/|_|g')
shared=/tmp/.local/state/relaydeck/$esc
if command -v setpriv >/dev/null 2>&1 && setpriv --reuid=nobody --regid=nogroup \
    --clear-groups test -x "$RELAYDECK"; then
	rc=0
	env -u HOME -u XDG_STATE_HOME -u RELAYDECK_STATE_DIR setpriv --reuid=nobody \
	    --regid=nogroup --clear-groups "$RELAYDECK" -c "$C" set 'relayhost=[192.0.2.7]:587' \
	    >/dev/null 2>"$RD_TMP/home.err" </dev/null || rc=$?
	tap_check "HOME unset, no home in passwd: set fails" test "$rc" -ne 0
	tap_like "$(cat "$RD_TMP/home.err")" "no home directory.*--state-dir" \
	    "... saying there is no home and naming --state-dir"
	tap_check "... and writes nothing under /tmp" test ! -e "$shared"
	rm -rf "$shared"	# what the old fallback would have left
else
	for t in "HOME unset: set fails" "... names --state-dir" "... nothing under /tmp"; do
		tap_skip "$t" "setpriv missing or nobody cannot run $RELAYDECK"
	done
fi

# --- a state dir others can write ------------------------------------------
mkdir -m 777 "$RD_TMP/open"
chmod 777 "$RD_TMP/open"
rd -c "$C" --state-dir "$RD_TMP/open" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "a 0777 state dir: refused (exit 7)"
tap_like "$RD_ERR" "state directory $RD_TMP/open is writable by everyone.*chmod 700 $RD_TMP/open" \
    "... the message names the dir and the fix"
tap_check "... nothing staged in it" test ! -e "$RD_TMP/open/pending"

# --- a state dir of another user -------------------------------------------
mkdir -m 700 "$RD_TMP/theirs"
chown nobody "$RD_TMP/theirs"
rd -c "$C" --state-dir "$RD_TMP/theirs" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "a state dir owned by nobody, as root: refused (exit 7)"
tap_like "$RD_ERR" "state directory $RD_TMP/theirs belongs to nobody.*not to you.*--state-dir" \
    "... the message names the dir, its owner and the fix"
tap_check "... nothing staged in it" test ! -e "$RD_TMP/theirs/pending"

# --- the way to the state dir: directories others can change ---------------
# Root's state dir is 0700 and root's, but a directory above it (or one a
# link on the way sits in) lets another user swap it for one they choose.
mkdir -m 777 "$RD_TMP/pub"
chmod 777 "$RD_TMP/pub"
mkdir -m 700 "$RD_TMP/pub/state"
rd -c "$C" --state-dir "$RD_TMP/pub/state" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "a state dir inside a 0777 directory: refused (exit 7)"
tap_like "$RD_ERR" "state directory $RD_TMP/pub/state: $RD_TMP/pub is writable by everyone" \
    "... the message names the directory above it"
tap_check "... nothing staged" test ! -e "$RD_TMP/pub/state/pending"
mkdir -m 755 "$RD_TMP/nb"
chown nobody "$RD_TMP/nb"
mkdir -m 700 "$RD_TMP/rootstate"
ln -s "$RD_TMP/rootstate" "$RD_TMP/nb/state"
rd -c "$C" --state-dir "$RD_TMP/nb/state" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "a state dir that is a link in nobody's directory: refused (exit 7)"
tap_like "$RD_ERR" "state directory $RD_TMP/nb/state: $RD_TMP/nb belongs to uid [0-9]+" \
    "... the message names that directory and its owner"
tap_check "... nothing staged where the link points" test ! -e "$RD_TMP/rootstate/pending"
mkdir -m 700 "$RD_TMP/nb/real"
ln -s "$RD_TMP/nb/real" "$RD_TMP/via"
rd -c "$C" --state-dir "$RD_TMP/via" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "a link to a root dir inside nobody's directory: refused (exit 7)"
mkdir -m 1777 "$RD_TMP/sticky"
chmod 1777 "$RD_TMP/sticky"
ln -s "$RD_TMP/rootstate" "$RD_TMP/sticky/theirs"
chown -h nobody "$RD_TMP/sticky/theirs"
rd -c "$C" --state-dir "$RD_TMP/sticky/theirs" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 7 "nobody's link in a sticky shared directory: refused (exit 7)"
ln -s "$RD_TMP/rootstate" "$RD_TMP/ok-link"
rd -c "$C" --state-dir "$RD_TMP/sticky/mine/state" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 0 "a new state dir below a sticky directory: allowed"
rd -c "$C" --state-dir "$RD_TMP/ok-link" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 0 "a link of root's in root's directories: allowed"
tap_check "... the edit is staged where it points" test -s "$RD_TMP/rootstate/pending"

# --- the lock as a symbolic link -------------------------------------------
cp -p "$C/main.cf" "$RD_TMP/main.cf.orig"
rd -c "$C" --state-dir "$S" set 'relayhost=[192.0.2.7]:587'
tap_is "$RD_RC" 0 "an edit staged in the sandbox's own state dir"
ln -s "$RD_TMP/planted" "$S/lock"
rd -c "$C" --state-dir "$S" apply --yes
tap_check "apply with the lock a symbolic link: refused" test "$RD_RC" -ne 0
tap_like "$RD_ERR" "lock $S/lock: it is a symbolic link" "... the message names the link"
tap_check "... nothing created where it points" test ! -e "$RD_TMP/planted"
tap_check "... main.cf unchanged" cmp -s "$C/main.cf" "$RD_TMP/main.cf.orig"
rm -f "$S/lock"

# --- root: RELAYDECK_STATE_DIR ignored, --state-dir honoured ---------------
# The staged edit lives in $S; with only the variable pointing there, root
# does not see it (and is told why); with --state-dir it does.
out=$(RELAYDECK_STATE_DIR=$S "$RELAYDECK" -c "$C" diff 2>"$RD_TMP/env.err")
tap_unlike "$out" "relayhost" "as root, RELAYDECK_STATE_DIR does not choose the state dir"
tap_like "$(cat "$RD_TMP/env.err")" "RELAYDECK_STATE_DIR is ignored as root; give --state-dir" \
    "... and a notice says so"
rd -c "$C" --state-dir "$S" diff
tap_like "$RD_OUT" '^\+relayhost = \[192\.0\.2\.7\]:587' "--state-dir on the command line is honoured"

# --- root and a config dir another user owns -------------------------------
sandbox user
chown -R nobody "$C"
cp -p "$C/main.cf" "$RD_TMP/user.orig"
mkdir -p -m 700 "$RD_TMP/user/state"
rd -c "$C" --state-dir "$RD_TMP/user/state" set 'relayhost=[192.0.2.8]:587'
tap_is "$RD_RC" 0 "a config dir owned by nobody: staging is allowed"
rd -c "$C" --state-dir "$RD_TMP/user/state" apply --yes
tap_is "$RD_RC" 7 "... apply as root refused (exit 7)"
tap_like "$RD_ERR" "refusing to run postfix check as root: config directory $C belongs to uid [0-9]+.*--trust-config-dir" \
    "... the message names the dir, its owner and --trust-config-dir"
tap_unlike "$RD_ERR$RD_OUT" "already rejects" "... and does not blame Postfix"
tap_check "... main.cf unchanged" cmp -s "$C/main.cf" "$RD_TMP/user.orig"
rd -c "$C" --state-dir "$RD_TMP/user/state" probe send --to rcpt@example.net --timeout 5
tap_like "$RD_ERR" "refusing to run sendmail_path as root: config directory $C belongs to uid" \
    "... probe send does not run its sendmail_path"
rd -c "$C" --state-dir "$RD_TMP/user/state" --trust-config-dir apply --yes
tap_is "$RD_RC" 0 "with --trust-config-dir, apply runs"
tap_is "$(postconf -c "$C" -h relayhost)" "[192.0.2.8]:587" "... and the edit is in main.cf"

# A root-owned config dir with a main.cf of another user: the same rule.
sandbox user2
chown nobody "$C/main.cf"
rd -c "$C" --state-dir "$RD_TMP/user2/state" probe send --to rcpt@example.net --timeout 5
tap_like "$RD_ERR" "refusing to run sendmail_path as root: $C/main.cf belongs to uid" \
    "a main.cf owned by nobody: sendmail_path not run either"

# postqueue -j as root, with that instance's Postfix not running, runs
# $daemon_directory/showq itself ("Mail system is down -- accessing queue
# directly"): a main.cf of nobody's would choose what root runs.
sandbox q
mkdir -m 755 "$RD_TMP/evil"
printf '#!/bin/sh\nid -u >%s\n' "$RD_TMP/showq-ran" >"$RD_TMP/evil/showq"
chmod 755 "$RD_TMP/evil/showq"
postconf -c "$C" -e "daemon_directory = $RD_TMP/evil"
chown -R nobody "$C"
mkdir -m 700 "$RD_TMP/q/state"
rd -c "$C" --state-dir "$RD_TMP/q/state" queue list
tap_is "$RD_RC" 7 "queue list for a config dir of nobody's, as root: refused (exit 7)"
tap_like "$RD_ERR" "refusing to run postqueue as root: config directory $C belongs to uid.*--trust-config-dir" \
    "... the message names postqueue, the dir and --trust-config-dir"
tap_check "... the showq that main.cf names did not run" test ! -e "$RD_TMP/showq-ran"

# A config dir of root's inside a directory of another user's: that user
# can rename it away and put one of theirs (naming other programs) there.
mkdir -m 755 "$RD_TMP/nbhome"
sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/nbhome/pf" >/dev/null || exit 1
chown nobody "$RD_TMP/nbhome"
C=$RD_TMP/nbhome/pf/etc
cp -p "$C/main.cf" "$RD_TMP/nbhome.orig"
mkdir -m 700 "$RD_TMP/nbstate"
rd -c "$C" --state-dir "$RD_TMP/nbstate" set 'relayhost=[192.0.2.8]:587'
rd -c "$C" --state-dir "$RD_TMP/nbstate" apply --yes
tap_is "$RD_RC" 7 "a root config dir inside nobody's directory: apply refused (exit 7)"
tap_like "$RD_ERR" "refusing to run postfix check as root: $RD_TMP/nbhome, above config directory $C, belongs to uid [0-9]+.*--trust-config-dir" \
    "... the message names the directory above, its owner and --trust-config-dir"
tap_check "... main.cf unchanged" cmp -s "$C/main.cf" "$RD_TMP/nbhome.orig"

tap_done
