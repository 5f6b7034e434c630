#!/bin/bash
# cli_apply.sh - apply, history and rollback through the CLI on a running
# private Postfix instance; a value Postfix rejects must leave main.cf as it
# was.  Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"
. "$(dirname "$0")/../lib/postfix_instance.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 19

port=$(pfi_free_port)
if ! pfi_create "$port"; then
	tap_not_ok "private Postfix instance created"
	tap_done
fi
C=$PFI_CONF
export RELAYDECK_STATE_DIR=$RD_TMP/state
mkdir -p -m 700 "$RELAYDECK_STATE_DIR"
# Start from opportunistic TLS so the edits below really change something.
postconf -c "$C" -e 'smtp_tls_security_level = may'
postconf -c "$C" -X smtp_tls_CAfile
if pfi_start; then
	tap_ok "private Postfix instance runs on 127.0.0.1:$port"
else
	tap_not_ok "private Postfix instance runs on 127.0.0.1:$port"
	tap_done
fi
cp -p "$C/main.cf" "$RD_TMP/main.cf.before"
reloads_before=$(grep -c 'reload -- version' "$PFI_LOG" 2>/dev/null || true)

# Stage relayhost and TLS settings, then apply.
rd -c "$C" set 'relayhost=[192.0.2.10]:587' smtp_tls_security_level=encrypt \
    smtp_tls_CAfile=/etc/ssl/certs/ca-certificates.crt
tap_is "$RD_RC" 0 "set relayhost and TLS settings exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_check "main.cf untouched before apply" cmp -s "$C/main.cf" "$RD_TMP/main.cf.before"

rd -c "$C" apply --yes
tap_is "$RD_RC" 0 "apply --yes exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag

tap_is "$(postconf -c "$C" -h relayhost)" "[192.0.2.10]:587" "postconf -h relayhost reports the new relay"
tap_is "$(postconf -c "$C" -h smtp_tls_security_level)" "encrypt" "postconf -h smtp_tls_security_level is encrypt"
tap_is "$(postconf -c "$C" -h smtp_tls_CAfile)" "/etc/ssl/certs/ca-certificates.crt" "postconf -h smtp_tls_CAfile is set"
tap_is "$(postconf -c "$C" -n 2>&1 >/dev/null)" "" "postconf -n prints no warnings after apply"

# The running instance reloaded (postlogd writes the maillog).
if pfi_wait_log 'reload -- version' 10 &&
    [ "$(grep -c 'reload -- version' "$PFI_LOG")" -gt "$reloads_before" ]; then
	tap_ok "the running instance reloaded after apply"
else
	tap_not_ok "the running instance reloaded after apply"
	tap_diag "$(tail -n 10 "$PFI_LOG" 2>/dev/null)"
fi
tap_check "the instance still runs after apply" pfi_running

# Only the edited parameters changed; every other line is byte-identical.
edited='^(relayhost|smtp_tls_security_level|smtp_tls_CAfile)[ 	]*='
grep -Ev "$edited" "$RD_TMP/main.cf.before" >"$RD_TMP/other.before"
grep -Ev "$edited" "$C/main.cf" >"$RD_TMP/other.after"
if cmp -s "$RD_TMP/other.before" "$RD_TMP/other.after"; then
	tap_ok "every other line of main.cf is byte-identical after apply"
else
	tap_not_ok "every other line of main.cf is byte-identical after apply"
	tap_diag "$(diff -u "$RD_TMP/other.before" "$RD_TMP/other.after" | head -n 20)"
fi
changed=$(diff "$RD_TMP/main.cf.before" "$C/main.cf" | grep '^[<>]' | grep -Evc "^[<>] ${edited#^}")
tap_is "$changed" 0 "diff of the files shows only the edited parameters"

# history lists the backup.
rd -c "$C" --json history
if printf '%s' "$RD_OUT" | rd_json '
len(d["backups"]) >= 1 and any(f.endswith("main.cf") for f in d["backups"][0]["files"])'; then
	tap_ok "history --json lists a backup of main.cf"
else
	tap_not_ok "history --json lists a backup of main.cf"
	rd_diag
fi
rd -c "$C" history
tap_unlike "$RD_OUT" '^no backups yet$' "history (text) lists the backup"

# rollback restores the previous bytes.
rd -c "$C" rollback --yes
tap_is "$RD_RC" 0 "rollback --yes exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_check "rollback restores the previous main.cf byte for byte" \
    cmp "$C/main.cf" "$RD_TMP/main.cf.before"

# A value relaydeck accepts but Postfix rejects: the apply fails (exit 1)
# and main.cf is left exactly as it was.  Postfix 3.7 refuses
# debug_peer_level below 1 in "postfix check", and postconf warns about a
# reference to an undefined parameter.
cp -p "$C/main.cf" "$RD_TMP/main.cf.good"
bad=
for cand in 'debug_peer_list=$relaydeck_test_undefined' \
    'smtp_generic_maps=$relaydeck_test_undefined' 'debug_peer_level=0'; do
	rd -c "$C" set "$cand"
	if [ "$RD_RC" -eq 0 ]; then
		bad=$cand
		break
	fi
	rd -c "$C" discard
done
if [ -z "$bad" ]; then
	tap_skip "apply of a value Postfix rejects exits 1" "relaydeck itself rejects every candidate value"
	tap_skip "the failure message names the problem" "no candidate"
	tap_skip "main.cf byte-identical after the failed apply" "no candidate"
else
	tap_diag "value relaydeck accepts but Postfix rejects: $bad"
	rd -c "$C" apply --yes
	tap_is "$RD_RC" 1 "apply of $bad exits 1"
	param=${bad%%=*}
	tap_like "$RD_ERR" "relaydeck: .*($param|relaydeck_test_undefined|postfix check|postconf)" \
	    "the failure message names the problem"
	[ -n "$RD_ERR" ] && tap_diag "message: $RD_ERR"
	tap_check "main.cf byte-identical after the failed apply" \
	    cmp "$C/main.cf" "$RD_TMP/main.cf.good"
	rd -c "$C" discard
fi

tap_done
