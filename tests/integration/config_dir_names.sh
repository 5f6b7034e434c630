#!/bin/bash
# config_dir_names.sh - -c DIR with a name a shell would split or a line
# reader would cut: spaces and quotes open that directory; a name with a
# newline that does not exist is refused, never taken for the directory
# named by its first line. config_dir_names_ssh.sh runs it over SSH, where
# the name travels in the opening command. Needs root.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 4

sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null || exit 1
export RELAYDECK_STATE_DIR=$RD_TMP/state
# the sandbox's own path cannot hold these (main.cf names paths in it)
C="$RD_TMP/a b'c\"d \$x"
ln -s "$RD_TMP/sb/etc" "$C"

rd -c "$C" show relayhost
tap_is "$RD_RC" 0 "a config dir with spaces, quotes and \$: opened"

nl="$RD_TMP/sb/etc
d"
rd -c "$nl" show relayhost
tap_check "a missing config dir whose first line names one: refused" test "$RD_RC" -ne 0
tap_unlike "$RD_OUT" "relayhost" "... nothing shown from the directory of its first line"

rd -c "$RD_TMP/none" show relayhost
tap_like "$RD_ERR" "$(tap_re_quote "$RD_TMP/none").*No such file or directory" \
	"a missing config dir: named, with the reason"

tap_done
