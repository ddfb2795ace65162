#!/usr/bin/env bash
# decnet services/archetypes/distros/deploy/teardown/status/topology, end to end with the real binary.
# Docker is replaced by a recording stub (DECNET_DOCKER) to check the incremental compose calls; the
# real-engine path is dockerd_test.sh.
source "$(dirname "$0")/lib.sh"

# --help everywhere, exit 0.
for c in services archetypes distros deploy teardown status; do expect_rc 0 "$DECNET" $c --help; done
for c in generate list show validate deploy teardown delete; do expect_rc 0 "$DECNET" topology $c --help; done
expect_rc 2 "$DECNET" topology frobnicate
expect_rc 2 "$DECNET" deploy --bogus-flag

# Catalogues as JSON.
expect_rc 0 "$DECNET" services --json
[[ $(json_get "$WORK/out" "[s for s in d if s['name']=='sip'][0]['ports']") == *"'udp'"* ]] || fail "sip has no udp port"
expect_rc 0 "$DECNET" archetypes --json
[[ $(json_get "$WORK/out" "len(d)") -ge 15 ]] || fail "archetypes"
expect_rc 0 "$DECNET" distros --json
[[ $(json_get "$WORK/out" "[p for p in d['os_profiles'] if p['slug']=='windows'][0]['sysctls']['net.ipv4.ip_default_ttl']") == 128 ]] || fail "windows ttl"

# Dry run: writes the compose file, prints the plan, stores nothing.
expect_rc 0 "$DECNET" deploy --deckies 3 --interface eth0 --subnet 192.168.1.0/24 --ip-start 192.168.1.110 \
  --services ssh,smb --dry-run --json
