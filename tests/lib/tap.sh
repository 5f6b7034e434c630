# tap.sh - tiny TAP producer for relaydeck's shell tests (source it).
#
# API:
#	tap_plan N		print "1..N" (call once, before the first result)
#	tap_ok NAME		a passing test
#	tap_not_ok NAME		a failing test
#	tap_check NAME CMD...	run CMD; ok when it exits 0
#	tap_skip NAME REASON	"ok N # SKIP REASON"
#	tap_skip_all REASON	"1..0 # SKIP REASON", then exit 0
#	tap_is GOT WANT NAME	string equality; prints got/expected as # lines
#	tap_like GOT ERE NAME	GOT matches the extended regexp ERE
#	tap_unlike GOT ERE NAME	GOT does not match ERE
#	tap_diag MSG...		a "# " comment on stdout
#	tap_done		check the count against the plan; exit 1 on any
#				failure or count mismatch, 0 otherwise
# Counters live in shell variables, so call these in the main shell, not in
# a pipeline or a $(...) subshell.

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=

# Print the plan line.
tap_plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

# Skip the whole script (no root, no postfix...).
tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# Print a comment, one "# " line per input line.
tap_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# Record a passing test.
tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

# Record a failing test.
tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
}

# Record a skipped test with its reason.
tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# Run a command; ok if it exits 0, else show its exit code.
tap_check() {
	_tap_name=$1
	shift
	if "$@"; then
		tap_ok "$_tap_name"
	else
		_tap_rc=$?
		tap_not_ok "$_tap_name"
		tap_diag "command failed (exit $_tap_rc): $*"
	fi
}

# Compare two strings exactly.
tap_is() {
	if [ "x$1" = "x$2" ]; then
		tap_ok "$3"
	else
		tap_not_ok "$3"
		tap_diag "     got: '$1'"
		tap_diag "expected: '$2'"
	fi
}

# Match a string against an extended regular expression.
tap_like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_ok "$3"
	else
		tap_not_ok "$3"
		tap_diag "     got: '$1'"
		tap_diag "expected to match: /$2/"
	fi
}

# tap_re_quote STRING - STRING as an ERE matching it literally (a base64
# key holds '+', which grep -E would read as an operator).
tap_re_quote() {
	printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'
}

# The string must not match the extended regular expression.
tap_unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_not_ok "$3"
		tap_diag "     got: '$1'"
		tap_diag "expected not to match: /$2/"
	else
		tap_ok "$3"
	fi
}

# Final check: all planned tests ran and none failed.
tap_done() {
	if [ -n "$TAP_PLANNED" ] && [ "$TAP_N" -ne "$TAP_PLANNED" ]; then
		tap_diag "planned $TAP_PLANNED tests but ran $TAP_N"
		exit 1
	fi
	if [ "$TAP_FAILED" -ne 0 ]; then
		tap_diag "$TAP_FAILED of $TAP_N tests failed"
		exit 1
	fi
	exit 0
}
