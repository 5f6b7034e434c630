#!/bin/bash
# symlink_maincf.sh - main.cf and a map kept by config management as
# symbolic links into a checkout: apply, rollback and map add follow the
# link and replace the file it names in its own directory (a new inode
# there, no temp file left), keep its owner, group, mode, ACL and other
# extended attributes, and leave the link a link.  Needs root and setfacl
# (Debian package acl).  Over SSH (symlink_maincf_ssh.sh) the same, except
# ACL and extended attributes: SFTP cannot carry them.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
command -v setfacl >/dev/null 2>&1 || tap_skip_all "setfacl not installed (package acl)"
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 26

sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null || exit 1
C=$RD_TMP/sb/etc
S=$RD_TMP/sb/state
CM=$RD_TMP/checkout	# where "config management" keeps the real files
mkdir -m 755 "$CM"

# main.cf: root:mail 0640 with an ACL entry for nobody and a user xattr.
mv "$C/main.cf" "$CM/main.cf"
chown root:mail "$CM/main.cf"
chmod 0640 "$CM/main.cf"
if ! setfacl -m u:nobody:r "$CM/main.cf" 2>"$RD_TMP/acl.err"; then
	tap_skip_all "this file system takes no ACL: $(cat "$RD_TMP/acl.err")"
fi
python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.origin", b"ansible")' "$CM/main.cf"
ln -s "$CM/main.cf" "$C/main.cf"

# state - owner:group mode, ACL entries and user.origin of FILE, one line.
state() {
	printf '%s %s | %s | %s' "$(stat -c '%U:%G %a' "$1")" \
	    "$(getfacl -cp "$1" 2>/dev/null | grep -v '^$' | tr '\n' ' ')" \
	    "$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.origin").decode())' "$1" 2>&1)" \
	    "$(stat -c %F "$1")"
}
# kept - what relaydeck keeps of FILE: all of state, or over SSH its
# owner, group and mode only.
kept() {
	if [ -n "${RD_SSH_HOST:-}" ]; then
		stat -c '%U:%G %a %F' "$1"
	else
		state "$1"
	fi
}
before=$(kept "$CM/main.cf")
ino=$(stat -c %i "$CM/main.cf")
tap_like "$(state "$CM/main.cf")" "^root:mail 640 user::rw- user:nobody:r-- group::r-- mask::r-- other::--- +\| ansible \| regular file$" \
    "set-up: main.cf is root:mail 0640 with an ACL and user.origin"

rd -c "$C" --state-dir "$S" set 'relayhost=[192.0.2.9]:587'
rd -c "$C" --state-dir "$S" apply --yes
tap_is "$RD_RC" 0 "apply through a symlinked main.cf: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_check "main.cf is still a symbolic link" test -L "$C/main.cf"
tap_is "$(readlink "$C/main.cf")" "$CM/main.cf" "... to the same file"
tap_like "$(cat "$CM/main.cf")" "relayhost = \[192\.0\.2\.9\]:587" "the file it names has the edit"
tap_check "... replaced, not edited in place (a new inode)" test "$(stat -c %i "$CM/main.cf")" != "$ino"
tap_is "$(kept "$CM/main.cf")" "$before" "... owner, group, mode, ACL and user.origin kept"
tap_is "$(postconf -c "$C" -h relayhost)" "[192.0.2.9]:587" "postconf reads the edit through the link"
tap_is "$(find "$C" "$CM" -name '*.rd*' | wc -l)" 0 "no temporary file left in either directory"

rd -c "$C" --state-dir "$S" rollback --yes
tap_is "$RD_RC" 0 "rollback through the link: exit 0"
tap_check "... main.cf is still a symbolic link" test -L "$C/main.cf"
tap_unlike "$(cat "$CM/main.cf")" "192\.0\.2\.9" "... the file it names is back as it was"
tap_is "$(kept "$CM/main.cf")" "$before" "... owner, group, mode, ACL and user.origin kept"

# A map kept the same way: the generic map, linked from the config dir.
mv "$C/generic" "$CM/generic"
chmod 0644 "$CM/generic"
setfacl -m u:nobody:rw "$CM/generic"
ln -s "$CM/generic" "$C/generic"
postmap -c "$C" "hash:$C/generic"
mbefore=$(getfacl -cp "$CM/generic" | tr '\n' ' ')
# what a writer killed mid-write leaves beside the file the link names
printf 'half\n' >"$CM/.generic.rdSTALE1"
rd -c "$C" --state-dir "$S" map add smtp_generic_maps linked@example.net relay@example.net --yes
tap_is "$RD_RC" 0 "map add to a symlinked map: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_check "... the map is still a symbolic link" test -L "$C/generic"
tap_like "$(cat "$CM/generic")" "linked@example\.net[[:space:]]+relay@example\.net" \
    "... the file it names has the entry"
if [ -n "${RD_SSH_HOST:-}" ]; then
	tap_skip "... its ACL is kept" "SFTP carries no ACL"
else
	tap_is "$(getfacl -cp "$CM/generic" | tr '\n' ' ')" "$mbefore" "... its ACL is kept"
fi
tap_is "$(postmap -c "$C" -q linked@example.net "hash:$C/generic")" "relay@example.net" \
    "... and postmap compiled it"
tap_check "... a killed writer's temp file beside the linked map is removed" \
    test ! -e "$CM/.generic.rdSTALE1"

# A secret table made 0600 by relaydeck: an ACL that would open it again
# is not carried over (the mode decides).
chmod 0640 "$C/sasl_passwd"
setfacl -m u:nobody:r "$C/sasl_passwd"
printf 'pw-for-acl\n' >"$RD_TMP/pw"
chmod 600 "$RD_TMP/pw"
rd -c "$C" --state-dir "$S" creds add '[192.0.2.10]:587' --user acl-user --password-file "$RD_TMP/pw" --yes
tap_is "$RD_RC" 0 "creds add to a sasl_passwd with a group-read ACL: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_is "$(stat -c %a "$C/sasl_passwd")" 600 "... sasl_passwd is 0600 afterwards"
tap_unlike "$(getfacl -cp "$C/sasl_passwd")" "nobody" "... and nobody's ACL entry is gone"

# A map that root's main.cf names in a directory of another user's, who
# made it a link to a file of root's: root does not write through it.
sh "$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/sb2" >/dev/null || exit 1
C2=$RD_TMP/sb2/etc
mkdir -m 755 "$RD_TMP/bob"
chown nobody "$RD_TMP/bob"
printf 'precious@example.net keep@example.net\n' >"$RD_TMP/victim"
chmod 600 "$RD_TMP/victim"
vbefore=$(cat "$RD_TMP/victim"; stat -c '%i %U %a' "$RD_TMP/victim")
ln -s "$RD_TMP/victim" "$RD_TMP/bob/generic"
chown -h nobody "$RD_TMP/bob/generic"
postconf -c "$C2" -e "smtp_generic_maps = hash:$RD_TMP/bob/generic"
rd -c "$C2" --state-dir "$RD_TMP/sb2/state" map add smtp_generic_maps evil@example.net \
    x@example.net --yes
tap_check "map add through nobody's link to root's file: refused" test "$RD_RC" -ne 0
tap_like "$RD_ERR" "symbolic link of uid [0-9]+, who would choose the file written" \
    "... the message names the link's owner"
tap_is "$(cat "$RD_TMP/victim"; stat -c '%i %U %a' "$RD_TMP/victim")" "$vbefore" \
    "... the file it points to is untouched"
tap_check "... the link is still a link" test -L "$RD_TMP/bob/generic"

tap_done
