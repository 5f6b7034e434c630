#!/bin/bash
# remote_secret_ps.sh - while credentials are rotated on a remote relay
# (`relaydeck -H ... creds rotate`, over a real sshd), the relay's process
# list never shows the secret: `ps -eo args` is sampled on the relay's
# side every ~10 ms for the whole operation, and no sample holds either
# password. The samples must show the remote commands relaydeck ran
# (postfix check, postmap, postconf): proof they were taken while it worked.
#
# Two rotations without the test, then one tested first against the lab
# smart host (tests/lib/smarthost.sh) through the relay's direct-tcpip
# channel. Needs root, Postfix, openssh-server; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"
. "$(dirname "$0")/../lib/smarthost.sh"
. "$(dirname "$0")/../lib/sshd.sh"

rd_require_root_postfix
sh_require
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
rd_tmpdir
trap 'sshd_cleanup; sh_stop; rd_cleanup' EXIT
tap_plan 15

sh_start_checked "$RD_TMP/lab"
sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
S=$RD_TMP/sb/etc
postconf -c "$S" -e "smtp_tls_CAfile = $SH_CA"
sshd_start
tap_is "$?" 0 "sshd started"
unset SSH_AUTH_SOCK
VIA=(-H "root@127.0.0.1:$SSHD_PORT" --known-hosts "$SSHD_KNOWN_HOSTS" -i "$SSHD_KEY"
     -c "$S" --state-dir "$RD_TMP/sb/state")
KEY="[127.0.0.1]:$SH_SUBMIT_PORT"
ONE="Sampled-One-$$-$RANDOM"
TWO="Sampled-Two-$$-$RANDOM"
RIGHT=$(cat "$SH_PASS_FILE")

# rotate SECRET ARGS... - relaydeck -H ... creds ARGS, SECRET on stdin,
# with ps sampled every 10 ms meanwhile into $RD_TMP/samples.
rotate() {
	local secret=$1 flag=$RD_TMP/.sampling sampler
	shift
	: >"$flag"
	(
		while [ -e "$flag" ]; do
			ps -eo args
			echo "--- sample"
			sleep 0.01
		done
	) >>"$RD_TMP/samples" 2>/dev/null &
	sampler=$!
	# a ps every 10 ms is most of a CPU: it yields to relaydeck's own work
	renice -n 10 -p "$sampler" >/dev/null 2>&1
	RD_RC=0
	RD_OUT=$(printf '%s\n' "$secret" | "$RELAYDECK" "${VIA[@]}" creds "$@" 2>"$RD_TMP/.err") ||
	    RD_RC=$?
	RD_ERR=$(cat "$RD_TMP/.err")
	rm -f "$flag"
	wait "$sampler"
}

rotate "$ONE" add "$KEY" --user "$SH_USER" --yes
tap_is "$RD_RC" 0 "creds add $KEY over SSH"
[ "$RD_RC" -eq 0 ] || rd_diag
: >"$RD_TMP/samples"
# Control: a 0.2 s process with a marker in its argv is seen by the sampler.
CANARY="canary-$$-$RANDOM"
: >"$RD_TMP/.sampling"
( while [ -e "$RD_TMP/.sampling" ]; do ps -eo args; sleep 0.01; done ) >"$RD_TMP/control" &
cpid=$!
bash -c 'sleep 0.2; :' "$CANARY"
sleep 0.05
rm -f "$RD_TMP/.sampling"
wait "$cpid"
tap_check "control: the sampler sees a 0.2 s process's argv" grep -qF -- "$CANARY" "$RD_TMP/control"
rotate "$TWO" rotate "$KEY" --no-test --yes
tap_is "$RD_RC" 0 "rotate one -> two (no test): exit 0"
rotate "$ONE" rotate "$KEY" --no-test --yes
tap_is "$RD_RC" 0 "rotate two -> one (no test): exit 0"
rotate "$RIGHT" rotate "$KEY" --yes
tap_is "$RD_RC" 0 "rotate one -> the smart host's password, tested through the relay: exit 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_like "$RD_ERR" "AUTH accepted with the new password" "the test ran before the rotation"
tap_is "$(postmap -c "$S" -q "$KEY" "hash:$S/sasl_passwd")" "$SH_USER:$RIGHT" \
    "the relay's table holds the new password"

n=$(grep -c '^--- sample' "$RD_TMP/samples")
tap_like "$n" '^[0-9]*[1-9][0-9]*$' "$n samples of the relay's process list were taken"
# Commands run in the kept shell live a few ms (a ps takes longer): what
# the samples catch is mostly postfix check's postfix-script and, now and
# then, a postmap or postconf, running or just ended ([postmap] <defunct>).
tap_like "$(grep -cE '^(/usr/sbin/)?(postconf|postmap) |^\[(postconf|postmap)\]|postfix-script check' \
    "$RD_TMP/samples")" '^[1-9]' \
    "the samples caught relaydeck's commands on the relay (postmap, postconf, postfix check)"
tap_like "$(grep -c 'postfix-script check' "$RD_TMP/samples")" '^[1-9]' \
    "... postfix check among them: the samples span the rotations"
tap_check "no sample shows the first password" bash -c "! grep -qF -- '$ONE' '$RD_TMP/samples'"
tap_check "no sample shows the second password" bash -c "! grep -qF -- '$TWO' '$RD_TMP/samples'"
tap_check "no sample shows the smart host's password" \
    bash -c "! grep -qF -- \"\$(cat '$SH_PASS_FILE')\" '$RD_TMP/samples'"
tap_done
