#!/bin/bash
# show_corpus.sh - main.cf files as they are found in the wild, against the
# real Postfix. For every main.cf the Debian package installs, every file
# in tests/data/maincf (layouts) and tests/data/maincf/used (the names
# Postfix counts as used: restriction classes, tables configured by name,
# renamed parameters, master.cf references, read-only names) and, when
# RELAYDECK_MAINCF_CORPUS=DIR is set, every file below DIR:
#  1. `relaydeck show` prints what `postconf -n` prints, byte for byte
#     (control characters escaped as relaydeck escapes all it prints);
#     when postconf rejects the file, show names Postfix's reason and lists
#     every name main.cf sets; when neither can read it, both refuse it at
#     the same line;
#  2. both report the same "unused parameter" names;
#  3. setting any parameter to the value it has changes no byte;
#  4. relayhost set to a new value,
#  5. the definition with the most continuation lines without its last
#     word, and
#  6. the same with one word added
#     change only the lines of that one logical line (its comment lines
#     kept, in order; a one-line definition keeps its spacing around '='
#     and its trailing blanks; an edit at the end of a value keeps every
#     line before the last) and give the same `postconf -n` as
#     `postconf -e`.
# A file's master.cf: NAME.master.cf beside NAME.cf, or master.cf beside a
# file named main.cf; else Postfix's master.cf.dist. The last lines of the
# output count the files and the failures of each check.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

EDIT=${MAINCF_EDIT:-$(dirname "$RELAYDECK")/tests/integration/maincf_edit}
[ -x "$EDIT" ] || tap_skip_all "tests/integration/maincf_edit not built"
CHECK="python3 $RD_LIB/maincf_check.py"
RD_STATE=$RD_TMP/state

files=()
for f in /usr/share/postfix/main.cf.dist /usr/share/postfix/main.cf.debian \
	/usr/share/postfix/main.cf.tls /etc/postfix/main.cf.proto \
	"$RD_SRCDIR"/tests/data/maincf/*.cf "$RD_SRCDIR"/tests/data/maincf/used/*.cf; do
	case $f in *.master.cf) continue ;; esac
	[ -f "$f" ] && files+=("$f")
done
if [ -n "${RELAYDECK_MAINCF_CORPUS:-}" ]; then
	[ -d "$RELAYDECK_MAINCF_CORPUS" ] || tap_skip_all "RELAYDECK_MAINCF_CORPUS is not a directory"
	while IFS= read -r -d '' f; do
		files+=("$f")
	done < <(find "$RELAYDECK_MAINCF_CORPUS" -type f ! -name '*.master.cf' ! -name master.cf \
		! -name '.*' -print0 | sort -z)
fi
tap_plan $(( ${#files[@]} * 6 ))

# master_for FILE - the master.cf that goes with FILE.
master_for() {
	local f=$1
	if [ "$(basename "$f")" = main.cf ] && [ -f "$(dirname "$f")/master.cf" ]; then
		echo "$(dirname "$f")/master.cf"
	elif [ -f "${f%.cf}.master.cf" ]; then
		echo "${f%.cf}.master.cf"
	elif [ -f /usr/share/postfix/master.cf.dist ]; then
		echo /usr/share/postfix/master.cf.dist
	fi
}

# confdir DIR FILE MASTER - a config dir holding FILE as main.cf.
confdir() {
	rm -rf "$1" && mkdir -p "$1"
	cp "$2" "$1/main.cf"
	if [ -n "$3" ]; then cp "$3" "$1/master.cf"; else : >"$1/master.cf"; fi
}

# unused FILE - the names of main.cf's "unused parameter" warnings in FILE,
# sorted; a byte that is not printable ASCII as "?", as Postfix shows it
# (relaydeck's escapes of such bytes too).
unused() {
	LC_ALL=C sed -n 's/.*main\.cf: unused parameter: \([^=]*\)=.*/\1/p' "$1" |
		LC_ALL=C sed -e 's/\\x[0-9a-f][0-9a-f]/?/g' -e 's/\\u00[89][0-9a-f]/??/g' \
			-e 's/[^[:print:]]/?/g' | LC_ALL=C sort
}

