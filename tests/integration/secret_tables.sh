#!/bin/bash
# secret_tables.sh - credentials tables are recognised by the file they
# are, not by how a path spells them, and their values never reach any
# output; passwords never go into main.cf or onto the command line.
#
# On a sandbox whose main.cf names four credentials tables (the first and
# second entries of smtp_sasl_password_maps, lmtp_sasl_password_maps, and
# a master.cf -o smtp_sasl_password_maps of a sender-dependent transport),
# `map show` and `map query` (text and --json) through "//", "./", a
# symlink, the second list entry, the lmtp-only table and the
# master.cf-only table print "user:••••" and never the password; so do
# `map try` and `map list`. static:/inline: in a password parameter are
# refused by set (also through a $name it refers to, at diff/apply),
# setup and map list masks one already there; `map add` of a credentials
# table refuses a value from argv; the main.cf diff masks secret values;
# history and rollback of a credentials table print no secret and restore
# it 0600; creds audit checks every credentials table.  Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 61

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
KEY='[smtp.example.com]:587'

# table NAME SECRET - a 0600 credentials table with one entry, compiled.
table() {
	( umask 077; printf '%s relay-user@example.net:%s\n' "$KEY" "$2" >"$C/$1" )
	postmap -c "$C" "hash:$C/$1"
}
table sasl_passwd 'Main-S3cret one'
table sasl_second 'List-S3cret-two'
table sasl_lmtp 'Lmtp-S3cret-three'
table sasl_master 'Master-S3cret-four'
postconf -c "$C" -e \
    "smtp_sasl_password_maps = hash:$C/sasl_passwd, proxy:hash:$C/sasl_second" \
    "lmtp_sasl_password_maps = hash:$C/sasl_lmtp"
cat >>"$C/master.cf" <<EOF
relay-billing unix - - n - - smtp
  -o smtp_sasl_password_maps=hash:\${config_directory}/sasl_master
EOF
# A symlinked config directory (as configuration management makes them).
ln -s "$C" "$RD_TMP/conf-link"

# no_secret TEXT - the text carries none of the passwords.
no_secret() {
	! grep -q 'S3cret' <<<"$1"
}
# masked TEXT - the text shows the user with the mask, and no password.
masked() {
	no_secret "$1" && grep -qF 'relay-user@example.net:••••' <<<"$1"
}

