#!/usr/bin/env bash
# The repository suite and the ingester against a real MariaDB server that this script starts in a temp
# datadir (UNIX socket only, no TCP) and stops afterwards. Also: the ingester keeps retrying while the
# server is down and ingests everything exactly once when it is back.
set -euo pipefail
B="${DECNET_BINARY_DIR:?}"
PLUGIN="$B/lib/decnet-storage-mysql.so"
need() { command -v "$1" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
need mariadbd mariadb-server
need mariadb mariadb-client
for f in "$PLUGIN" "$B/tests/storage/storage_repository_test" "$B/bin/decnet-ingester"; do
  [ -e "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: mariadbd --user=root needs root"; exit 77; fi

tmp=$(mktemp -d)
sock="$tmp/mysql.sock"
srv=""
ing=""
start_server() {
  mariadbd --no-defaults --user=root --datadir="$tmp/data" --socket="$sock" --skip-networking \
    --pid-file="$tmp/mysqld.pid" --log-error="$tmp/mysqld.err" --innodb-buffer-pool-size=32M \
    --innodb-log-file-size=16M --skip-log-bin --performance-schema=OFF &
  srv=$!
  for _ in $(seq 1 100); do
    mariadb --no-defaults -uroot -S "$sock" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "FAIL: mariadbd did not start"; cat "$tmp/mysqld.err"; exit 1
}
stop_server() {
  [ -n "$srv" ] || return 0
  mariadb-admin --no-defaults -uroot -S "$sock" shutdown >/dev/null 2>&1 || kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
  srv=""
}
cleanup() {
  [ -n "$ing" ] && kill -9 "$ing" 2>/dev/null || true
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT

mariadb-install-db --no-defaults --user=root --datadir="$tmp/data" --auth-root-authentication-method=normal \
  --skip-test-db >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; echo "FAIL: mariadb-install-db"; exit 1; }
start_server
echo "mariadbd $(mariadbd --version | awk '{print $3}') on $sock"

# 1. The same repository suite as SQLite.
out=$(DECNET_TEST_MYSQL_SOCKET="$sock" DECNET_TEST_MYSQL_PLUGIN="$PLUGIN" \
      "$B/tests/storage/storage_repository_test" --gtest_filter='*/mysql' 2>&1) || { echo "$out"; echo "FAIL: repository suite on MySQL"; exit 1; }
echo "$out" | grep -E '^\[  (PASSED|SKIPPED|FAILED)' || true
if echo "$out" | grep -q '^\[  SKIPPED'; then echo "FAIL: MySQL tests were skipped"; exit 1; fi

# 2. The ingester on MySQL, with the server going away in the middle.
q() { mariadb --no-defaults -uroot -S "$sock" -N -B -e "$1" decnet_ing 2>/dev/null || echo -1; }
export DECNET_STATE_DIR="$tmp/state" DECNET_BUS_SOCKET="$tmp/no-bus.sock" DECNET_DB_TYPE=mysql
export DECNET_DB_SOCKET="$sock" DECNET_DB_USER=root DECNET_DB_NAME=decnet_ing DECNET_DB_PLUGIN="$PLUGIN"
export DECNET_LOG_LEVEL=notice DECNET_BATCH_MAX_WAIT_MS=50
mkdir -p "$DECNET_STATE_DIR"
gen() {
  awk -v s="$1" -v n="$2" 'BEGIN { for (i = s; i < s + n; i++)
    printf "{\"timestamp\":\"2026-11-24T10:00:00Z\",\"decky\":\"d%d\",\"service\":\"ssh\",\"event_type\":\"login\",\"attacker_ip\":\"10.0.0.%d\",\"msg\":\"line-%d\",\"fields\":{\"username\":\"u\",\"password\":\"p%d\"}}\n", i%3, i%200, i, i }' \
    >> "$DECNET_STATE_DIR/decnet.json"
}
wait_rows() {
  for _ in $(seq 1 300); do [ "$(q 'SELECT COUNT(*) FROM logs')" = "$1" ] && return 0; sleep 0.1; done
  echo "FAIL: expected $1 rows, have $(q 'SELECT COUNT(*) FROM logs')"; cat "$tmp/ingester.log"; exit 1
}
gen 0 20000
"$B/bin/decnet-ingester" 2>"$tmp/ingester.log" &
ing=$!
wait_rows 20000
stop_server
gen 20000 5000
sleep 2
kill -0 "$ing" || { echo "FAIL: ingester died while the DB was down"; cat "$tmp/ingester.log"; exit 1; }
start_server
wait_rows 25000
kill -TERM "$ing"; rc=0; wait "$ing" || rc=$?; ing=""
[ "$rc" -eq 0 ] || { echo "FAIL: ingester exit $rc"; cat "$tmp/ingester.log"; exit 1; }
distinct=$(q 'SELECT COUNT(DISTINCT msg) FROM logs')
creds=$(q 'SELECT COUNT(*) FROM credentials')
pos=$(q "SELECT value FROM state WHERE \`key\` = 'ingest_worker_position'")
echo "ingester on MySQL: 25000 lines -> $distinct distinct rows, $creds credentials, state $pos"
grep -c "retry in" "$tmp/ingester.log" | sed 's/^/retries logged while the server was down: /'
[ "$distinct" = 25000 ] && [ "$creds" = 25000 ] || { echo "FAIL: not exactly once"; exit 1; }
echo "PASS"
