# Shared by the API script tests: a temp state dir with a seeded DB, decnet-bus and decnet-api on a free
# port. Source it, then call api_start. Everything started here is stopped by api_cleanup (trap).
set -euo pipefail
B=${DECNET_BINARY_DIR:?} S=${DECNET_SOURCE_DIR:?}
need() { command -v "$1" >/dev/null || { echo "FAIL: $1 is required (apt-get install $2)"; exit 1; }; }
need curl curl
STATE=$(mktemp -d /tmp/decnet-api-it-XXXXXX)
PIDS=()
api_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP_STATE:-}" ] || rm -rf "$STATE"
}
trap api_cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export DECNET_STATE_DIR=$STATE DECNET_BUS_SOCKET=$STATE/bus.sock
export DECNET_JWT_SECRET=integration-test-secret-$(date +%s%N)
ADMIN_PW=admin-pass-$$-ok
api_start() {  # api_start N_ATTACKERS
  "$B/tests/http/http_api_seed" "$STATE/decnet.db" --attackers "${1:-50}" --user admin "$ADMIN_PW" >/dev/null
  "$B/bin/decnet-bus" 2>"$STATE/bus.log" & PIDS+=($!)
  for _ in $(seq 50); do [ -S "$STATE/bus.sock" ] && break; sleep 0.1; done
  PORT=$(free_port)
  URL=http://127.0.0.1:$PORT
  DECNET_LISTEN=127.0.0.1:$PORT DECNET_REQUEST_TIMEOUT_MS=2000 DECNET_WEB_ROOT=$B/web "$B/bin/decnet-api" 2>"$STATE/api.log" & API_PID=$!
  PIDS+=($API_PID)
  for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "$URL/healthz" >/dev/null || { echo "FAIL: decnet-api did not come up"; cat "$STATE/api.log"; exit 1; }
}
login() {  # prints the token
  curl -fs -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
