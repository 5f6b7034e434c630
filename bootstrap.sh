#!/bin/sh
# bootstrap.sh - set up, build and test relaydeck on Debian 12.
#
# Usage:
#	./bootstrap.sh deps			install what is missing (apt-get)
#	./bootstrap.sh build [CONFIGURE ARGS]	autoreconf if needed, configure in
#						./build, make
#	./bootstrap.sh sandbox			deps + build + a sandbox in ./sandbox,
#						then open the console on it
#	./bootstrap.sh test			deps + ASan/-Werror build + make check
#						(+ make distcheck when DISTCHECK=1);
#						last line: "N passed, N failed"
#
# Never reads or writes the machine's Postfix configuration, except that an
# empty /etc/postfix/main.cf is created when none exists: Postfix's own
# tools (postconf, postqueue) refuse to run without one, even with -c DIR.
set -eu

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
builddir=$top/build

say() { echo "bootstrap: $*"; }
die() { echo "bootstrap: $*" >&2; exit 1; }

# Run a command as root: directly, or through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

PKGS="build-essential autoconf automake pkg-config \
libncurses-dev libyaml-dev libssl-dev libssh2-1-dev libjson-c-dev libcmocka-dev zlib1g-dev \
postfix sasl2-bin libsasl2-modules openssh-server tmux \
clang libclang-rt-14-dev swaks patch time acl \
python3 ca-certificates openssl util-linux procps iproute2 ansible-core systemd-journal-remote"

# Install the Debian packages that are missing; skip apt when none are.
cmd_deps() {
	missing=
	for p in $PKGS; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		say "installing:$missing"
		command -v apt-get >/dev/null 2>&1 ||
		    die "apt-get not found: install by hand:$missing"
		# "No configuration": install Postfix without configuring or
		# starting the machine's own instance.
		echo "postfix postfix/main_mailer_type select No configuration" |
		    as_root debconf-set-selections
		# Keep package services (the machine's Postfix, sshd) from
		# starting on install: invoke-rc.d obeys policy-rc.d's 101.
		policy=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			policy=/usr/sbin/policy-rc.d
			as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d &&
			    chmod 755 /usr/sbin/policy-rc.d'
		fi
		rc=0
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends $missing || rc=$?
		[ -z "$policy" ] || as_root rm -f "$policy"
		[ "$rc" -eq 0 ] || die "apt-get failed (exit $rc)"
	else
		say "all packages present"
	fi
	if [ ! -e /etc/postfix/main.cf ]; then
		say "creating an empty /etc/postfix/main.cf (Postfix's tools need one; the machine's Postfix stays unconfigured)"
		as_root sh -c ': >/etc/postfix/main.cf'
	fi
}

# Generate configure when it is missing or older than its sources.
need_autoreconf() {
	[ -x configure ] || return 0
	[ -f Makefile.in ] || return 0
	for f in configure.ac Makefile.am; do
		[ "$f" -nt configure ] && return 0
		[ "$f" -nt Makefile.in ] && return 0
	done
	return 1
}

# Configure (out of tree, in ./build) and compile.
cmd_build() {
	if need_autoreconf; then
		say "autoreconf -fi"
		autoreconf -fi
	fi
	mkdir -p "$builddir"
	want="$*"
	have=
	[ -f "$builddir/.configure-args" ] && have=$(cat "$builddir/.configure-args")
	if [ ! -f "$builddir/Makefile" ] || [ "x$have" != "x$want" ] ||
	    [ configure -nt "$builddir/Makefile" ]; then
		say "configure $want"
		(cd "$builddir" && "$top/configure" "$@")
		# Objects depend on sources, not on flags: objects built with
		# other switches (e.g. ASan) would be linked as they are.
		if [ -f "$builddir/.configure-args" ] && [ "x$have" != "x$want" ]; then
			make -C "$builddir" clean >/dev/null
		fi
		printf '%s' "$want" >"$builddir/.configure-args"
	fi
	make -C "$builddir" -j"$(nproc 2>/dev/null || echo 2)"
}

# Count TAP results in the automake .trs files of a build tree.
count_results() {
	find "$1" -name '*.trs' -exec cat {} + 2>/dev/null |
	awk -F': ' '
	    $1 == ":test-result" {
		r = $2; sub(/ .*/, "", r)
		if (r == "PASS" || r == "XPASS") pass++
		else if (r == "FAIL" || r == "ERROR") fail++
		else if (r == "SKIP") skip++
		else if (r == "XFAIL") pass++
	    }
	    END {
		line = sprintf("%d passed, %d failed", pass, fail)
		if (skip) line = line sprintf(", %d skipped", skip)
		print line
		exit fail ? 1 : 0
	    }'
}

# Print the end of every test log under DIR that reports a failure.
show_failed_logs() {
	find "$1" -name '*.log' ! -name 'config.log' ! -name 'test-suite.log' |
	while read -r f; do
		grep -q '^not ok\|ERROR\|runtime error\|AddressSanitizer' "$f" 2>/dev/null || continue
		echo "---- $f"
		tail -n 40 "$f"
	done
}

# Build with sanitizers and -Werror, run every test layer, summarise.
cmd_test() {
	cmd_deps
	cmd_build --enable-asan --enable-werror
	rc=0
	# Old results would be counted again: start from a clean slate.
	find "$builddir" -name '*.trs' -exec rm -f {} + 2>/dev/null || true
	make -C "$builddir" -j"$(nproc 2>/dev/null || echo 2)" check || rc=1
	[ "$rc" -eq 0 ] || show_failed_logs "$builddir"
	# The summary counts make check's results (distcheck runs a subset again).
	summary=$(count_results "$builddir" || true)
	if [ "${DISTCHECK:-0}" = 1 ]; then
		# A subset of the tests (Makefile.am says which and why).
		make -C "$builddir" -j"$(nproc 2>/dev/null || echo 2)" \
		    TESTS='$(DISTCHECK_TESTS)' distcheck || {
			say "make distcheck failed"
			for d in "$builddir"/relaydeck-*/_build; do
				[ -d "$d" ] && show_failed_logs "$d"
			done
			rc=1
			case $summary in
			*", 0 failed"*|"0 failed"*)
				summary=$(echo "$summary" | sed 's/, 0 failed/, 1 failed/') ;;
			esac
		}
	fi
	case $summary in
	*", 0 failed"*|"0 failed"*) ;;
	*) rc=1 ;;
	esac
	[ "$rc" -eq 0 ] || say "FAILED"
	echo "$summary"
	return $rc
}

# Make ./sandbox and open the console on it (never /etc/postfix).
cmd_sandbox() {
	cmd_deps
	cmd_build
	sh "$top/tests/lib/sandbox.sh" "$top/sandbox"
	# The binary is not installed: show it the data files of this tree.
	RELAYDECK_PROVIDERS_CATALOG=$top/data/providers.yaml
	RELAYDECK_THEMES_DIR=$top/themes
	export RELAYDECK_PROVIDERS_CATALOG RELAYDECK_THEMES_DIR
	# --state-dir, not RELAYDECK_STATE_DIR: root ignores the variable.
	exec "$builddir/relaydeck" -c "$top/sandbox/etc" --state-dir "$top/sandbox/state"
}

case ${1:-} in
deps) cmd_deps ;;
build) shift; cmd_build "$@" ;;
sandbox) cmd_sandbox ;;
test) cmd_test ;;
*) echo "usage: $0 deps | build [CONFIGURE ARGS] | sandbox | test" >&2; exit 2 ;;
esac
