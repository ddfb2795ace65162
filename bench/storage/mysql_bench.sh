#!/usr/bin/env bash
# Rows/s into MariaDB: starts a private mariadbd (temp datadir, UNIX socket) and runs storage-bench
# against it. Usage: bash bench/storage/mysql_bench.sh <build-dir> [rows]
set -euo pipefail
B="${1:?build dir}"
ROWS="${2:-200000}"
tmp=$(mktemp -d)
sock="$tmp/mysql.sock"
srv=""
trap '[ -n "$srv" ] && { mariadb-admin --no-defaults -uroot -S "$sock" shutdown 2>/dev/null || kill $srv; wait $srv 2>/dev/null; }; rm -rf "$tmp"' EXIT
mariadb-install-db --no-defaults --user=root --datadir="$tmp/data" --auth-root-authentication-method=normal \
  --skip-test-db >/dev/null 2>&1
# Server settings: the Debian defaults except a small buffer pool and no binlog (a single-host deployment).
mariadbd --no-defaults --user=root --datadir="$tmp/data" --socket="$sock" --skip-networking \
  --innodb-buffer-pool-size=128M --skip-log-bin --performance-schema=OFF --log-error="$tmp/err" &
srv=$!
for _ in $(seq 1 100); do mariadb --no-defaults -uroot -S "$sock" -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
DECNET_BENCH_MYSQL_SOCKET="$sock" DECNET_STORAGE_PLUGIN="$B/lib/decnet-storage-mysql.so" \
  "$B/bench/storage-bench" "$ROWS" | grep -E "storage-bench|MariaDB"
