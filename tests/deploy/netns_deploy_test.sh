#!/usr/bin/env bash
# The netns runtime for real (root): deploy 3 deckies on an internal bridge, status per decky and
# service, the OS profile's sysctls inside a namespace, curl from the host over the bridge, an
# incremental redeploy that recreates only the changed decky, and a teardown that leaves no
# namespace, link or process. The decky process is bin/decnet-decky when built, else the stand-in.
set -euo pipefail
: "${DECNET_BINARY_DIR:?}" "${DECNET_SOURCE_DIR:?}"
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: iproute2 missing"; exit 77; }
DECNET="$DECNET_BINARY_DIR/bin/decnet"
if [[ -x "$DECNET_BINARY_DIR/bin/decnet-decky" ]]; then
  export DECNET_DECKY_BIN="$DECNET_BINARY_DIR/bin/decnet-decky"
else
  export DECNET_DECKY_BIN="$DECNET_SOURCE_DIR/tests/deploy/standin_decky.py"
fi
WORK=$(mktemp -d /tmp/decnet-deploy-test.XXXXXX)
export DECNET_STATE_DIR="$WORK/state" DECNET_RUNTIME=netns
# A unique fleet id and subnet per run so a leftover of a killed run cannot collide.
ID="t$$"
NET="10.$(( ($$ >> 8) % 200 + 20 )).$(( $$ % 250 )).0"
cleanup() { "$DECNET" teardown --id "$ID" >/dev/null 2>&1 || true; [[ -n ${KEEP:-} ]] || rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

cat >"$WORK/fleet.ini" <<INI
[general]
net=$NET/24
interface=lo

[${ID}a]
services=http,ftp,redis,tftp
nmap_os=windows
[${ID}b]
services=http,ftp,redis,tftp
[${ID}c]
services=http,ftp
INI
deploy() { "$DECNET" deploy --name "$ID" --config "$WORK/fleet.ini" --bridge --launcher self --wait 20 "$@"; }

# 1. Deploy.
deploy --json >"$WORK/plan1.json" 2>"$WORK/err1" || { cat "$WORK/err1"; fail "deploy"; }
[[ $(json_get "$WORK/plan1.json" "sorted(d['plan']['create'])") == "['${ID}a', '${ID}b', '${ID}c']" ]] \
  || fail "first plan: $(cat "$WORK/plan1.json")"
for d in a b c; do ip netns list | grep -q "^decnet-$ID$d" || fail "no namespace decnet-$ID$d"; done
[[ $(json_get "$DECNET_STATE_DIR/fleet.json" "d['deckies']['${ID}a']['netns']") == "/run/netns/decnet-${ID}a" ]] \
  || fail "fleet.json netns"

# 2. Status: every decky running, every service up.
"$DECNET" status --json >"$WORK/status.json"
st=$(json_get "$WORK/status.json" "sorted((k,v['state']) for k,v in d[0]['decky_states'].items())")
[[ $st == "[('${ID}a', 'running'), ('${ID}b', 'running'), ('${ID}c', 'running')]" ]] || fail "status: $(cat "$WORK/status.json")"
[[ $(json_get "$WORK/status.json" "d[0]['decky_states']['${ID}a']['services']['tftp']") == up ]] || fail "tftp not up"
"$DECNET" status | grep -q "${ID}b .*running .*redis:up" || fail "status table"

# 2b. The reconciler worker sees the same and notices a decky whose process died (degraded).
if [[ -x "$DECNET_BINARY_DIR/bin/decnet-reconciler" ]]; then
  "$DECNET_BINARY_DIR/bin/decnet-reconciler" --state-dir "$DECNET_STATE_DIR" --poll-interval 1 \
    >"$WORK/reconciler.log" 2>&1 &
  rec_pid=$!
  snap="$DECNET_STATE_DIR/deckies.state.json"
  states() { json_get "$snap" "sorted((k,v['state']) for k,v in d['deckies'].items())" 2>/dev/null || true; }
  for _ in $(seq 150); do [[ $(states) == "[('${ID}a', 'running'), ('${ID}b', 'running'), ('${ID}c', 'running')]" ]] && break; sleep 0.2; done
  [[ $(states) == "[('${ID}a', 'running'), ('${ID}b', 'running'), ('${ID}c', 'running')]" ]] || { cat "$WORK/reconciler.log"; fail "reconciler: $(states)"; }
  ip netns pids "decnet-${ID}c" | xargs -r kill
  for _ in $(seq 150); do [[ $(states) == *"('${ID}c', 'degraded')"* ]] && break; sleep 0.2; done
  [[ $(states) == *"('${ID}c', 'degraded')"* ]] || fail "reconciler missed the dead decky: $(states)"
  kill "$rec_pid"; wait "$rec_pid" || true
  deploy >/dev/null 2>&1 || fail "redeploy after the kill"  # restores c (unchanged hash, no process)
fi

# 3. OS sysctls inside the namespace (windows: TTL 128, 2 SYN retries, no ICMP rate limit); the host keeps its own.
ip_a=$(json_get "$DECNET_STATE_DIR/fleet.json" "d['deckies']['${ID}a']['ips'][0]")
[[ $(ip netns exec "decnet-${ID}a" cat /proc/sys/net/ipv4/ip_default_ttl) == 128 ]] || fail "TTL in netns"
[[ $(ip netns exec "decnet-${ID}a" cat /proc/sys/net/ipv4/tcp_syn_retries) == 2 ]] || fail "syn retries in netns"
[[ $(ip netns exec "decnet-${ID}a" cat /proc/sys/net/ipv4/icmp_ratelimit) == 0 ]] || fail "icmp ratelimit in netns"
[[ $(ip netns exec "decnet-${ID}b" cat /proc/sys/net/ipv4/ip_default_ttl) == 64 ]] || fail "TTL of linux decky"
[[ $(ip netns exec "decnet-${ID}a" cat /proc/sys/net/ipv4/ip_forward) == 0 ]] || fail "forwarding on a leaf"

# 4. curl from the host over the bridge.
curl -fsS -m 5 "http://$ip_a/" >"$WORK/page" || fail "curl http://$ip_a/"
[[ -s "$WORK/page" ]] || fail "empty page"

# 5. Incremental: change one decky; only it is recreated (its process is new, the others are not).
pid_of() { python3 - "$1" <<'PY'
import os, sys
ino = os.stat(sys.argv[1]).st_ino
print(" ".join(sorted(p for p in os.listdir("/proc") if p.isdigit() and
      (lambda q: os.path.exists(q) and os.stat(q).st_ino == ino)("/proc/%s/ns/net" % p))))
PY
}
before_b=$(pid_of "/run/netns/decnet-${ID}b"); before_c=$(pid_of "/run/netns/decnet-${ID}c")
[[ -n $before_b && -n $before_c ]] || fail "no decky process"
sed -i "0,/services=http,ftp\$/s//services=http,ftp,redis/" "$WORK/fleet.ini"
deploy --json >"$WORK/plan2.json" 2>"$WORK/err2" || { cat "$WORK/err2"; fail "redeploy"; }
[[ $(json_get "$WORK/plan2.json" "d['plan']['recreate']") == "['${ID}c']" ]] || fail "plan2: $(cat "$WORK/plan2.json")"
[[ $(json_get "$WORK/plan2.json" "d['plan']['create']") == "[]" ]] || fail "plan2 created"
[[ $(pid_of "/run/netns/decnet-${ID}b") == "$before_b" ]] || fail "unchanged decky was restarted"
after_c=$(pid_of "/run/netns/decnet-${ID}c")
[[ -n $after_c && $after_c != "$before_c" ]] || fail "changed decky not recreated"
"$DECNET" status --json >"$WORK/status2.json"
[[ $(json_get "$WORK/status2.json" "d[0]['decky_states']['${ID}c']['services']['redis']") == up ]] || fail "redis on c"
# Unchanged config: nothing to do.
deploy --json >"$WORK/plan3.json" 2>/dev/null
[[ $(json_get "$WORK/plan3.json" "len(d['plan']['unchanged'])") == 3 ]] || fail "plan3"
# A namespace that vanished (reboot) is recreated although its hash is unchanged.
kill $(pid_of "/run/netns/decnet-${ID}b"); ip netns del "decnet-${ID}b"
deploy --json >"$WORK/plan4.json" 2>/dev/null
[[ $(json_get "$WORK/plan4.json" "d['plan']['recreate']") == "['${ID}b']" ]] || fail "plan4: $(cat "$WORK/plan4.json")"

# 6. Teardown: no namespace, link or process left.
"$DECNET" teardown --id "$ID" >/dev/null || fail "teardown"
ip netns list | grep -q "decnet-$ID" && fail "namespace left: $(ip netns list)"
br=$(python3 -c "
h=2166136261
for c in ('decnet-$ID/lan').encode(): h=((h^c)*16777619)&0xffffffff
print('dn%08x'%h)")
ip link show "$br" >/dev/null 2>&1 && fail "bridge $br left"
[[ -z $(ip -o link | grep -E ": dv[0-9a-f]{8}@" | while read -r _ n _; do n=${n%%@*}; ip -d link show "$n" | grep -q "master $br" && echo "$n"; done) ]] \
  || fail "veth left"
pgrep -f "decky.*--decky ${ID}" >/dev/null && fail "decky process left"
[[ ! -e "$DECNET_STATE_DIR/private/deckies/${ID}a" ]] || fail "launch spec left"
[[ $(json_get "$DECNET_STATE_DIR/fleet.json" "d['deckies']") == "{}" ]] || fail "fleet.json after teardown"
echo "PASS"
