#!/bin/bash
# Live test: a veth pair between two network namespaces this test creates (attacker, decky). The
# sniffer captures on the decky's side; real openssl s_client and curl talk to openssl s_server, and
# nmap -sS scans the decky. Each must come out as events in the ingest files. Only the namespaces this
# test creates are touched.
set -euo pipefail
SNIFFER="$DECNET_BINARY_DIR/bin/decnet-sniffer"
[ -x "$SNIFFER" ] || { echo "FAIL: $SNIFFER not built"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
if ! ip netns add "dncap-probe-$$" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces on this machine"
  exit 0
fi
ip netns del "dncap-probe-$$"
source "$DECNET_SOURCE_DIR/tests/capture/ensure_packages.sh"
ensure_packages openssl curl nmap iproute2 || { echo "FAIL: cannot install openssl curl nmap"; exit 1; }

A="dncap-a-$$"
D="dncap-d-$$"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$D" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$A"
ip netns add "$D"
ip link add "va$$" netns "$A" type veth peer name "vd$$" netns "$D"
ip -n "$A" addr add 10.77.0.1/24 dev "va$$"
ip -n "$D" addr add 10.77.0.2/24 dev "vd$$"
ip -n "$A" link set "va$$" up
ip -n "$D" link set "vd$$" up
ip -n "$A" link set lo up
ip -n "$D" link set lo up

echo '{"decky-live": ["10.77.0.2"]}' > "$tmp/fleet.json"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
  -subj "/CN=decky-live" >/dev/null 2>&1

# 1. Without an interface the sniffer waits (does not exit), and SIGTERM stops it with 0.
"$SNIFFER" --state-dir "$tmp/idle" --fleet-file "$tmp/fleet.json" 2>"$tmp/idle.err" &
idle=$!
sleep 1.5
kill -0 "$idle" || { echo "FAIL: sniffer exited without an interface"; cat "$tmp/idle.err"; exit 1; }
grep -q "waiting: no interface" "$tmp/idle.err" || { echo "FAIL: no waiting message"; exit 1; }
kill "$idle"
rc=0; wait "$idle" || rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: SIGTERM exit code $rc"; exit 1; }

# 2. Capturing on the decky side.
ip netns exec "$D" "$SNIFFER" --state-dir "$tmp/state" --fleet-file "$tmp/fleet.json" \
  --interface "vd$$" --dedup-ttl 0 --retry-interval 1 --foxio-licensed 2>"$tmp/sniffer.err" &
pids+=($!)
ip netns exec "$D" openssl s_server -accept 4433 -cert "$tmp/cert.pem" -key "$tmp/key.pem" -www \
  >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "capturing on" "$tmp/sniffer.err" && break; sleep 0.1; done
grep -q "capturing on" "$tmp/sniffer.err" || { echo "FAIL: capture not started"; cat "$tmp/sniffer.err"; exit 1; }
sleep 0.5

echo Q | ip netns exec "$A" timeout 5 openssl s_client -connect 10.77.0.2:4433 \
  -servername sclient.test >/dev/null 2>&1 || true
ip netns exec "$A" timeout 5 curl -sk --http1.1 -o /dev/null https://curl.test:4433/ \
  --resolve curl.test:4433:10.77.0.2 || true
ip netns exec "$A" timeout 30 nmap -sS -Pn -n -p 22,80,4433 10.77.0.2 >/dev/null 2>&1 || true
sleep 2
kill "${pids[0]}"
wait "${pids[0]}" || true
pids=("${pids[@]:1}")

json="$tmp/state/decnet.json"
log="$tmp/state/decnet.log"
[ -s "$json" ] || { echo "FAIL: no events written"; cat "$tmp/sniffer.err"; exit 1; }
check() {  # check DESCRIPTION PATTERN...: every pattern on one line of the JSON ingest file
  local desc=$1; shift
  local lines
  lines=$(cat "$json")
  for pat in "$@"; do lines=$(grep -F -- "$pat" <<<"$lines" || true); done
  if [ -z "$lines" ]; then echo "FAIL: $desc"; exit 1; fi
  echo "ok: $desc"
}
check "openssl s_client ClientHello" '"event_type":"tls_client_hello"' '"sni":"sclient.test"' '"decky":"decky-live"'
check "curl ClientHello with ALPN" '"event_type":"tls_client_hello"' '"sni":"curl.test"' '"alpn":"http/1.1"'
check "ServerHello from s_server" '"event_type":"tls_session"' '"ja3s":' '"ja4s":'
check "nmap -sS SYN (window 1024)" '"event_type":"tcp_syn_fingerprint"' '"window":"1024"' '"attacker_ip":"10.77.0.1"'
check "SYN from curl with options" '"event_type":"tcp_syn_fingerprint"' '"options_sig":"mss,sok,ts,nop,ws"'
check "flow timing" '"event_type":"tcp_flow_timing"'
grep -q '^<134>1 .* decky-live sniffer - tls_client_hello \[relay@55555 src_ip="10.77.0.1"' "$log" ||
  { echo "FAIL: RFC 5424 line shape"; head -3 "$log"; exit 1; }
echo "PASS: $(wc -l < "$json") events from live traffic"