bad_show=0 bad_unused=0 bad_noop=0 bad_edit=0 nfiles=0

# edit_check LABEL NAME VALUE MODE - our edit against postconf -e (tests
# 4-6); MODE is maincf_check.py span's layout check.
edit_check() {
	local label=$1 name=$2 value=$3 mode=$4 why=
	confdir "$RD_TMP/a" "$d/main.cf" "$master"
	confdir "$RD_TMP/b" "$d/main.cf" "$master"
	if ! "$EDIT" set "$d/main.cf" "$name" "$value" >"$RD_TMP/b/main.cf" 2>"$RD_TMP/edit.err"; then
		why="maincf_set failed: $(cat "$RD_TMP/edit.err")"
	elif ! why=$($CHECK span "$d/main.cf" "$RD_TMP/b/main.cf" "$name" "$mode"); then
		:
	else
		why=
		if [ "$pc_ok" = 1 ]; then
			postconf -c "$RD_TMP/a" -e "$name=$value" 2>/dev/null
			postconf -c "$RD_TMP/a" -n >"$RD_TMP/a.n" 2>/dev/null
			postconf -c "$RD_TMP/b" -n >"$RD_TMP/b.n" 2>/dev/null
			sed -i '/^config_directory = /d' "$RD_TMP/a.n" "$RD_TMP/b.n"
			if ! cmp -s "$RD_TMP/a.n" "$RD_TMP/b.n"; then
				why="postconf -n differs from postconf -e's:
$(diff "$RD_TMP/a.n" "$RD_TMP/b.n" | head -n 8)"
			fi
		fi
	fi
	if [ -z "$why" ]; then
		tap_ok "$label: $name: $shown"
	else
		tap_not_ok "$label: $name: $shown"
		tap_diag "$why"
		tap_diag "$(diff "$d/main.cf" "$RD_TMP/b/main.cf" | head -n 12)"
		fail_edit=1
	fi
}

