#!/usr/bin/env bash
# PSS of the real decnet-ingester: idle (nothing to ingest) and while ingesting a large file.
# Usage: bash bench/storage/ingester_pss.sh <build-dir> [lines] [cache_kib]
set -euo pipefail
B="${1:?build dir}"
LINES="${2:-400000}"
CACHE="${3:-512}"
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
export DECNET_STATE_DIR="$tmp" DECNET_BUS_SOCKET="$tmp/no-bus.sock" DECNET_LOG_LEVEL=warning
export DECNET_DB_CACHE_KIB="$CACHE"
pss() { awk '/^Pss:/ {p=$2} /^Pss_Anon:/ {a=$2} /^Rss:/ {r=$2} END {printf "PSS %5d KiB  Pss_Anon %5d KiB  RSS %5d KiB", p, a, r}' /proc/$1/smaps_rollup; }
rows() { sqlite3 "$tmp/decnet.db" "SELECT COUNT(*) FROM logs" 2>/dev/null || echo 0; }

"$B/bin/decnet-ingester" &
pid=$!
sleep 2.5
echo "idle, empty DB, cache_size ${CACHE} KiB:      $(pss $pid)"
awk -v n="$LINES" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"timestamp\":\"2026-11-24T10:00:00.%06dZ\",\"decky\":\"decky-%d\",\"service\":\"ssh\",\"event_type\":\"login_attempt\",\"attacker_ip\":\"10.0.%d.%d\",\"fields\":{\"username\":\"root\",\"password\":\"p%d\"},\"msg\":\"login attempt\",\"raw_line\":\"<38>1 2026-11-24T10:00:00Z d ssh login_attempt - x\"}\n", i % 1000000, i % 16, (i / 251) % 250, (i * 7) % 256, i }' > "$tmp/decnet.json.tmp"
mv "$tmp/decnet.json.tmp" "$tmp/decnet.json"
t0=$(date +%s.%N)
max=0
while :; do
  p=$(awk '/^Pss:/ {print $2}' /proc/$pid/smaps_rollup)
  [ "$p" -gt "$max" ] && max=$p
  n=$(rows)
  [ "$n" -ge "$LINES" ] && break
  sleep 0.2
done
t1=$(date +%s.%N)
echo "while ingesting: peak PSS ${max} KiB; $LINES lines (+$LINES credentials) in $(echo "$t1 - $t0" | bc) s = $(echo "$LINES / ($t1 - $t0)" | bc) lines/s"
sleep 2
echo "idle after ingest:                 $(pss $pid)"
kill -TERM $pid; wait $pid; pid=""
