#!/bin/bash
# wrk against the real decnet-api: /healthz and the attackers list with 100 k attackers in the DB.
# Prints requests/s and p99 latency, and the API's PSS (smaps_rollup) idle and under load.
# Env: DECNET_BINARY_DIR (build dir), ATTACKERS (default 100000), DURATION (s, default 10), CONNS (default 50).
set -euo pipefail
B=${DECNET_BINARY_DIR:?} ATTACKERS=${ATTACKERS:-100000} DURATION=${DURATION:-10} CONNS=${CONNS:-50}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk"; exit 1; }
STATE=$(mktemp -d /tmp/decnet-api-bench-XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$STATE"' EXIT
export DECNET_STATE_DIR=$STATE DECNET_BUS_SOCKET=$STATE/bus.sock DECNET_JWT_SECRET=bench-secret-$(date +%s%N)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
t0=$(date +%s.%N)
"$B/tests/http/http_api_seed" "$STATE/decnet.db" --attackers "$ATTACKERS" --user admin bench-password-1 >/dev/null
echo "seeded $ATTACKERS attackers in $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s"
"$B/bin/decnet-bus" 2>/dev/null & PIDS+=($!)
for _ in $(seq 50); do [ -S "$STATE/bus.sock" ] && break; sleep 0.1; done
DECNET_LISTEN=127.0.0.1:$PORT DECNET_LOG_LEVEL=warning DECNET_MAX_CONNECTIONS=1024 "$B/bin/decnet-api" 2>"$STATE/api.log" &
API=$!
PIDS+=($API)
for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
pss() { awk '/^Pss:/{p=$2} /^Pss_Anon:/{a=$2} END{print p" "a}' /proc/$API/smaps_rollup; }
sleep 2
read idle_pss idle_anon <<<"$(pss)"
TOKEN=$(curl -fs -X POST "$URL/api/v1/auth/login" -d '{"username":"admin","password":"bench-password-1"}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
after_login=$(pss)
run() {  # name path -> "rps p99"
  local out peak=0
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$URL$2" >"$STATE/wrk.txt" 2>&1 &
  local w=$!
  while kill -0 $w 2>/dev/null; do
    local p; p=$(awk '/^Pss:/{print $2}' /proc/$API/smaps_rollup); [ "$p" -gt "$peak" ] && peak=$p; sleep 0.5
  done
  wait $w
  local rps p99 errs
  rps=$(awk '/^Requests\/sec/{print $2}' "$STATE/wrk.txt")
  p99=$(awk '$1=="99%"{print $2}' "$STATE/wrk.txt")
  errs=$(grep -E 'Non-2xx|Socket errors' "$STATE/wrk.txt" | tr '\n' ' ' || true)
  printf '%-40s %12s %10s %14s  %s\n' "$1" "$rps" "$p99" "$peak" "$errs"
}
echo
echo "decnet-api, $ATTACKERS attackers, wrk -t2 -c$CONNS -d${DURATION}s, $(nproc) cores"
printf '%-40s %12s %10s %14s\n' "endpoint" "req/s" "p99" "peak PSS KiB"
run "GET /healthz" "/healthz"
run "GET /api/v1/attackers?limit=50" "/api/v1/attackers?limit=50"
run "GET /api/v1/attackers?order=score&limit=50" "/api/v1/attackers?order=score&limit=50"
read after_pss after_anon <<<"$(pss)"
echo
echo "PSS KiB: idle $idle_pss (anon $idle_anon); after one login (Argon2id 19 MiB, freed) ${after_login% *}; after load $after_pss (anon $after_anon)"
