#!/usr/bin/env bash
# SSH/Telnet decky under load (issue 15): one decnet-decky with ssh+telnet pinned to core 0, the load on
# core 1. Prints idle memory, password attempts/s and full login+exec+logout sessions/s (libssh C clients,
# bench/decky_ssh_load), the decky's CPU time per run (so rates per decky core are exact even when the
# client is the limit), and memory after N sessions against the idle plateau (Cowrie's known leak is
# about 1 MB per closed session). Loopback only, bounded in count and time.
#   bench/decoy/ssh_telnet.sh [BUILD_DIR] [SECONDS] [SESSIONS]
set -euo pipefail
B=$(cd "${1:-build}" && pwd); secs=${2:-5}; sessions=${3:-10000}
S=$(mktemp -d /tmp/decnet-sshbench.XXXXXX)
trap 'kill ${dpid:-} ${sink:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$S"' EXIT
[ -x "$B/bench/decky_ssh_load" ] || { echo "build $B/bench/decky_ssh_load first (libssh-dev)"; exit 2; }
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
SSH_PORT=$(port); TELNET_PORT=$(port); LOG_PORT=$(port)
# A listening event sink that discards: with nothing on the port the decky would queue its bounded
# 4096 lines (~1.4 MB) as for a collector that is away, and the run would measure that queue.
python3 -c "import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(('127.0.0.1',$LOG_PORT))
while True: s.recv(65536)" & sink=$!
echo '{"ssh": {"users": "root:123456", "fail_delay_ms": 0}, "telnet": {"users": "root:123456"}}' \
  > "$S/settings.json"
taskset -c 0 "$B/bin/decnet-decky" --state-dir "$S" --decky bench-ssh --services ssh,telnet \
  --ports "ssh=$SSH_PORT,telnet=$TELNET_PORT" --bind 127.0.0.1 --fleet-seed bench \
  --log-target udp:127.0.0.1:$LOG_PORT --settings "$S/settings.json" \
  --max-connections 100000 --max-connections-per-ip 100000 > "$S/decky.log" 2>&1 & dpid=$!
for _ in $(seq 300); do
  python3 -c "import socket;s=socket.create_connection(('127.0.0.1',$SSH_PORT),1);assert s.recv(4)==b'SSH-'" \
    2>/dev/null && break
  sleep 0.1
done
mem() { awk '/^Pss:/{p=$2} /^Pss_Anon:/{a=$2} END{printf "%s KiB PSS, %s KiB Pss_Anon", p, a}' "/proc/$dpid/smaps_rollup"; }
# utime+stime of the decky in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$dpid/stat"; }
hz=$(getconf CLK_TCK)
run() {  # label, then ssh_load arguments
  local label=$1; shift
  local before after out ok
  before=$(cpu_ticks)
  out=$(taskset -c 1 "$B/bench/decky_ssh_load" 127.0.0.1 "$SSH_PORT" "$@")
  after=$(cpu_ticks)
  ok=$(sed -n 's/.*(\([0-9]*\) ok.*/\1/p' <<<"$out")
  local cpu; cpu=$(awk -v a="$after" -v b="$before" -v hz="$hz" 'BEGIN{printf "%.2f", (a-b)/hz}')
  local per_core; per_core=$(awk -v n="$ok" -v c="$cpu" 'BEGIN{ if (c > 0) printf "%.0f", n/c; else print "-" }')
  echo "| $label | $out | $cpu s | $per_core | $(mem) |"
}
# Warm-up: the first sessions fault in the code paths; the plateau is measured after them.
taskset -c 1 "$B/bench/decky_ssh_load" 127.0.0.1 "$SSH_PORT" sessions 2 5 50 > /dev/null || true
sleep 1
echo "idle after warm-up: $(mem)"
echo "| run | client result | decky CPU | per decky-core second | decky memory after |"
echo "|---|---|---:|---:|---|"
DECNET_SSH_PASSWORD=wrong run "wrong passwords, 4 clients, ${secs} s" attempts 4 "$secs"
run "login + exec true + logout, 4 clients, ${secs} s" sessions 4 "$secs"
run "$sessions sessions, 4 clients" sessions 4 600 "$sessions"
sleep 2
echo "idle after $sessions more sessions: $(mem)"
