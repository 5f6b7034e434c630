#!/bin/sh
# sandbox.sh - (re)create a private Postfix configuration for relaydeck.
#
# Usage: tests/lib/sandbox.sh DIR
#
# Creates DIR/etc (a Postfix config directory made from data/sandbox/),
# DIR/state (relaydeck's state dir), DIR/queue and DIR/data.  Every path
# inside main.cf points into DIR (the @SANDBOX@ placeholder), so the
# machine's /etc/postfix is never read or written.  The sandbox is not
# started; as root, "postfix -c DIR/etc check" passes.
#
# Files are rewritten from the templates on every run: anything edited in
# DIR/etc is lost, DIR/state is emptied.  Exits non-zero with a message on
# stderr when a step fails.
set -eu

die() { echo "sandbox.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: sandbox.sh DIR"
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
tmpl=$srcdir/data/sandbox
[ -f "$tmpl/main.cf" ] || die "$tmpl/main.cf: template not found"
command -v postconf >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
command -v postmap >/dev/null 2>&1 || die "postmap not found: install the Debian package postfix"

mkdir -p "$1"
dir=$(cd "$1" && pwd)
case $dir in
/etc/postfix|/etc/postfix/*) die "$dir: refusing to touch the machine's Postfix" ;;
*[!A-Za-z0-9/._+-]*) die "$dir: path has characters main.cf cannot hold" ;;
esac

# Postfix programs run as the postfix user must be able to reach the
# queue: the sandbox root may come from mktemp (0700).
chmod 755 "$dir"
rm -rf "$dir/etc" "$dir/state"
mkdir -p "$dir/etc" "$dir/state" "$dir/queue" "$dir/data"
chmod 755 "$dir/etc" "$dir/queue"
chmod 700 "$dir/state"

umask 022
sed "s|@SANDBOX@|$dir|g" "$tmpl/main.cf" >"$dir/etc/main.cf"
for f in master.cf generic header_checks; do
	[ -f "$tmpl/$f" ] && cp "$tmpl/$f" "$dir/etc/$f"
done
# The credential file is 0600 before it has content, so no window exists
# in which it is readable by others (postmap copies the mode to the .db).
(umask 077 && cat "$tmpl/sasl_passwd" >"$dir/etc/sasl_passwd")
chmod 600 "$dir/etc/sasl_passwd"

postmap -c "$dir/etc" "hash:$dir/etc/sasl_passwd"
postmap -c "$dir/etc" "hash:$dir/etc/generic"

# Postfix wants the data directory owned by mail_owner.
if [ "$(id -u)" -eq 0 ]; then
	chown postfix "$dir/data" 2>/dev/null || true
fi
echo "sandbox ready: $dir/etc (state: $dir/state)"