# Every way of naming a credentials table that printed passwords before.
variants=(
	"hash:$C//sasl_passwd|a double slash"
	"hash:$C/./sasl_passwd|a ./ component"
	"hash:$RD_TMP/conf-link/sasl_passwd|a symlink"
	"hash:$C/sasl_second|the second table of the list"
	"hash:$C/sasl_lmtp|a table only lmtp_sasl_password_maps names"
	"hash:$C/sasl_master|a table only a master.cf -o override names"
)
for v in "${variants[@]}"; do
	spec=${v%%|*}
	what=${v#*|}
	rd -c "$C" map show "$spec"
	show=$RD_OUT$RD_ERR
	rd -c "$C" map query "$spec" "$KEY"
	query=$RD_OUT$RD_ERR
	if [ "$RD_RC" -eq 0 ] && masked "$show" && masked "$query"; then
		tap_ok "map show/query through $what mask the password"
	else
		tap_not_ok "map show/query through $what mask the password"
		tap_diag "show: $show"
		tap_diag "query: $query"
	fi
	rd -c "$C" --json map show "$spec"
	show=$RD_OUT
	rd -c "$C" --json map query "$spec" "$KEY"
	query=$RD_OUT
	if masked "$show" && masked "$query" &&
	    rd_json "d['secret'] is True and d['entries'][0]['value'].endswith('••••')" <<<"$show" &&
	    rd_json "d['found'] and d['value'] == 'relay-user@example.net:••••'" <<<"$query"; then
		tap_ok "map show/query --json through $what mask the password"
	else
		tap_not_ok "map show/query --json through $what mask the password"
		tap_diag "show: $show"
		tap_diag "query: $query"
	fi
done

# postmap -q reads PATH.db, not PATH: a table whose compiled file is the
# credentials table's (a symbolic or a hard link under another name) is
# just as secret, whatever its source file is.
mkdir "$RD_TMP/other"
ln -s "$C/sasl_passwd.db" "$RD_TMP/other/alias.db"
ln "$C/sasl_second.db" "$RD_TMP/other/hard.db"
: >"$RD_TMP/other/alias"
: >"$RD_TMP/other/hard"
for v in "alias|a symbolic link" "hard|a hard link"; do
	rd -c "$C" map query "hash:$RD_TMP/other/${v%%|*}" "$KEY"
	query=$RD_OUT$RD_ERR
	rd -c "$C" --json map query "hash:$RD_TMP/other/${v%%|*}" "$KEY"
	if masked "$query" && masked "$RD_OUT"; then
		tap_ok "map query masks a table whose .db is the credentials table's through ${v#*|}"
	else
		tap_not_ok "map query masks a table whose .db is the credentials table's through ${v#*|}"
		tap_diag "query: $query"
		tap_diag "json: $RD_OUT"
	fi
done
rm -r "$RD_TMP/other"

# A rewrite/routing parameter pointed at the credentials file (a mistake,
# or sender-dependent keys): map try answers from it, masked.
( umask 077; printf 'billing@example.org billing-user:Sender-S3cret\n' >>"$C/sasl_passwd" )
postmap -c "$C" "hash:$C/sasl_passwd"
postconf -c "$C" -e "sender_dependent_relayhost_maps = hash:$C/./sasl_passwd"
rd -c "$C" map try billing@example.org
tap_check "map try masks a result from the credentials file" \
    eval 'no_secret "$RD_OUT$RD_ERR" && grep -qF "billing-user:••••" <<<"$RD_OUT"'
rd -c "$C" --json map try billing@example.org
tap_check "map try --json masks it too" rd_json \
    "[s.get('result') for s in d['steps'] if s['param']=='sender_dependent_relayhost_maps']==['billing-user:••••']" <<<"$RD_OUT"
tap_check "map try --json carries no password" no_secret "$RD_OUT"
postconf -c "$C" -X sender_dependent_relayhost_maps

# --- passwords never go on the command line (item 5) -------------------------
cp -p "$C/sasl_passwd" "$RD_TMP/sasl_passwd.before"
rd -c "$C" map add smtp_sasl_password_maps '[smtp2.example.com]:587' 'u:Argv-S3cret' --yes
tap_is "$RD_RC" 2 "map add of a password to smtp_sasl_password_maps is refused (exit 2)"
tap_like "$RD_ERR" "creds add .*--password-file" "the refusal points to creds add --password-file"
rd -c "$C" map add "hash:$C/./sasl_passwd" '[smtp2.example.com]:587' 'u:Argv-S3cret' --yes
tap_is "$RD_RC" 2 "map add through ./ to the same file is refused too"
rd -c "$C" map add "hash:$C/sasl_lmtp" '[smtp2.example.com]:587' 'u:Argv-S3cret' --yes
tap_is "$RD_RC" 2 "map add to the lmtp credentials table is refused"
# A credentials table that does not exist yet: same directory, same name.
postconf -c "$C" -e "lmtp_sasl_password_maps = hash:$C/sasl_lmtp, hash:$C/sasl_not_yet"
rd -c "$C" map add "hash:$C//sasl_not_yet" '[smtp2.example.com]:587' 'u:Argv-S3cret' --yes
tap_is "$RD_RC" 2 "map add to a credentials table not created yet is refused"
tap_check "and the table is not created" test ! -e "$C/sasl_not_yet"
postconf -c "$C" -e "lmtp_sasl_password_maps = hash:$C/sasl_lmtp"
tap_check "sasl_passwd unchanged by the refused adds" cmp -s "$C/sasl_passwd" "$RD_TMP/sasl_passwd.before"
tap_check "no refused password reached the lmtp table" \
    eval '! grep -q Argv "$C/sasl_lmtp"'

# --- no password in main.cf (item 3) ------------------------------------------
cp -p "$C/main.cf" "$RD_TMP/main.cf.before"
rd -c "$C" set 'smtp_sasl_password_maps=static:relay-user:Static-S3cret'
tap_is "$RD_RC" 3 "set smtp_sasl_password_maps=static:... is refused (exit 3)"
tap_like "$RD_ERR" "static: would put the password into main.cf, which every local user can read.*hash: or lmdb:" \
    "the refusal names the reason and the fix"
rd -c "$C" set "smtp_sasl_password_maps=hash:$C/sasl_passwd, inline:{ $KEY=u:Inline-S3cret }"
tap_is "$RD_RC" 3 "inline: as a second entry is refused too"
rd -c "$C" set 'lmtp_sasl_password_maps=unionmap:{ hash:/etc/postfix/x, static:u:Union-S3cret }'
tap_is "$RD_RC" 3 "static: inside unionmap:{...} of lmtp_sasl_password_maps is refused"
rd -c "$C" set 'smtp_sasl_password_maps=${smtp_tls_security_level?{static:u:Cond-S3cret}}'
tap_is "$RD_RC" 3 "static: inside \${name?{...}} (postconf -x expands it to static:) is refused"
tap_check "and the refusal quotes no password" no_secret "$RD_OUT$RD_ERR"
rd -c "$C" diff
tap_like "$RD_ERR" "no staged changes" "nothing was staged by the refused sets"
# Through a name the password parameter refers to: caught at staging.
postconf -c "$C" -e "smtp_generic_maps = hash:$C/generic" "smtp_sasl_password_maps = \$smtp_generic_maps"
cp -p "$C/main.cf" "$RD_TMP/main.cf.before"
rd -c "$C" set 'smtp_generic_maps=static:relay-user:Ref-S3cret'
tap_is "$RD_RC" 0 "set of the referenced parameter itself is staged"
rd -c "$C" diff
tap_is "$RD_RC" 3 "diff refuses the change: smtp_sasl_password_maps would expand to static:"
rd -c "$C" apply --yes
tap_is "$RD_RC" 3 "apply refuses it too (exit 3)"
tap_check "main.cf unchanged" cmp -s "$C/main.cf" "$RD_TMP/main.cf.before"
rd -c "$C" discard
postconf -c "$C" -e "smtp_sasl_password_maps = hash:$C/sasl_passwd"
# setup keeps credentials configured elsewhere, but not a password in main.cf.
postconf -c "$C" -e "smtp_sasl_password_maps = hash:$C/sasl_passwd, static:relay-user:Kept-S3cret"
cp -p "$C/main.cf" "$RD_TMP/main.cf.before"
RD_RC=0
RD_OUT=$(printf 'setup-pass\n' | rdx -c "$C" setup --yes --provider sendgrid 2>"$RD_TMP/err") || RD_RC=$?
RD_ERR=$(cat "$RD_TMP/err")
tap_is "$RD_RC" 3 "setup refuses to keep static: in smtp_sasl_password_maps"
tap_like "$RD_ERR" "smtp_sasl_password_maps: static: would put the password into main.cf" \
    "setup's refusal names the parameter and the reason"
tap_check "main.cf unchanged by the refused setup" cmp -s "$C/main.cf" "$RD_TMP/main.cf.before"
# One already in main.cf is not printed by map list.
rd -c "$C" map list
tap_check "map list masks a static: password already in main.cf" \
    eval 'no_secret "$RD_OUT" && grep -qF "static:••••" <<<"$RD_OUT"'
rd -c "$C" --json map list
tap_check "map list --json masks it too" \
    eval 'no_secret "$RD_OUT" && rd_json "any(m[\"spec\"] == \"static:••••\" for m in d[\"maps\"])" <<<"$RD_OUT"'
# ... nor under the name of a parameter the password parameter refers to
postconf -c "$C" -e 'lmtp_creds = static:lmtp-user:Via-Name-S3cret' \
    'lmtp_sasl_password_maps = $lmtp_creds'
rd -c "$C" map list
tap_check "map list masks a static: password reached through \$lmtp_creds" \
    eval 'no_secret "$RD_OUT" && grep -qE "^lmtp_creds +static:••••" <<<"$RD_OUT"'
rd -c "$C" --json map list
tap_check "map list --json masks it too" \
    eval 'no_secret "$RD_OUT" && rd_json "any(m[\"param\"] == \"lmtp_creds\" and m[\"spec\"] == \"static:••••\" for m in d[\"maps\"])" <<<"$RD_OUT"'
postconf -c "$C" -X lmtp_creds
postconf -c "$C" -e "lmtp_sasl_password_maps = hash:$C/sasl_lmtp"
postconf -c "$C" -e "smtp_sasl_password_maps = hash:$C/sasl_passwd, proxy:hash:$C/sasl_second"

# --- main.cf diff: secret values masked, first and continuation lines --------
postconf -c "$C" -X lmtp_sasl_password_maps
cat >>"$C/main.cf" <<EOF
lmtp_sasl_password_maps = hash:$C/sasl_lmtp,
    inline:{ [lmtp.example.com]:24=u:Inline-S3cret }
ldapx_bind_pw =
    Cont-S3cret
mysqlx_password = My-S3cret
EOF
rd -c "$C" set 'smtp_tls_note_starttls_offer=yes'
rd -c "$C" unset lmtp_sasl_password_maps
rd -c "$C" diff
tap_check "main.cf diff shows the new parameter in clear" \
    grep -qxF -- "+smtp_tls_note_starttls_offer = yes" <<<"$RD_OUT"
tap_check "a removed static:/inline: value is masked on its first and continuation line" \
    eval 'grep -A1 -xF -- "-lmtp_sasl_password_maps = ********" <<<"$RD_OUT" | grep -qxF -- "-    ********"'
tap_check "context lines of *_bind_pw and *_password values are masked, continuation too" \
    eval 'grep -A2 -xF -- " ldapx_bind_pw =" <<<"$RD_OUT" | tr "\n" "|" | grep -qF -- " ldapx_bind_pw =|     ********| mysqlx_password = ********|"'
tap_check "main.cf diff carries no password" no_secret "$RD_OUT"
# show's own "unused parameter" warning (Postfix's, in apply reports, is masked)
rd -c "$C" show
tap_check "show's unused-parameter warning masks a *_password value" \
    eval 'no_secret "$RD_ERR" && grep -qF "unused parameter: mysqlx_password=********" <<<"$RD_ERR"'
rd -c "$C" --json diff
tap_check "diff --json carries no password" no_secret "$RD_OUT"
rd -c "$C" discard

# --- history and rollback of a credentials table ---------------------------
rd -c "$C" map remove "hash:$RD_TMP/conf-link/sasl_passwd" billing@example.org --yes
tap_is "$RD_RC" 0 "map remove through the symlink exits 0"
# postmap keeps the mode of a .db that exists: one left readable must be
# made 0600 before the new entries go into it
chmod 644 "$C/sasl_second.db"
rd -c "$C" map remove "hash:$C/./sasl_second" "$KEY" --yes
tap_is "$(stat -c %a "$C/sasl_second")" 600 "the table edited through ./ stays 0600"
tap_is "$(stat -c %a "$C/sasl_second.db")" 600 "and its compiled table, left 0644, is 0600 after the edit"
rd -c "$C" history
h=$RD_OUT
rd -c "$C" --json history
tap_check "history (text and JSON) carries no password" no_secret "$h$RD_OUT"
first=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][1]["id"])' <<<"$RD_OUT")
chmod 644 "$C/sasl_second"
rd -c "$C" rollback --yes
r=$RD_OUT$RD_ERR
tap_is "$(stat -c %a "$C/sasl_second")" 600 "rollback writes the credentials table back 0600"
tap_is "$(postmap -c "$C" -q "$KEY" "hash:$C/sasl_second")" \
    'relay-user@example.net:List-S3cret-two' "rollback restored the removed entry"