for f in "${files[@]}"; do
	shown=${f#"$RD_SRCDIR"/}
	nfiles=$((nfiles + 1))
	d=$RD_TMP/c
	master=$(master_for "$f")
	confdir "$d" "$f" "$master"

	# 1, 2: show against postconf -n
	pc_ok=1
	postconf -c "$d" -n >"$RD_TMP/want.raw" 2>"$RD_TMP/want.err" || pc_ok=0
	$CHECK termsafe <"$RD_TMP/want.raw" >"$RD_TMP/want"
	"$RELAYDECK" --state-dir "$RD_STATE" -c "$d" show >"$RD_TMP/got" 2>"$RD_TMP/got.err"
	rc=$?
	if [ "$pc_ok" = 1 ]; then
		if [ "$rc" = 0 ] && cmp -s "$RD_TMP/want" "$RD_TMP/got"; then
			tap_ok "show = postconf -n: $shown"
		else
			tap_not_ok "show = postconf -n: $shown"
			tap_diag "exit $rc; $(diff "$RD_TMP/want" "$RD_TMP/got" | head -n 20)"
			bad_show=$((bad_show + 1))
		fi
		if [ "$(unused "$RD_TMP/got.err")" = "$(unused "$RD_TMP/want.err")" ]; then
			tap_ok "same unused parameters reported: $shown"
		else
			tap_not_ok "same unused parameters reported: $shown"
			tap_diag "$(diff <(unused "$RD_TMP/want.err") <(unused "$RD_TMP/got.err"))"
			bad_unused=$((bad_unused + 1))
		fi
	elif ! "$EDIT" names "$d/main.cf" >/dev/null 2>&1; then
		# A file neither can read (a line without '='): both refuse it,
		# naming the same line.
		if [ "$rc" = 4 ]; then
			tap_ok "postconf and relaydeck both refuse it: $shown"
		else
			tap_not_ok "postconf and relaydeck both refuse it: $shown"
			tap_diag "exit $rc; $(head -c 300 "$RD_TMP/got.err")"
			bad_show=$((bad_show + 1))
		fi
		line=$(sed -n 's/.*, line \([0-9]*\):.*/\1/p' "$RD_TMP/want.err" | head -n 1)
		if [ -n "$line" ] && grep -q "main\.cf:$line:" "$RD_TMP/got.err"; then
			tap_ok "... at the same line: $shown"
		else
			tap_not_ok "... at the same line: $shown"
			tap_diag "postconf: $(head -c 300 "$RD_TMP/want.err")"
			tap_diag "relaydeck: $(head -c 300 "$RD_TMP/got.err")"
			bad_unused=$((bad_unused + 1))
		fi
	else
		# Postfix rejects the file: every name, and Postfix's reason.
		{ "$EDIT" names "$d/main.cf"; grep -q '^config_directory$' <("$EDIT" names "$d/main.cf") ||
			echo config_directory; } | sort >"$RD_TMP/names.want"
		sed 's/ =.*//' "$RD_TMP/got" >"$RD_TMP/names.got"
		if [ "$rc" = 0 ] && cmp -s "$RD_TMP/names.want" "$RD_TMP/names.got"; then
			tap_ok "postconf -n rejects it; show lists every name: $shown"
		else
			tap_not_ok "postconf -n rejects it; show lists every name: $shown"
			tap_diag "exit $rc; $(diff "$RD_TMP/names.want" "$RD_TMP/names.got" | head -n 10)"
			bad_show=$((bad_show + 1))
		fi
		reason=$(grep -m1 -E '(fatal|panic|error): ' "$RD_TMP/want.err" | sed 's/^[^:]*: //')
		if [ -n "$reason" ] && grep -qF -- "$reason" "$RD_TMP/got.err"; then
			tap_ok "... and says why: $shown"
		else
			tap_not_ok "... and says why: $shown"
			tap_diag "postconf: $(head -c 300 "$RD_TMP/want.err")"
			tap_diag "relaydeck: $(head -c 300 "$RD_TMP/got.err")"
			bad_unused=$((bad_unused + 1))
		fi
	fi

	if ! "$EDIT" names "$d/main.cf" >/dev/null 2>&1; then
		for t in "no-op set" "relayhost edit" "continued definition, last word dropped" \
			"continued definition, a word added"; do
			tap_skip "$t: $shown" "Postfix cannot read this main.cf"
		done
		continue
	fi

	# 3: a no-op set of every parameter
	if out=$("$EDIT" noop "$d/main.cf" 2>&1); then
		tap_ok "setting any parameter to its value changes no byte: $shown"
	else
		tap_not_ok "setting any parameter to its value changes no byte: $shown"
		tap_diag "changed: $(echo $out | head -c 400)"
		bad_noop=$((bad_noop + 1))
	fi

	# 4-6: one-parameter edits
	fail_edit=0
	edit_check "relayhost edit" relayhost "[192.0.2.10]:2525" --line
	name=$($CHECK continued "$d/main.cf")
	if [ -z "$name" ]; then
		tap_skip "continued definition, last word dropped: $shown" "no continuation lines"
		tap_skip "continued definition, a word added: $shown" "no continuation lines"
	else
		value=$("$RELAYDECK" --state-dir "$RD_STATE" -c "$d" show "$name" 2>/dev/null | sed "s/^[^=]* = \{0,1\}//")
		edit_check "continued definition, last word dropped" "$name" "${value% *}" --tail
		case $value in
		*,*) more="$value, 192.0.2.77" ;;
		*) more="$value 192.0.2.77" ;;
		esac
		edit_check "continued definition, a word added" "$name" "$more" --tail
	fi
	bad_edit=$((bad_edit + fail_edit))
done

tap_diag "files: $nfiles; show differs: $bad_show; unused names differ: $bad_unused;" \
	"no-op set changes bytes: $bad_noop; edits wrong: $bad_edit"
tap_done
