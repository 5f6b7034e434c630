#!/bin/bash
# show_corpus.sh - `relaydeck show` against the real `postconf -n`, line for
# line (stdout) and with the same "unused parameter" names (stderr), on every
# main.cf the Debian package installs and on the layout corpus in tests/data.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

files=()
for f in /usr/share/postfix/main.cf.dist /usr/share/postfix/main.cf.debian \
	/usr/share/postfix/main.cf.tls /etc/postfix/main.cf.proto \
	"$top_srcdir"/tests/data/maincf/*.cf; do
	[ -f "$f" ] && files+=("$f")
done
tap_plan $(( ${#files[@]} * 2 ))

for f in "${files[@]}"; do
	name=${f#"$top_srcdir"/}
	d=$RD_TMP/c
	rm -rf "$d" && mkdir -p "$d"
	cp "$f" "$d/main.cf"
	cp /usr/share/postfix/master.cf.dist "$d/master.cf" 2>/dev/null || : >"$d/master.cf"
	postconf -c "$d" -n >"$RD_TMP/want" 2>"$RD_TMP/want.err"
	RELAYDECK_STATE_DIR=$RD_TMP/state "$RELAYDECK" -c "$d" show >"$RD_TMP/got" 2>"$RD_TMP/got.err"
	if cmp -s "$RD_TMP/want" "$RD_TMP/got"; then
		tap_ok "show = postconf -n: $name"
	else
		tap_not_ok "show = postconf -n: $name"
		tap_diag "$(diff -u "$RD_TMP/want" "$RD_TMP/got" | head -n 20)"
	fi
	# The parameters each one reports as unused must be the same.
	want_unused=$(sed -n 's/.*unused parameter: \([^=]*\)=.*/\1/p' "$RD_TMP/want.err" | sort)
	got_unused=$(sed -n 's/.*unused parameter: \([^=]*\)=.*/\1/p' "$RD_TMP/got.err" | sort)
	tap_is "$got_unused" "$want_unused" "same unused parameters reported: $name"
done
