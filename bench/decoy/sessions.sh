#!/usr/bin/env bash
# Sessions per second against one decnet-decky on one core: TCP connect + banner + close (the FTP
# banner), and HTTP requests/s with wrk against its http service, with the decky's PSS and Pss_Anon
# after each run. Loopback only, bounded in time.
#   bench/decoy/sessions.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
B=${1:-build}; secs=${2:-5}
S=$(mktemp -d /tmp/decnet-sessions.XXXXXX)
trap 'kill ${dpid:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$S"' EXIT
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
taskset -c 0 "$B/bin/decnet-decky" --state-dir "$S" --decky bench-01 --services ftp,http \
  --ports ftp=2121,http=8088 --bind 127.0.0.1 --fleet-seed bench --log-target udp:127.0.0.1:9 \
  --max-connections 100000 --max-connections-per-ip 100000 > "$S/decky.log" 2>&1 & dpid=$!
for _ in $(seq 50); do grep -q " up: " "$S/decky.log" && break; sleep 0.1; done
mem() { awk '/^Pss:/{p=$2} /^Pss_Anon:/{a=$2} END{printf "%s KiB PSS, %s KiB Pss_Anon", p, a}' "/proc/$dpid/smaps_rollup"; }
echo "idle: $(mem)"
echo "| run | result | decky memory after |"
echo "|---|---|---|"
r=$(taskset -c 1 "$B/bench/decky_sessions_bench" 127.0.0.1 2121 64 "$secs" 1)
echo "| TCP connect + FTP banner + close, 64 concurrent | $r | $(mem) |"
r=$(taskset -c 1 wrk -t1 -c64 -d"${secs}s" http://127.0.0.1:8088/ | awk '/Requests\/sec/{print $2 " req/s"} /Latency/{print "p50-ish latency " $2}' | paste -sd' ')
echo "| HTTP GET / keep-alive, wrk 1 thread 64 conns | $r | $(mem) |"
