#!/bin/bash
# apply_nospace.sh - apply on a full or read-only file system reports the
# failing call's own reason and leaves nothing behind.
#
# In a private mount namespace (unshare -m), the sandbox's config
# directory is a 1 MiB tmpfs: filled up, an apply of a staged edit fails
# with "No space left on device" naming the file, says nothing was
# changed (not "restore FAILED"), exits 1, leaves main.cf as it was, no
# temporary file and no "applying" marker, and the next command has
# nothing to recover; remounted read-only, "Read-only file system", exit
# 7, the same. The state directory full (the backup cannot be written):
# the same, and no half-made backup listed by history. After space is
# freed the staged edit applies.
# Needs root, Postfix and unshare; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
command -v unshare >/dev/null 2>&1 || tap_skip_all "unshare not found"
if [ -z "${RD_NOSPACE_NS:-}" ]; then
	# mounts made below vanish with the namespace, whatever happens
	RD_NOSPACE_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
rd_tmpdir
trap rd_cleanup_ns EXIT
rd_cleanup_ns() {
	umount "$RD_TMP/sb/etc" "$RD_TMP/sb/state" 2>/dev/null
	rd_cleanup
}
tap_plan 15

"$RD_SRCDIR/tests/lib/sandbox.sh" "$RD_TMP/sb" >/dev/null || tap_skip_all "no sandbox"
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state

# on_tmpfs DIR - DIR's files on a new 1 MiB tmpfs mounted over it.
on_tmpfs() {
	cp -a "$1" "$1.copy" &&
	    mount -t tmpfs -o size=1m,mode=0755 relaydeck-test "$1" &&
	    cp -a "$1.copy/." "$1/" && rm -rf "$1.copy"
}

# fill DIR - no byte left on DIR's file system.
fill() {
	dd if=/dev/zero of="$1/fill" bs=4k >/dev/null 2>&1
	dd if=/dev/zero of="$1/fill2" bs=1 >/dev/null 2>&1
}

# nothing_left - no marker, no temp file beside main.cf; main.cf unchanged.
nothing_left() {
	if cmp -s "$C/main.cf" "$RD_TMP/main.cf.orig" && [ ! -e "$RELAYDECK_STATE_DIR/applying" ] &&
	    ! ls -a "$C" | grep -q '\.rd'; then
		tap_ok "$1: main.cf as it was, no marker, no temporary file"
	else
		tap_not_ok "$1: main.cf as it was, no marker, no temporary file"
		tap_diag "$(ls -a "$C" "$RELAYDECK_STATE_DIR")"
	fi
}

on_tmpfs "$C" || tap_skip_all "cannot mount a tmpfs"
cp "$C/main.cf" "$RD_TMP/main.cf.orig"
rd -c "$C" set 'relayhost=[192.0.2.9]:587'
tap_is "$RD_RC" 0 "an edit is staged"

# --- the config directory full --------------------------------------------
fill "$C"
rd -c "$C" apply --yes
tap_is "$RD_RC" 1 "apply on a full file system exits 1"
tap_like "$RD_ERR" "$C/\\.main\\.cf\\.rd[A-Za-z0-9]+: No space left on device" \
	"the error is the failing write's reason, naming the file"
tap_unlike "$RD_OUT$RD_ERR" "restore.*FAILED|restoring the previous files failed" \
	"no restore failure is reported"
tap_like "$RD_ERR" "nothing was changed" "it says nothing was changed"
nothing_left "full"
rd -c "$C" show
tap_unlike "$RD_ERR" "interrupted" "the next command has nothing to recover"

# --- read-only ------------------------------------------------------------
rm -f "$C/fill" "$C/fill2"
mount -o remount,ro "$C"
rd -c "$C" apply --yes
tap_is "$RD_RC" 7 "apply on a read-only file system exits 7"
tap_like "$RD_ERR" "Read-only file system" "the error is the failing call's reason"
tap_unlike "$RD_OUT$RD_ERR" "restore.*FAILED|restoring the previous files failed" \
	"no restore failure is reported"
nothing_left "read-only"
mount -o remount,rw "$C"

# --- the state directory full: no backup can be made ----------------------
on_tmpfs "$RELAYDECK_STATE_DIR" || tap_diag "cannot mount a tmpfs on the state directory"
fill "$RELAYDECK_STATE_DIR"
rd -c "$C" apply --yes
tap_like "$RD_RC:$RD_ERR" "^1:.*No space left on device" \
	"a full state directory fails the apply with its reason"
nothing_left "state full"
rd -c "$C" --json history
if printf '%s' "$RD_OUT" | rd_json "d['backups'] == []"; then
	tap_ok "no half-made backup is listed"
else
	tap_not_ok "no half-made backup is listed"
	rd_diag
fi
rm -f "$RELAYDECK_STATE_DIR/fill" "$RELAYDECK_STATE_DIR/fill2"

# --- with space again the staged edit applies -----------------------------
rd -c "$C" apply --yes
tap_is "$RD_RC:$(postconf -c "$C" -h relayhost)" "0:[192.0.2.9]:587" \
	"with space again the staged edit applies"
tap_done
