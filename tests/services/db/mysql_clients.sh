#!/usr/bin/env bash
# The mysql service of a real decnet-decky against real clients: the mariadb client logs in (its
# libmariadb answers the switch to mysql_clear_password without any flag: --enable-cleartext-plugin is
# "obsolete" there, so the plaintext is captured) and runs queries (each a `query` event, INTO OUTFILE
# tagged); a wrong password gets 1045 as MariaDB words it; hydra with a 5-password list (each attempt
# an event, the secret what the protocol gives); nmap -sV names MariaDB (Debian persona) and MySQL
# 8.0 (Ubuntu persona) with their versions; garbage on the live socket, then the decky still serves.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
svc_require "mariadb-client nmap hydra python3" mariadb nmap hydra python3
svc_scratch mysql-clients
svc_event_sink

PORT=$(free_port)
echo '{"mysql": {"users": "root:toor"}}' > "$dir/settings.json"
start() {  # name distro port [netns]
  local pre=()
  [ -n "${4:-}" ] && pre=(ip netns exec "$4")
  "${pre[@]}" "$BIN" --state-dir "$dir/state" --decky "$1" --distro "$2" --services mysql \
    --ports "mysql=$3" --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "$dir/settings.json" > "$dir/$1.out" 2>&1 &
  pids+=($!)
}
start mysql-deb debian "$PORT"
for _ in $(seq 100); do
  python3 -c "import socket,sys;socket.create_connection(('127.0.0.1',$PORT),1).recv(4)" 2>/dev/null && break
  sleep 0.1
done

settle() { sleep 0.3; }
db() { timeout 10 mariadb -h 127.0.0.1 -P "$PORT" --protocol=tcp -N -B "$@" 2>&1; }

# --- the mariadb client, right password: queries
out=$(db -u root -ptoor -e 'SELECT @@version; SELECT @@version_comment; SHOW DATABASES')
grep -qx '10.11.6-MariaDB-0+deb12u1' <<<"$out" || fail "version: $out"
grep -qx 'Debian 12' <<<"$out" || fail "version_comment: $out"
grep -qx 'information_schema' <<<"$out" || fail "SHOW DATABASES: $out"
app=$(grep -vx 'information_schema\|mysql\|performance_schema\|10.11.6-MariaDB-0+deb12u1\|Debian 12' <<<"$out" | head -n 1)
[ -n "$app" ] || fail "no application database: $out"
tables=$(db -u root -ptoor -D "$app" -e 'SHOW TABLES')
first=$(head -n 1 <<<"$tables")
[ -n "$first" ] || fail "SHOW TABLES: $tables"
rows=$(db -u root -ptoor -D "$app" -e "SELECT * FROM $first LIMIT 1")
[ "$(wc -l <<<"$rows")" -eq 1 ] || fail "SELECT LIMIT 1: $rows"
out=$(db -u root -ptoor -e "SELECT 'x' INTO OUTFILE '/tmp/x'" || true)
grep -q 'ERROR 1290 (HY000).*--secure-file-priv' <<<"$out" || fail "INTO OUTFILE: $out"
out=$(db -u root -ptoor -e "SELECT * FROM nope.t" || true)
grep -q "ERROR 1146 (42S02).*Table 'nope.t' doesn't exist" <<<"$out" || fail "1146: $out"
settle
auth=$(events " mysql-deb mysql - auth " | head -n 1)
[ "$(param secret_printable <<<"$auth")" = "toor" ] && [ "$(param secret_kind <<<"$auth")" = "plaintext" ] \
  && [ "$(param success <<<"$auth")" = "true" ] || fail "cleartext auth event: $auth"
login=$(events " mysql-deb mysql - login " | head -n 1)
grep -Eq 'secret_printable="\$mysqlna\$[0-9a-f]{40}\*[0-9a-f]{40}"' <<<"$login" || fail "native hash: $login"
[ "$(param program <<<"$login")" = "mysql" ] || [ -n "$(param client_version <<<"$login")" ] || fail "attrs: $login"
events " mysql-deb mysql - query " | grep -q 'query="SHOW DATABASES"' || fail "SHOW DATABASES not logged"
events " mysql-deb mysql - query " | grep 'INTO OUTFILE' | grep -q 'tags="outfile"' || fail "outfile not tagged"
echo "ok: mariadb client: login (hash + cleartext), @@version, SHOW DATABASES/TABLES, SELECT, 1290, 1146 (logged)"

