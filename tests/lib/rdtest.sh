# rdtest.sh - common set-up for relaydeck's integration tests (source it
# after tap.sh).
#
# API:
#	rd_require_root_postfix		skip the whole script unless root and
#					the Postfix tools are present
#	rd_tmpdir			make RD_TMP (removed by rd_cleanup)
#	rd_cleanup			remove RD_TMP; chains pfi_cleanup when
#					postfix_instance.sh is loaded
#	rd_stdin FILE CMD...		rd with stdin from FILE
#	rd CMD...			run $RELAYDECK; sets RD_OUT, RD_ERR, RD_RC.
#					$RELAYDECK_STATE_DIR goes as --state-dir:
#					relaydeck ignores the variable as root,
#					and the environment does not cross SSH.
#					With RD_SSH_HOST set (tests/lib/over_ssh.sh)
#					it runs against that SSH host: -H, the
#					server's known_hosts and key
#	rdx CMD...			$RELAYDECK with that --state-dir, output
#					and exit code left to the caller
# Variables: RD_LIB (this directory), RD_SRCDIR (top source dir),
# RELAYDECK (the binary: from make check, else ./build/relaydeck).

PATH=$PATH:/usr/sbin:/sbin
RD_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RD_SRCDIR=${top_srcdir:-$(cd "$RD_LIB/../.." && pwd)}
if [ -z "${RELAYDECK:-}" ]; then
	RELAYDECK=$RD_SRCDIR/build/relaydeck
fi
RD_TMP=

# Skip everything unless we are root with Postfix installed.
rd_require_root_postfix() {
	[ "$(id -u)" -eq 0 ] || tap_skip_all "not root"
	command -v postconf >/dev/null 2>&1 || tap_skip_all "postfix is not installed"
	command -v postfix >/dev/null 2>&1 || tap_skip_all "postfix is not installed"
	[ -x "$RELAYDECK" ] || tap_skip_all "relaydeck binary not built: $RELAYDECK"
	# Postfix's tools need the default main.cf even when given -c DIR.
	[ -e /etc/postfix/main.cf ] || : >/etc/postfix/main.cf
}

# Make a private temporary directory for this script.
rd_tmpdir() {
	RD_TMP=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-test.XXXXXX")
	chmod 755 "$RD_TMP"
}

# Remove what the script made (installed as the EXIT trap).
rd_cleanup() {
	if command -v pfi_cleanup >/dev/null 2>&1; then
		pfi_cleanup
	fi
	if [ -n "$RD_TMP" ] && [ -d "$RD_TMP" ]; then
		rm -rf "$RD_TMP"
	fi
}

# Run relaydeck, keeping stdout, stderr and the exit code.
rd() {
	rd_stdin /dev/null "$@"
}

# rd with stdin from a file.
rd_stdin() {
	local in=$1
	shift
	RD_ERR_FILE=${RD_TMP:-/tmp}/.rd.err
	RD_RC=0
	local via=()
	if [ -n "${RD_SSH_HOST:-}" ]; then
		via=(-H "$RD_SSH_HOST" --known-hosts "$RD_SSH_KNOWN_HOSTS" -i "$RD_SSH_KEY")
	fi
	RD_OUT=$(rdx "${via[@]}" "$@" 2>"$RD_ERR_FILE" <"$in") || RD_RC=$?
	RD_ERR=$(cat "$RD_ERR_FILE")
	rm -f "$RD_ERR_FILE"
}

# Run relaydeck with $RELAYDECK_STATE_DIR (when set) on the command line.
rdx() {
	if [ -n "${RELAYDECK_STATE_DIR:-}" ]; then
		"$RELAYDECK" --state-dir "$RELAYDECK_STATE_DIR" "$@"
	else
		"$RELAYDECK" "$@"
	fi
}

# Show relaydeck's last stderr as TAP comments (on failure).
rd_diag() {
	[ -n "$RD_ERR" ] && tap_diag "stderr: $RD_ERR"
	[ -n "$RD_OUT" ] && tap_diag "stdout: $(printf '%s' "$RD_OUT" | head -n 20)"
	return 0
}

# Check a JSON document (stdin) with a Python expression over "d".
rd_json() {
	command -v python3 >/dev/null 2>&1 || return 2
	python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)
' "$1"
}
