#!/bin/bash
# inventory.sh - `relaydeck hosts --json` on Ansible YAML inventories,
# compared with ansible-inventory --list (the oracle; the comparison is
# skipped when ansible-core is not installed): every host's ansible_host,
# ansible_port, ansible_user, ansible_ssh_private_key_file and
# ansible_become after group inheritance, and every group's members. Then
# relaydeck's own inventory format, and bad input (file:line:col, exit 4).
lib=$(cd "$(dirname "$0")/../lib" && pwd)
. "$lib/tap.sh"
. "$lib/rdtest.sh"

[ -x "${RELAYDECK:-}" ] || RELAYDECK=$(cd "$lib/../.." && pwd)/build/relaydeck
[ -x "$RELAYDECK" ] || tap_skip_all "relaydeck is not built"
tap_plan 12
rd_tmpdir
tmp=$RD_TMP
trap rd_cleanup EXIT
export HOME=$tmp/home
mkdir -p "$HOME"

cat >"$tmp/inv.yml" <<'EOF2'
# groups, children two deep, vars at every level, ranges, host:port
all:
  vars:
    ansible_user: alluser
    ansible_port: 22
  hosts:
    solo:
      ansible_host: 10.0.0.9
  children:
    eu:
      vars:
        ansible_user: euuser
        ansible_port: 2200
        ansible_become: false
      hosts:
        relay1:
          ansible_host: 192.0.2.10
        relay2.example.com:2222:
        web[01:03]:
        db-[a:c]:
      children:
        eu_west:
          vars: {ansible_become: yes, ansible_user: westuser}
          hosts:
            relay3: {ansible_port: 2201}
            relay1:
    us:
      vars: &usvars
        ansible_ssh_private_key_file: /keys/us
        ansible_user: ususer
      hosts:
        relay1:
        us1: {ansible_ssh_host: 198.51.100.1}
    aa_first:
      vars: {ansible_user: aauser}
      hosts:
        us1:
        relay2.example.com:
          ansible_port: 2300
    other:
      vars:
        <<: *usvars
        ansible_user: mergeduser
      hosts:
        merged1:
EOF2

"$RELAYDECK" --inventory "$tmp/inv.yml" -F none hosts --json >"$tmp/rd.json" 2>"$tmp/rd.err"
tap_is "$?" 0 "hosts --json on an Ansible inventory"
python3 - "$tmp/rd.json" >"$tmp/rd.flat" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
for h in d["hosts"]:
    print("host", h["name"], h["host"], h["port"], h["user"],
          ",".join(h["identity_files"]), h["sudo"])
for g in d["groups"]:
    print("group", g["name"], " ".join(sorted(g["hosts"])), " ".join(sorted(g["children"])))
EOF2
tap_like "$(cat "$tmp/rd.flat")" "host relay1 192.0.2.10 2200 westuser /keys/us True" \
	"relay1: host vars, then the deepest group (eu_west) over us and eu (hand-checked)"

if command -v ansible-inventory >/dev/null 2>&1; then
	ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_LOCAL_TEMP=$tmp/ans \
	    ansible-inventory -i "$tmp/inv.yml" --list >"$tmp/ans.json" 2>"$tmp/ans.err"
	python3 - "$tmp/ans.json" >"$tmp/ans.flat" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
hv = d["_meta"]["hostvars"]
def first(v, *names):
    for n in names:
        if n in v:
            return v[n]
    return None
# relaydeck lists hosts in inventory order; Ansible's hostvars too
for name, v in hv.items():
    port = first(v, "ansible_port", "ansible_ssh_port") or 22
    user = first(v, "ansible_user", "ansible_ssh_user")
    key = first(v, "ansible_ssh_private_key_file", "ansible_private_key_file") or ""
    become = first(v, "ansible_become") in (True, "yes", "true", 1)
    print("host", name, first(v, "ansible_host", "ansible_ssh_host") or name, port, user, key, become)
for g, v in d.items():
    if g == "_meta":
        continue
    print("group", g, " ".join(sorted(v.get("hosts", []))), " ".join(sorted(v.get("children", []))))