# --- wrong password: 1045 as MariaDB words it
out=$(db -u admin -pnope -e 'SELECT 1' || true)
grep -q "ERROR 1045 (28000): Access denied for user 'admin'@'127.0.0.1' (using password: YES)" <<<"$out" \
  || fail "1045: $out"
settle
events " mysql-deb mysql - auth " | grep 'principal="admin"' | grep -q 'secret_printable="nope"' \
  || fail "wrong password not captured"
echo "ok: wrong password: $out"

# --- hydra: every attempt an event
printf 'admin\npassword\nt\xc3\xabst\nmysql\n123456\n' > "$dir/pw.txt"
before=$(events " mysql-deb mysql - login " | wc -l)
before_auth=$(events " mysql-deb mysql - auth " | wc -l)
timeout 120 hydra -l root -P "$dir/pw.txt" -s "$PORT" -t 1 127.0.0.1 mysql > "$dir/hydra.out" 2>&1 || true
grep -q '0 valid password' "$dir/hydra.out" || fail "hydra: $(cat "$dir/hydra.out")"
settle
n=$(events " mysql-deb mysql - login " | tail -n +$((before + 1)) | grep -c 'principal="root"' || true)
[ "$n" -eq 5 ] || fail "hydra: $n login events for 5 passwords: $(cat "$dir/hydra.out")"
got=$(events " mysql-deb mysql - auth " | tail -n +$((before_auth + 1)) | param secret_b64 | sort -u)
want=$(while IFS= read -r pw; do printf '%s' "$pw" | base64; done < "$dir/pw.txt" | sort -u)
[ "$got" = "$want" ] || fail "hydra cleartext: got [$got] want [$want]"
echo "ok: hydra, 5 passwords incl. tëst: 5 login events (native hash), 5 cleartext secrets byte for byte"

# --- garbage on the live socket
python3 - "$PORT" <<'PY' || fail "garbage"
import os, socket, struct, sys
port = int(sys.argv[1])
def talk(data):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    greet = s.recv(4096)
    assert greet[4] == 10, greet
    s.sendall(data)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        sys.exit("no close after %r" % data[:20])
    s.close()
    return buf
r = talk(b"\xff\xff\xff\x01" + b"A" * 1000)
assert b"max_allowed_packet" in r, r
r = talk(struct.pack("<I", 5)[:3] + b"\x01hello")
assert b"Bad handshake" in r, r
for _ in range(20):
    talk(os.urandom(3000))
talk(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(64))
PY
out=$(db -u root -ptoor -e 'SELECT 1')
[ "$out" = "1" ] || fail "decky stopped serving after garbage: $out"
echo "ok: garbage answered (1153, 1043) and closed, decky still serving"

# --- nmap -sV: MariaDB on Debian, MySQL on Ubuntu, on 3306/3307 in a namespace of our own
if [ "$(id -u)" -eq 0 ] && ip netns add "mysql-nmap-$$" 2>/dev/null; then
  ns="mysql-nmap-$$"
  ip -n "$ns" link set lo up
  start mysql-nmap-deb debian 3306 "$ns"
  start mysql-nmap-ubu ubuntu22 3307 "$ns"
  sleep 0.5
  scan=$(ip netns exec "$ns" nmap -sV -Pn -p 3306,3307 127.0.0.1 2>&1)
  grep -Eq '3306/tcp +open +mysql +MySQL 5\.5\.5-10\.11\.6-MariaDB-0\+deb12u1' <<<"$scan" || fail "nmap deb: $scan"
  grep -Eq '3307/tcp +open +mysql +MySQL 8\.0\.36-0ubuntu0\.22\.04\.1' <<<"$scan" || fail "nmap ubuntu: $scan"
  echo "ok: nmap -sV: $(grep -E '/tcp +open' <<<"$scan" | tr '\n' ';')"
else
  echo "skip: nmap (no network namespace)"
fi
! grep -aiq 'decnet\|decky\|honeypot' <<<"$out$tables$rows" || fail "the wire names the honeypot"
echo PASS
