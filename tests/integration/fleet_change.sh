#!/bin/bash
# fleet_change.sh - one change rolled out to 20 relays (real sshd servers,
# each in front of its own Postfix sandbox): a canary first, then batches
# of 5. One relay (r07) fails validation: the change references
# $fleet_peers, which every relay defines but r07, so Postfix warns about
# an undefined parameter there and relaydeck's apply rolls it back.
#   stop on failure: r07 rolled back and reported, the rest of its batch
#   keeps the change, the batches after it are untouched (still staged);
#   --continue-on-error: the rest get it; a failing canary stops all.
# The relays have no relayhost (mail goes out by MX), so the canary's
# probe has nothing to check and its apply's own checks decide;
# fleet_canary.sh tests the probe.
lib=$(cd "$(dirname "$0")/../lib" && pwd)
. "$lib/tap.sh"
. "$lib/rdtest.sh"
. "$lib/sshd.sh"
. "$lib/fleet_hosts.sh"

rd_require_root_postfix
command -v sshd >/dev/null 2>&1 || tap_skip_all "openssh-server is not installed"
tap_plan 14
rd_tmpdir
tmp=$RD_TMP
cleanup() {
	fh_cleanup
	sshd_cleanup
	rd_cleanup
}
trap cleanup EXIT
unset SSH_AUTH_SOCK
export HOME=$tmp/home
mkdir -p -m 0700 "$HOME/.ssh"
fh_init || { tap_not_ok "admin key"; tap_done; }
HOSTS=$(seq -f 'r%02g' 1 20)
ok=1
for h in $HOSTS; do
	fh_start "$h" || ok=0
	postconf -c "$tmp/sb-$h/etc" -X relayhost || ok=0
	[ "$h" = r07 ] || postconf -c "$tmp/sb-$h/etc" -e "fleet_peers = 127.0.0.1" || ok=0
	cp -p "$tmp/sb-$h/etc/main.cf" "$tmp/main.cf.$h"
done
[ $ok = 1 ] || { tap_not_ok "20 relays started"; tap_done; }
{
	fh_inventory
	for h in $HOSTS; do fh_host_line "$h"; done
	echo "groups:"
	echo "  relays:"
	echo "    hosts: [$(echo $HOSTS | tr ' ' ',')]"
} >"$tmp/inv.yml"

rdf() {
	"$RELAYDECK" --inventory "$tmp/inv.yml" -F none "$@" >"$tmp/out" 2>"$tmp/err"
	RD_RC=$?
	RD_OUT=$(cat "$tmp/out")
	RD_ERR=$(cat "$tmp/err")
}
# has HOST: 1 when the relay's main.cf holds the change
has() {
	[ "$(postconf -c "$tmp/sb-$1/etc" -h debug_peer_list 2>/dev/null)" = '$fleet_peers' ] && echo 1 || echo 0
}
# which STATE HOSTS... - the hosts whose has() is STATE
which() {
	local want=$1 h out=
	shift
	for h in "$@"; do [ "$(has "$h")" = "$want" ] && out="$out$h "; done
	echo "$out"
}
status_of() {
	python3 -c "
import json, sys
for line in open('$tmp/out'):
    d = json.loads(line)
    if 'summary' in d:
        print(' '.join(r['host'] for r in d['summary']['results'] if r['status'] == sys.argv[1]))
" "$1"
}

rdf -g relays set 'debug_peer_list=$fleet_peers'
tap_is "$RD_RC" 0 "the edit is staged on all 20 relays"
[ "$RD_RC" = 0 ] || tap_diag "$RD_OUT
$RD_ERR"

# stop on the first failure
rdf -g relays --json apply --yes --canary r01 --batch 5
tap_is "$RD_RC" 1 "apply --canary r01 --batch 5: exit 1 (one host failed)"
tap_is "$(status_of failed)" "r07" "r07 reported as failed"
tap_is "$(status_of ok)" "r01 r02 r03 r04 r05 r06 r08 r09 r10 r11" \
	"the canary, the first batch and the rest of r07's batch: ok"
tap_is "$(status_of skipped)" "r12 r13 r14 r15 r16 r17 r18 r19 r20" \
	"the batches after the failure: not reached"
tap_check "r07 rolled back: main.cf byte for byte as before" cmp -s "$tmp/sb-r07/etc/main.cf" "$tmp/main.cf.r07"
tap_is "$(which 1 $HOSTS)" "r01 r02 r03 r04 r05 r06 r08 r09 r10 r11 " "the others that were reached keep the change"
untouched=1
for h in $(seq -f 'r%02g' 12 20); do cmp -s "$tmp/sb-$h/etc/main.cf" "$tmp/main.cf.$h" || untouched=0; done
tap_is "$untouched" 1 "r12-r20: main.cf untouched"
rdf -H r05 history --json
tap_like "$RD_OUT" "debug_peer_list|main.cf" "r05's own history records the change"

# the rest, going on past failures
rdf -g relays --limit 'r1*:r2*:r07' --json apply --yes --batch 5 --continue-on-error
tap_is "$RD_RC:$(status_of failed)" "1:r07" "--continue-on-error: r07 fails again, alone"
tap_is "$(which 0 $HOSTS)" "r07 " "every relay but r07 has the change"

# a failing canary stops everything
rdf -g relays set 'debug_peer_list=$fleet_peers, 127.0.0.2'
rdf -g relays --json apply --yes --canary r07 --batch 10
tap_is "$RD_RC:$(status_of failed)" "1:r07" "canary r07 fails"
tap_is "$(status_of skipped | wc -w)" 19 "... and the 19 others are not touched"
tap_is "$(which 1 $HOSTS | wc -w)" 19 "... their main.cf still has the previous change"
tap_done