rd -c "$C" --json rollback "$first" --yes
tap_check "rollback output (text and JSON) carries no password" no_secret "$r$RD_OUT"
tap_is "$(postmap -c "$C" -q billing@example.org "hash:$C/sasl_passwd")" \
    'billing-user:Sender-S3cret' "rollback by ID restored the entry removed through the symlink"
# creds audit looks at every credentials table, not only the first one.
chmod 644 "$C/sasl_lmtp" "$C/sasl_master.db"
rd -c "$C" creds audit
tap_check "creds audit reports the lmtp table and the master.cf table's .db" \
    eval 'grep -q "^$C/sasl_lmtp: " <<<"$RD_OUT" && grep -q "^$C/sasl_master.db: " <<<"$RD_OUT"'
rd -c "$C" creds audit --fix --yes
tap_is "$(stat -c %a "$C/sasl_lmtp") $(stat -c %a "$C/sasl_master.db")" "600 600" \
    "creds audit --fix makes them 0600"
rd -c "$C" map list
tap_check "map list names every credentials table, no password" \
    eval 'no_secret "$RD_OUT" && grep -q sasl_second <<<"$RD_OUT" && grep -q sasl_lmtp <<<"$RD_OUT"'
rd -c "$C" --json map list
tap_check "map list --json parses and carries no password" \
    eval 'no_secret "$RD_OUT" && rd_json "len(d[\"maps\"]) > 0" <<<"$RD_OUT"'

tap_done
