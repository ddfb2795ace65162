#!/bin/bash
# The real decnet-api with the real decnet-bus: refusal without a secret, curl against REST, hostile HTTP
# on the wire, SSE delivering a bus event published during the test, the worker registry, remote stop.
source "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; echo "--- api log"; cat "$STATE/api.log"; exit 1; }

# No secret, no start (exit 2, and the message says what to set).
set +e
out=$(env -u DECNET_JWT_SECRET DECNET_LISTEN=127.0.0.1:0 "$B/bin/decnet-api" 2>&1); rc=$?
set -e
[ "$rc" = 2 ] || fail "started without DECNET_JWT_SECRET (rc=$rc)"
grep -q DECNET_JWT_SECRET <<<"$out" || fail "refusal does not name DECNET_JWT_SECRET: $out"
echo "ok: refuses to start without DECNET_JWT_SECRET"

api_start 50
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/attackers")
[ "$code" = 401 ] || fail "attackers without token gave $code"
TOKEN=$(login)
n=$(curl -fs "$URL/api/v1/attackers?limit=1000" -H "Authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
[ "$n" = 50 ] || fail "expected 50 attackers, got $n"
code=$(curl -s -o "$STATE/r" -w '%{http_code}' "$URL/api/v1/logs?limit=0" -H "Authorization: Bearer $TOKEN")
[ "$code" = 400 ] && grep -q limit "$STATE/r" || fail "bad limit gave $code $(cat "$STATE/r")"
echo "ok: REST over the wire (401 without token, 50 attackers, 400 on bad limit)"

# Hostile HTTP on the wire.
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)")
[ "$code" = 431 ] || fail "oversized header gave $code"
for p in '/../../../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/vendor/../../../etc/passwd'; do
  body=$(curl -s --path-as-is "$URL$p")
  grep -q 'root:' <<<"$body" && fail "path traversal served /etc/passwd via $p"
done
resp=$(printf 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n' | timeout 5 curl -s telnet://127.0.0.1:$PORT || true)
grep -q '400' <<<"$resp" || fail "invalid chunking answered: $resp"
# Slowloris: a request that never completes is answered 408 and closed (request_timeout set to 2 s here).
start=$(date +%s)
resp=$( (printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n'; for i in $(seq 30); do printf 'X'; sleep 1; done) | timeout 25 curl -s telnet://127.0.0.1:$PORT || true)
took=$(( $(date +%s) - start ))
grep -q '408' <<<"$resp" || fail "slowloris not cut (after ${took}s): $resp"
echo "ok: hostile HTTP (431 oversized header, traversal refused, 400 invalid chunking, slowloris 408 after ${took}s)"
curl -fs "$URL/" | grep -q '<title>DECNET</title>' || fail "dashboard index not served"

# SSE: a bus event published now arrives on /stream.
curl -sN "$URL/api/v1/stream?access_token=$TOKEN" >"$STATE/sse.txt" & SSE_PID=$!
PIDS+=($SSE_PID)
for _ in $(seq 50); do grep -q connected "$STATE/sse.txt" 2>/dev/null && break; sleep 0.1; done
"$B/tests/http/http_bus_pub" "$STATE/bus.sock" attacker.observed '{"ip":"198.51.100.77","note":"from the test"}'
for _ in $(seq 50); do grep -q 198.51.100.77 "$STATE/sse.txt" && break; sleep 0.1; done
grep -q '"topic":"attacker.observed"' "$STATE/sse.txt" && grep -q 198.51.100.77 "$STATE/sse.txt" \
  || fail "SSE did not deliver the bus event: $(cat "$STATE/sse.txt")"
kill $SSE_PID 2>/dev/null || true
echo "ok: SSE delivered attacker.observed published on the bus during the test"

# Worker registry: the api's own heartbeat comes back through the bus.
for _ in $(seq 50); do
  st=$(curl -fs "$URL/api/v1/workers" -H "Authorization: Bearer $TOKEN" | python3 -c '
import json,sys
w={x["name"]:x for x in json.load(sys.stdin)["workers"]}
print(w.get("api",{}).get("status"), w.get("api",{}).get("pss_kib"))')
  [[ $st == ok* ]] && break; sleep 0.2
done
[[ $st == ok* ]] || fail "api not ok in its own registry: $st"
echo "ok: workers registry shows api ok with PSS ${st#ok } KiB"

# Remote stop through the bus control topic: the api exits 0.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/workers/api/stop" -H "Authorization: Bearer $TOKEN")
[ "$code" = 202 ] || fail "stop gave $code"
set +e
for _ in $(seq 100); do kill -0 $API_PID 2>/dev/null || break; sleep 0.1; done
kill -0 $API_PID 2>/dev/null && fail "decnet-api still running 10 s after the stop request"
wait $API_PID; rc=$?
set -e
[ "$rc" = 0 ] || fail "api exited $rc after the stop control message"
echo "ok: POST /workers/api/stop made decnet-api exit 0"
echo PASS
