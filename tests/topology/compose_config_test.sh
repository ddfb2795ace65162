#!/usr/bin/env bash
# `docker compose config` (the plugin, or Debian's docker-compose) accepts every rendered file; it needs
# no engine. Also checks the YAML says exactly what the JSON rendering says (parsed back with PyYAML).
source "$(dirname "$0")/lib.sh"
export DECNET_RUNTIME=docker  # the compose file is the docker runtime's (root would pick netns)

if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
else
  echo "installing docker-compose (Debian) for 'compose config'"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
    || fail "cannot install docker-compose"
  COMPOSE=(docker-compose)
fi
python3 -c "import yaml" 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-yaml >/dev/null

check() {  # check <label> <decnet args...>: render YAML and JSON, run compose config on the YAML
  local label=$1; shift
  expect_rc 0 "$DECNET" "$@" --dry-run --json
  local file; file=$(json_get "$WORK/out" "d['compose_file']")
  "${COMPOSE[@]}" -p "check-$label" -f "$file" config -q || fail "$label: compose config rejected $file"
  "${COMPOSE[@]}" -p "check-$label" -f "$file" config >"$WORK/normalized.yml" || fail "$label: compose config"
  python3 - "$file" "$label" <<'PY' || fail "$label: compose file content"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
scope = None
for name, svc in doc["services"].items():
    labels = svc["labels"]
    scope = labels["decnet.scope"]
    assert svc["container_name"].startswith(scope + "-"), name
    # One container per decky: the decky image running decnet-decky, holding its own addresses.
    assert labels["decnet.role"] == "decky", name
    assert name == labels["decnet.decky"], name
    assert svc["image"].split(":")[0].endswith("/decky"), svc["image"]
    cmd = svc["command"]
    assert cmd[:2] == ["--decky", name], cmd
    assert "--log-target" in cmd, cmd
    assert labels.get("decnet.fleet.service") == "true" or labels.get("decnet.topology.service") == "true", name
    assert "net.ipv4.ip_default_ttl" in svc["sysctls"], name
    for net, cfg in svc["networks"].items():
        assert net in doc["networks"], net
        assert "ipv4_address" in cfg, name
for name, net in doc["networks"].items():
    assert net["name"] == scope + "-" + name
    assert net["labels"]["decnet.scope"] == scope
PY
  echo "ok: $label"
}

check fleet-macvlan deploy --name f1 --deckies 5 --services ssh,http --interface eth0
check fleet-ipvlan deploy --name f2 --deckies 4 --randomize-services --ipvlan --seed 3 --subnet 10.1.0.0/24
check fleet-archetype deploy --name f3 --deckies 3 --archetype domain-controller --log-target 10.0.0.9:5140
cat >"$WORK/p.ini" <<'INI'
[general]
net=192.168.77.0/24
interface=enp1s0
[web]
services=http,ssh
[web.http]
fake_app=jenkins
http_versions=http/1.1,http/2
custom_body=b64:PGgxPmhpPC9oMT4=
[web.ssh]
password_auth=false
[iot]
archetype=iot-device
amount=3
INI
check fleet-ini deploy --name f4 --config "$WORK/p.ini"
for seed in 1 2 3; do
  expect_rc 0 "$DECNET" topology generate --name "m$seed" --seed $seed --depth 3 --branching 3 --cross-edge-probability 0.5 \
    --bridge-forward-probability 0.5
  check "maze-$seed" topology deploy "m$seed"
done
expect_rc 0 "$DECNET" topology generate --name mx --seed 9 --archetype web-server --depth 2
check maze-archetype topology deploy mx
echo PASS
