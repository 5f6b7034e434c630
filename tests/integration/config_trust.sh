#!/bin/bash
# config_trust.sh - as root, a config dir that someone else could swap or
# edit does not choose the programs root runs (here postqueue's showq):
# its owner, main.cf's owner, a directory above it, group and world write
# bits, and the sticky and set-group-id bits that make a directory safe or
# not. config_trust_ssh.sh runs it over SSH, where the facts come from the
# opening command's `stat -L -c` instead of stat(2): both must agree.
# Needs root.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 15

# sb DIR - a sandbox config dir at DIR/pf/etc into $C, a state dir of its
# own into $S (outside DIR: the local target checks the directories above
# the state dir too, and would refuse for that first)
n=0
sb() {
	mkdir -p "$1"
	sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$1/pf" >/dev/null || exit 1
	C=$1/pf/etc
	n=$((n + 1))
	S=$RD_TMP/state$n
	mkdir -p -m 700 "$S"
}
ngid=$(getent group nogroup | cut -d: -f3)
nuid=$(id -u nobody)

sb "$RD_TMP/own"
chown nobody "$C"
rd -c "$C" --state-dir "$S" queue list
tap_is "$RD_RC" 7 "a config dir of nobody's: queue list refused (exit 7)"
tap_like "$RD_ERR" "refusing to run postqueue as root: config directory $C belongs to uid $nuid.*--trust-config-dir" \
    "... naming the dir, its owner and --trust-config-dir"
rd -c "$C" --state-dir "$S" --trust-config-dir queue list
tap_unlike "$RD_ERR" "refusing" "... with --trust-config-dir, postqueue runs"

sb "$RD_TMP/maincf"
chown nobody "$C/main.cf"
rd -c "$C" --state-dir "$S" queue list
tap_like "$RD_ERR" "refusing to run postqueue as root: $C/main.cf belongs to uid $nuid" \
    "a main.cf of nobody's: refused, naming main.cf"

sb "$RD_TMP/grp"
chgrp nogroup "$C"
chmod 775 "$C"
rd -c "$C" --state-dir "$S" queue list
tap_like "$RD_ERR" "config directory $C is writable by group $ngid \\(mode 0775\\)" \
    "a config dir group nogroup may write: refused, naming the group and mode"

sb "$RD_TMP/above/x"
chown nobody "$RD_TMP/above"
rd -c "$C" --state-dir "$S" queue list
tap_like "$RD_ERR" "refusing to run postqueue as root: $RD_TMP/above, above config directory $C, belongs to uid $nuid" \
    "a directory of nobody's above the config dir: refused, naming it"

sb "$RD_TMP/w777/x"
chmod 777 "$RD_TMP/w777"
rd -c "$C" --state-dir "$S" queue list
tap_like "$RD_ERR" "$RD_TMP/w777, above config directory $C, is writable by everyone \\(mode 0777\\)" \
    "a 0777 directory above: refused, with its mode"

sb "$RD_TMP/sticky/x"
chmod 1777 "$RD_TMP/sticky"
rd -c "$C" --state-dir "$S" queue list
tap_unlike "$RD_ERR" "refusing" "a sticky 1777 directory of root's above (like /tmp): trusted"

sb "$RD_TMP/sticky2/x"
chmod 1777 "$RD_TMP/sticky2"
chown nobody "$RD_TMP/sticky2"
rd -c "$C" --state-dir "$S" queue list
tap_like "$RD_ERR" "$RD_TMP/sticky2, above config directory $C, belongs to uid $nuid" \
    "a sticky directory of nobody's above: refused (its owner may swap entries)"

sb "$RD_TMP/sgid/x"
chmod 2775 "$RD_TMP/sgid"
rd -c "$C" --state-dir "$S" queue list
tap_unlike "$RD_ERR" "refusing" "a 2775 root:root directory above: trusted (group root)"

sb "$RD_TMP/sgid2/x"
chgrp nogroup "$RD_TMP/sgid2"
chmod 2775 "$RD_TMP/sgid2"
rd -c "$C" --state-dir "$S" queue list
tap_like "$RD_ERR" "$RD_TMP/sgid2, above config directory $C, is writable by group $ngid \\(mode 2775\\)" \
    "a 2775 directory of group nogroup above: refused, with its set-group-id bit"

# sticky and root's: others cannot rename or remove root's entries in it
sb "$RD_TMP/sticky3/x"
chgrp nogroup "$RD_TMP/sticky3"
chmod 3775 "$RD_TMP/sticky3"
rd -c "$C" --state-dir "$S" queue list
tap_unlike "$RD_ERR" "refusing" "a 3775 directory of root's, group nogroup, above: trusted (sticky)"

# A symlinked config dir: the link is followed (ls -L, stat).
sb "$RD_TMP/real"
ln -s "$C" "$RD_TMP/link"
chown nobody "$C"
rd -c "$RD_TMP/link" --state-dir "$S" queue list
tap_like "$RD_ERR" "config directory $RD_TMP/(link|real/pf/etc) belongs to uid $nuid" \
    "a link to a config dir of nobody's: refused (the link is followed)"

sb "$RD_TMP/ok"
rd -c "$C" --state-dir "$S" queue list
tap_unlike "$RD_ERR" "refusing" "a config dir of root's, 0755: trusted"
tap_unlike "$RD_ERR" "belongs to|writable by" "... with nothing said about it"

tap_done