EOF2
	tap_is "$(grep '^host' "$tmp/rd.flat" | sort)" "$(grep '^host' "$tmp/ans.flat" | sort)" \
		"every host's connection variables equal ansible-inventory --list"
	tap_is "$(grep '^group' "$tmp/rd.flat" | sort)" "$(grep '^group' "$tmp/ans.flat" | sort)" \
		"every group's hosts and children equal ansible-inventory --list"
else
	tap_skip "ansible-inventory not installed (apt-get install ansible-core)"
	tap_skip "ansible-inventory not installed"
fi

# group membership through children, for the fleet
tap_like "$(grep '"name": "eu"' -A0 "$tmp/rd.json"; python3 -c "
import json; d=json.load(open('$tmp/rd.json'))
print([g['all_hosts'] for g in d['groups'] if g['name']=='eu'][0])")" "'relay1', 'relay2.example.com', 'web01', 'web02', 'web03', 'db-a', 'db-b', 'db-c', 'relay3'" \
	"a group's hosts include its children's"

# relaydeck's own format
cat >"$tmp/own.yml" <<'EOF2'
vars:
  user: admin
  identity_file: ~/.ssh/relays
hosts:
  mx1: {host: 192.0.2.20, port: 2222, sudo: true, config_dir: /etc/postfix-out}
  mx2:
    host: mx2.example.net
    known_hosts: ~/.ssh/known_hosts.relays
groups:
  eu:
    hosts: [mx1]
    vars: {user: euadmin}
    children: [eu_west]
  eu_west:
    hosts: [mx2]
EOF2
"$RELAYDECK" --inventory "$tmp/own.yml" -F none hosts --json >"$tmp/own.json" 2>"$tmp/own.err"
tap_is "$?" 0 "hosts --json on a relaydeck inventory"
tap_is "$(python3 -c "
import json; d=json.load(open('$tmp/own.json'))
for h in d['hosts']: print(h['name'], h['user'], h['host'], h['port'], h['sudo'], h['config_dir'], h['identity_files'], h['known_hosts'], h['groups'])")" \
"mx1 euadmin 192.0.2.20 2222 True /etc/postfix-out ['$HOME/.ssh/relays'] ['$HOME/.ssh/known_hosts', '$HOME/.ssh/known_hosts2', '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'] ['eu']
mx2 euadmin mx2.example.net 22 False None ['$HOME/.ssh/relays'] ['$HOME/.ssh/known_hosts.relays'] ['eu', 'eu_west']" \
	"own format: vars, group vars (parent and child), host vars, ~ expanded"
"$RELAYDECK" --inventory "$tmp/own.yml" -F none hosts >"$tmp/own.txt" 2>&1
tap_like "$(cat "$tmp/own.txt")" "connect  euadmin@192.0.2.20:2222" "text output names the connection"

# the default inventory file
mkdir -p "$HOME/.config/relaydeck"
cp "$tmp/own.yml" "$HOME/.config/relaydeck/inventory.yml"
"$RELAYDECK" -F none hosts >"$tmp/def.txt" 2>&1
tap_like "$(head -n 1 "$tmp/def.txt")" "inventory $HOME/.config/relaydeck/inventory.yml \(relaydeck\)" \
	"~/.config/relaydeck/inventory.yml is the default"

# bad input: file:line:col, exit 4, nothing printed on stdout
printf 'all:\n  hosts:\n    a:\n      ansible_port: 70000\n' >"$tmp/bad1.yml"
"$RELAYDECK" --inventory "$tmp/bad1.yml" -F none hosts >"$tmp/bad.out" 2>"$tmp/bad.err"
tap_is "$?" 4 "a port out of range: exit 4"
tap_like "$(cat "$tmp/bad.err")" "bad1.yml:4:21: ansible_port: not a port number" "... named as file:line:col"
printf 'all:\n  hosts: [a\n' >"$tmp/bad2.yml"
"$RELAYDECK" --inventory "$tmp/bad2.yml" -F none hosts >"$tmp/bad.out" 2>"$tmp/bad.err"
tap_like "$(cat "$tmp/bad.err")$(cat "$tmp/bad.out")" "^relaydeck: $tmp/bad2.yml:[0-9]+:[0-9]+: YAML: " "a YAML syntax error: file:line:col and nothing else"
tap_done
