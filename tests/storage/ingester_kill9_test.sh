#!/usr/bin/env bash
# Exactly-once across kill -9: starts the real decnet-ingester on a growing ingest file, kills it with
# SIGKILL at random moments (including in the middle of a half-written line), restarts it, and finally
# compares the DB (read with the sqlite3 CLI) with the file: every line exactly once, no line lost.
set -euo pipefail
BIN="${DECNET_BINARY_DIR:?}/bin/decnet-ingester"
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sqlite3 >/dev/null
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }

tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
export DECNET_STATE_DIR="$tmp" DECNET_BUS_SOCKET="$tmp/no-bus.sock" DECNET_BATCH_SIZE=700
export DECNET_BATCH_MAX_WAIT_MS=20 DECNET_LOG_LEVEL=warning
json="$tmp/decnet.json"
db="$tmp/decnet.db"
next=0
creds=0
# gen N: appends N lines; every 7th carries a username/password (a credential row).
gen() {
  awk -v start="$next" -v n="$1" 'BEGIN {
    for (i = start; i < start + n; i++) {
      f = (i % 7 == 0) ? ",\"username\":\"u" i "\",\"password\":\"p\"" : "";
      printf "{\"timestamp\":\"2026-11-24T10:%02d:%02d.%06dZ\",\"decky\":\"decky-%d\",\"service\":\"ssh\",\"event_type\":\"login\",\"attacker_ip\":\"10.0.%d.%d\",\"msg\":\"line-%d\",\"fields\":{\"i\":\"%d\"%s},\"raw_line\":\"<38>1 x\"}\n", (i/60)%60, i%60, i%1000000, i%5, (i/250)%250, i%250, i, i, f
    }}' >> "$json"
  creds=$((creds + ($1 + next + 6) / 7 - (next + 6) / 7))
  next=$((next + $1))
}
count() { sqlite3 "$db" "$1" 2>/dev/null || echo -1; }

gen 30000
rounds=15
for r in $(seq 1 $rounds); do
  "$BIN" 2>>"$tmp/ingester.log" &
  pid=$!
  sleep "0.$(( (RANDOM % 25) + 2 ))"
  if [ $((r % 4)) -eq 0 ]; then
    # Half a line, a kill, then the other half: the partial line must be read exactly once.
    printf '{"timestamp":"2026-11-24T11:00:00Z","decky":"half","service":"ssh",' >> "$json"
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    printf '"event_type":"login","attacker_ip":"1.1.1.1","msg":"line-%d","fields":{}}\n' "$next" >> "$json"
    next=$((next + 1))
  else
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  fi
  done_rows=$(count "SELECT COUNT(*) FROM logs")
  echo "round $r: killed with $done_rows rows in the DB"
  gen 9000
done

"$BIN" 2>>"$tmp/ingester.log" &
pid=$!
expected=$next
for _ in $(seq 1 600); do
  n=$(count "SELECT COUNT(*) FROM logs")
  [ "$n" = "$expected" ] && break
  sleep 0.1
done
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || { echo "FAIL: ingester exited $rc on SIGTERM"; cat "$tmp/ingester.log"; exit 1; }

rows=$(count "SELECT COUNT(*) FROM logs")
distinct=$(count "SELECT COUNT(DISTINCT msg) FROM logs")
cred_rows=$(count "SELECT COUNT(*) FROM credentials")
position=$(count "SELECT json_extract(value, '\$.position') FROM state WHERE key = 'ingest_worker_position'")
size=$(stat -c %s "$json")
echo "lines written: $expected; logs rows: $rows; distinct: $distinct; credentials: $cred_rows (expected $creds);" \
     "offset $position of $size bytes; kills: $rounds"
fail=0
[ "$rows" = "$expected" ] || { echo "FAIL: $rows rows for $expected lines"; fail=1; }
[ "$distinct" = "$expected" ] || { echo "FAIL: duplicates or losses ($distinct distinct)"; fail=1; }
[ "$cred_rows" = "$creds" ] || { echo "FAIL: $cred_rows credentials, expected $creds"; fail=1; }
[ "$position" = "$size" ] || { echo "FAIL: offset $position != file size $size"; fail=1; }
[ "$fail" -eq 0 ] && echo "PASS: exactly once across $rounds kill -9"
exit "$fail"
