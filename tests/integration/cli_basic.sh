#!/bin/bash
# cli_basic.sh - relaydeck show/set/diff/discard/params on a sandbox,
# compared with the real postconf.  Needs root and Postfix; skips otherwise.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rdtest.sh"

rd_require_root_postfix
rd_tmpdir
trap rd_cleanup EXIT

tap_plan 18

sh "$RD_LIB/sandbox.sh" "$RD_TMP/sb" >/dev/null
C=$RD_TMP/sb/etc
export RELAYDECK_STATE_DIR=$RD_TMP/sb/state
cp "$C/main.cf" "$RD_TMP/main.cf.orig"
tap_check "sandbox main.cf parsed by postconf without warnings" \
    test -z "$(postconf -c "$C" -n 2>&1 >/dev/null)"
tap_check "postfix check passes on the sandbox" postfix -c "$C" check

# show == postconf -n, line for line.
rd -c "$C" show
postconf -c "$C" -n >"$RD_TMP/postconf.n"
printf '%s\n' "$RD_OUT" >"$RD_TMP/show.n"
if [ "$RD_RC" -eq 0 ] && cmp -s "$RD_TMP/postconf.n" "$RD_TMP/show.n"; then
	tap_ok "show equals postconf -n line for line"
else
	tap_not_ok "show equals postconf -n line for line"
	tap_diag "exit $RD_RC"
	tap_diag "$(diff -u "$RD_TMP/postconf.n" "$RD_TMP/show.n" | head -n 30)"
	rd_diag
fi

rd -c "$C" show relayhost
tap_is "$RD_OUT" "$(postconf -c "$C" relayhost)" "show relayhost matches postconf relayhost"

# A parameter the sandbox does not set: its default, as postconf prints it.
rd -c "$C" show smtp_connection_cache_on_demand
tap_is "$RD_OUT" "$(postconf -c "$C" smtp_connection_cache_on_demand)" \
    "show of an unset parameter prints the default like postconf"

rd -c "$C" show relayhost smtp_tls_security_level
tap_is "$RD_OUT" "$(postconf -c "$C" relayhost smtp_tls_security_level)" \
    "show with two names prints both in order"

# --json
rd -c "$C" --json show
if [ "$RD_RC" -eq 0 ] && printf '%s' "$RD_OUT" | python3 -m json.tool >/dev/null 2>&1; then
	tap_ok "show --json is valid JSON"
else
	tap_not_ok "show --json is valid JSON"
	rd_diag
fi
line=$(grep -n '^relayhost *=' "$C/main.cf" | head -n 1 | cut -d: -f1)
if printf '%s' "$RD_OUT" | rd_json '
[p for p in d["parameters"] if p["name"] == "relayhost"
 and p["value"] == "[smtp.example.com]:587"
 and "default" in p
 and p["set"] is True
 and p["file"].endswith("main.cf")
 and p["line"] == '"$line"']'; then
	tap_ok "show --json: relayhost has value, default, set, file and line $line"
else
	tap_not_ok "show --json: relayhost has value, default, set, file and line $line"
	rd_diag
fi
n_json=$(printf '%s' "$RD_OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["parameters"]))' 2>/dev/null)
tap_is "$n_json" "$(wc -l <"$RD_TMP/postconf.n" | tr -d ' ')" \
    "show --json lists as many parameters as postconf -n"

# set stages an edit; the file stays as it was until apply.
rd -c "$C" set 'relayhost=[192.0.2.1]:2525'
tap_is "$RD_RC" 0 "set relayhost=[192.0.2.1]:2525 exits 0"
[ "$RD_RC" -eq 0 ] || rd_diag
tap_check "main.cf unchanged after set" cmp -s "$C/main.cf" "$RD_TMP/main.cf.orig"

rd -c "$C" diff
tap_like "$RD_OUT" '^-relayhost = \[smtp\.example\.com\]:587$' "diff shows the old relayhost line"
tap_like "$RD_OUT" '^\+relayhost = \[192\.0\.2\.1\]:2525$' "diff shows the new relayhost line"

rd -c "$C" --json diff
if printf '%s' "$RD_OUT" | rd_json 'd["changed"] >= 1 and "+relayhost = [192.0.2.1]:2525" in d["diff"]'; then
	tap_ok "diff --json: changed >= 1 and the diff text"
else
	tap_not_ok "diff --json: changed >= 1 and the diff text"
	rd_diag
fi

# discard forgets the staged edit.
rd -c "$C" discard
tap_is "$RD_RC" 0 "discard exits 0"
rd -c "$C" diff
tap_unlike "$RD_OUT" '^[-+]relayhost' "diff after discard shows no relayhost change"
tap_check "main.cf unchanged after discard" cmp -s "$C/main.cf" "$RD_TMP/main.cf.orig"

# The relay catalog.
rd -c "$C" --json params
if printf '%s' "$RD_OUT" | rd_json '
any(p.get("name") == "relayhost" for p in (d["parameters"] if isinstance(d, dict) else d))'; then
	tap_ok "params --json parses and lists relayhost"
else
	tap_not_ok "params --json parses and lists relayhost"
	rd_diag
fi

tap_done
