#!/bin/bash
# bad_input.sh - unparsable, binary, missing, read-only and invalid input:
# a one-line error naming the file (and line), the documented exit code,
# and nothing changed on disk.  Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 24

# one_line TEXT: 0 when TEXT is exactly one line.
one_line() {
	[ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]
}

fresh_sandbox() {
	sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
	C=$RD_TMP/sb/etc
	export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
}

# 1. A line without '=' (postconf rejects it too).
fresh_sandbox
sed -i '/^relayhost =/a this line has no equals sign' "$C/main.cf"
bad_line=$(grep -n '^this line has no equals sign' "$C/main.cf" | cut -d: -f1)
cp -p "$C/main.cf" "$RD_TMP/saved"
rd -c "$C" show
tap_is "$RD_RC" 4 "unparsable main.cf: show exits 4"
tap_like "$RD_ERR" "^relaydeck: .*main\.cf:$bad_line: " "unparsable main.cf: error names main.cf:$bad_line"
tap_check "unparsable main.cf: error is one line" one_line "$RD_ERR"
rd -c "$C" set 'relayhost=[192.0.2.1]:25'
tap_is "$RD_RC" 4 "unparsable main.cf: set exits 4"
tap_check "unparsable main.cf: file unchanged" cmp "$C/main.cf" "$RD_TMP/saved"
rd -c "$C" --json show
if printf '%s' "$RD_OUT" | rd_json '
d["error"]["code"] == "parse" and d["error"]["file"].endswith("main.cf") and d["error"]["line"] == '"$bad_line"; then
	tap_ok "unparsable main.cf: --json error has code, file and line"
else
	tap_not_ok "unparsable main.cf: --json error has code, file and line"
	rd_diag
fi

# 2. A binary main.cf (a NUL byte inside a value).
fresh_sandbox
printf 'relayhost = [smtp.example.com]\000:587\n' >>"$C/main.cf"
cp -p "$C/main.cf" "$RD_TMP/saved"
rd -c "$C" show
tap_is "$RD_RC" 4 "binary main.cf: show exits 4"
tap_like "$RD_ERR" '^relaydeck: .*main\.cf(:[0-9]+)?: ' "binary main.cf: error names main.cf"
tap_check "binary main.cf: error is one line" one_line "$RD_ERR"
rd -c "$C" set 'relayhost=[192.0.2.1]:25'
tap_check "binary main.cf: file unchanged after set" cmp "$C/main.cf" "$RD_TMP/saved"

# 3. A config directory that does not exist.
missing=$RD_TMP/no/such/postfix
rd -c "$missing" show
tap_is "$RD_RC" 6 "missing config dir: exit 6"
tap_like "$RD_ERR" "^relaydeck: .*$missing" "missing config dir: message names the path"
tap_check "missing config dir: error is one line" one_line "$RD_ERR"
tap_check "missing config dir: nothing created" test ! -e "$missing"

# 4. An invalid value and an unknown parameter: exit 3, nothing staged.
fresh_sandbox
cp -p "$C/main.cf" "$RD_TMP/saved"
rd -c "$C" set 'relayhost=[bad'
tap_is "$RD_RC" 3 "invalid value: set relayhost=[bad exits 3"
tap_like "$RD_ERR" '^relaydeck: .*relayhost' "invalid value: message names the parameter"
rd -c "$C" diff
tap_unlike "$RD_OUT" '^[-+]relayhost' "invalid value: nothing staged"
rd -c "$C" set relaydeck_no_such_parameter=1
tap_is "$RD_RC" 3 "unknown parameter: exit 3"
tap_like "$RD_ERR" '^relaydeck: .*relaydeck_no_such_parameter' "unknown parameter: message names it"
tap_check "invalid input: main.cf unchanged" cmp "$C/main.cf" "$RD_TMP/saved"

# 5. A config directory the user cannot write (run as nobody; root would
# ignore file modes).  The state dir is nobody's so edits can be staged.
fresh_sandbox
cp -p "$C/main.cf" "$RD_TMP/saved"
chown nobody "$RELAYDECK_STATE_DIR"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}
if ! command -v setpriv >/dev/null 2>&1; then
	why="setpriv not available"
elif ! as_nobody test -x "$RELAYDECK"; then
	why="user nobody cannot run $RELAYDECK"
else
	why=
fi
if [ -n "$why" ]; then
	for t in "read-only: set stages the edit" "read-only: apply exits 7" \
	    "read-only: message names the file" "read-only: main.cf unchanged"; do
		tap_skip "$t" "$why"
	done
else
	rc=0
	as_nobody "$RELAYDECK" -c "$C" set 'relayhost=[192.0.2.1]:25' \
	    >/dev/null 2>"$RD_TMP/err" </dev/null || rc=$?
	tap_is "$rc" 0 "read-only: set stages the edit"
	[ "$rc" -eq 0 ] || tap_diag "$(cat "$RD_TMP/err")"
	rc=0
	as_nobody "$RELAYDECK" -c "$C" apply --yes >/dev/null 2>"$RD_TMP/err" </dev/null || rc=$?
	tap_is "$rc" 7 "read-only: apply exits 7"
	tap_like "$(cat "$RD_TMP/err")" "^relaydeck: .*($C|main\.cf).*(Permission denied|read-only|not writable)" \
	    "read-only: message names the file"
	tap_check "read-only: main.cf unchanged" cmp "$C/main.cf" "$RD_TMP/saved"
fi

tap_done