cp "$WORK/out" "$WORK/plan.json"
[[ $(json_get "$WORK/plan.json" "d['plan']['create']") == "['decky-01', 'decky-02', 'decky-03']" ]] || fail "plan"
[[ $(json_get "$WORK/plan.json" "d['deckies'][0]['addresses']") == "['lan=192.168.1.110']" ]] || fail "address"
compose=$(json_get "$WORK/plan.json" "d['compose_file']")
[[ -s "$compose" && "$compose" == /* ]] || fail "compose file not written at an absolute path"
expect_rc 0 "$DECNET" status --json
[[ $(json_get "$WORK/out" "d") == "[]" ]] || fail "dry run stored state"

# No Docker: say so and stop before touching anything.
rm -rf "$DECNET_STATE_DIR"
DECNET_DOCKER=/nonexistent/docker expect_rc 1 "$DECNET" deploy --deckies 2 --services ssh
grep -q "docker CLI is not installed" "$WORK/err" || fail "no clear docker message"
[[ ! -e "$DECNET_STATE_DIR" ]] || fail "touched the state dir without docker"

# A recording docker stub: 'info' and 'compose version' succeed, compose calls are logged.
cat >"$WORK/docker" <<STUB
#!/bin/sh
echo "\$*" >>"$WORK/docker.log"
exit 0
STUB
chmod +x "$WORK/docker"
export DECNET_DOCKER="$WORK/docker"
cat >"$WORK/fleet.ini" <<'INI'
[general]
net=10.20.0.0/24
interface=eth1

[web]
services=http
[web.http]
fake_app=wordpress

[db]
services=mysql

[files]
archetype=file-server
INI
expect_rc 0 "$DECNET" deploy --config "$WORK/fleet.ini" --json
grep -q "compose -p decnet-fleet -f $DECNET_STATE_DIR/private/compose/decnet-fleet/docker-compose.yml up -d --remove-orphans --no-recreate" \
  "$WORK/docker.log" || { cat "$WORK/docker.log"; fail "first deploy call"; }
grep -q "force-recreate" "$WORK/docker.log" && fail "first deploy recreated something"
[[ $(json_get "$DECNET_STATE_DIR/fleet.json" "sorted(d['deckies'])") == "['db', 'files', 'web']" ]] || fail "fleet.json deckies"
[[ $(json_get "$DECNET_STATE_DIR/fleet.json" "d['deckies']['web']['ips']") == "['10.20.0.2']" ]] || fail "fleet.json ips"
[[ $(json_get "$DECNET_STATE_DIR/fleet.json" "d['deckies']['db']['services']") == "['mysql']" ]] || fail "fleet.json services"
# With storage built in, the DB is the source of truth: read it back with the real sqlite3 client.
if [[ -e "$DECNET_STATE_DIR/decnet.db" ]] && command -v sqlite3 >/dev/null; then
  [[ $(sqlite3 "$DECNET_STATE_DIR/decnet.db" "select status from topologies where id='fleet'") == active ]] || fail "db topology row"
  [[ $(sqlite3 "$DECNET_STATE_DIR/decnet.db" "select group_concat(name||'='||ip, ' ') from (select * from deckies order by name)") \
     == "db=10.20.0.3 files=10.20.0.4 web=10.20.0.2" ]] || fail "db decky rows"
fi
# A second fleet reusing a live decky name is refused.
expect_rc 2 "$DECNET" deploy --name other --config "$WORK/fleet.ini"
grep -q "already deployed by topology 'fleet'" "$WORK/err" || fail "cross-topology decky name"

# Change one decky: only it is recreated.
: >"$WORK/docker.log"
sed -i 's/fake_app=wordpress/fake_app=tomcat/' "$WORK/fleet.ini"
expect_rc 0 "$DECNET" deploy --config "$WORK/fleet.ini" --json
[[ $(json_get "$WORK/out" "(d['plan']['recreate'], sorted(d['plan']['unchanged']))") == "(['web'], ['db', 'files'])" ]] || fail "incremental plan"
grep -q "up -d --no-deps --force-recreate web$" "$WORK/docker.log" || { cat "$WORK/docker.log"; fail "recreate call"; }

# Same again: nothing recreated.
: >"$WORK/docker.log"
expect_rc 0 "$DECNET" deploy --config "$WORK/fleet.ini"
grep -q "force-recreate" "$WORK/docker.log" && fail "unchanged deploy recreated"
grep -q "3 unchanged" "$WORK/out" || fail "unchanged count"

# Bad INI: errors with file:line, nothing deployed.
printf '[general]\nnet=10.0.0.0/24\n[d]\nservices=ssh\n[d.ssh]\npassword_auth=maybe\ncolour=red\n' >"$WORK/bad.ini"
expect_rc 2 "$DECNET" deploy --config "$WORK/bad.ini"
grep -q "bad.ini:6: \[d.ssh\] password_auth" "$WORK/err" || { cat "$WORK/err"; fail "bad value line"; }
grep -q "bad.ini:7: .*unknown key 'colour'" "$WORK/err" || { cat "$WORK/err"; fail "unknown key line"; }

# Status and teardown.
expect_rc 0 "$DECNET" status --json
[[ $(json_get "$WORK/out" "[(t['id'], t['status']) for t in d]") == "[('fleet', 'active')]" ]] || fail "status"
expect_rc 2 "$DECNET" teardown
expect_rc 0 "$DECNET" teardown --id fleet
grep -q "down --remove-orphans --volumes" "$WORK/docker.log" || fail "teardown call"
[[ $(json_get "$DECNET_STATE_DIR/fleet.json" "d['deckies']") == "{}" ]] || fail "fleet.json after teardown"
if [[ -e "$DECNET_STATE_DIR/decnet.db" ]] && command -v sqlite3 >/dev/null; then
  [[ $(sqlite3 "$DECNET_STATE_DIR/decnet.db" "select count(*) from deckies") == 0 ]] || fail "db deckies after teardown"
fi

# MazeNET: reproducible generation, list/show/validate/delete, subnets of other topologies avoided.
expect_rc 0 "$DECNET" topology generate --name a --seed 42 --depth 3 --branching 2 --cross-edge-probability 0.4 --json
hash_a=$(json_get "$WORK/out" "d['hash']")
expect_rc 2 "$DECNET" topology generate --name a --seed 42 --depth 3 --branching 2 --cross-edge-probability 0.4 --json
expect_rc 0 "$DECNET" topology generate --name a --seed 42 --depth 3 --branching 2 --cross-edge-probability 0.4 --force --json
[[ $(json_get "$WORK/out" "d['hash']") == "$hash_a" ]] || fail "same seed gave a different topology"
expect_rc 0 "$DECNET" topology generate --name b --seed 42 --depth 3 --branching 2 --cross-edge-probability 0.4 --json
expect_rc 0 "$DECNET" topology show b --json
cp "$WORK/out" "$WORK/b.json"
expect_rc 0 "$DECNET" topology show a --json
cp "$WORK/out" "$WORK/a.json"
python3 - "$WORK/a.json" "$WORK/b.json" <<'PY' || fail "subnets of a and b overlap"
import json, sys, ipaddress
a = json.load(open(sys.argv[1]))["topology"]
b = json.load(open(sys.argv[2]))["topology"]
na = [ipaddress.ip_network(l["subnet"]) for l in a["lans"]]
nb = [ipaddress.ip_network(l["subnet"]) for l in b["lans"]]
assert not any(x.overlaps(y) for x in na for y in nb)
PY
expect_rc 0 "$DECNET" topology list --json
[[ $(json_get "$WORK/out" "[t['id'] for t in d]") == "['a', 'b', 'fleet']" ]] || fail "list"
expect_rc 0 "$DECNET" topology validate a
expect_rc 0 "$DECNET" topology deploy a --dry-run --json
[[ $(json_get "$WORK/out" "d['scope']") == "decnet-a" ]] || fail "scope"
# A broken document: the validator names the rule.
python3 - "$WORK/a.json" "$WORK/broken.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["topology"]
t["deckies"][1]["name"] = t["deckies"][0]["name"]
json.dump(t, open(sys.argv[2], "w"))
PY
expect_rc 1 "$DECNET" topology validate --file "$WORK/broken.json" --json
[[ $(json_get "$WORK/out" "d['valid']") == False ]] || fail "broken valid"
grep -q duplicate-decky-name "$WORK/out" || fail "rule name"
expect_rc 0 "$DECNET" topology delete b
expect_rc 2 "$DECNET" topology show b
echo "PASS"
