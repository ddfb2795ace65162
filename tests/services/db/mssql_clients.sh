#!/usr/bin/env bash
# The mssql service of a real decnet-decky against real clients: freetds' tsql (TDS 7.4, encryption
# off: the decoy has no TLS, ENCRYPTION=NOT_SUP) logs in and runs SELECT @@VERSION and xp_cmdshell
# (15281, the command logged); a wrong password gets 18456; hydra's mssql module (its own TDS 4.2
# login, cleartext, no TLS) with 5 passwords incl. a non-ASCII one: each a login event whose
# secret_b64 is the exact password; nmap -sV names Microsoft SQL Server 2019 15.00.2000 on 1433 in a
# namespace of our own; garbage on the live socket, then the decky still serves.
set -euo pipefail
BIN="${DECNET_BINARY_DIR:-/work/main/build}/bin/decnet-decky"
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
for tool in tsql nmap hydra python3; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq freetds-bin nmap hydra python3 >/dev/null 2>&1; } || true
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (packaging/deps/svc_db.txt)"; exit 77; }
done

dir="$(mktemp -d /tmp/mssql-clients.XXXXXX)"
pids=()
ns=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- events"; tail -n 40 "$dir/events.log" 2>/dev/null; exit 1; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
LOGPORT=$(free_port)
python3 - "$LOGPORT" "$dir/events.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
pids+=($!)

PORT=$(free_port)
echo '{"mssql": {"users": "sa:Passw0rd!"}}' > "$dir/settings.json"
start() {  # name port [netns]
  local pre=()
  [ -n "${3:-}" ] && pre=(ip netns exec "$3")
  "${pre[@]}" "$BIN" --state-dir "$dir/state-$1" --decky "$1" --distro debian --services mssql \
    --ports "mssql=$2" --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "$dir/settings.json" > "$dir/$1.out" 2>&1 &
  pids+=($!)
}
start sql-a "$PORT"
for _ in $(seq 100); do
  python3 -c "import socket;socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null && break
  sleep 0.1
done

events() { grep -a "$1" "$dir/events.log" || true; }
param() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p"; }
settle() { sleep 0.3; }
printf '[decoy]\n\thost = 127.0.0.1\n\tport = %s\n\ttds version = 7.4\n\tencryption = off\n' "$PORT" \
  > "$dir/freetds.conf"
sql() {  # user password, batches on stdin
  FREETDSCONF="$dir/freetds.conf" timeout 10 tsql -S decoy -U "$1" -P "$2" 2>&1 || true
}

# --- tsql: login, @@VERSION, xp_cmdshell
out=$(printf "SELECT @@VERSION\ngo\nEXEC master..xp_cmdshell 'net user'\ngo\nexit\n" | sql sa 'Passw0rd!')
grep -q 'Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)' <<<"$out" || fail "@@VERSION: $out"
grep -q 'Windows Server 2019 Datacenter 10.0 <X64> (Build 17763: ) (Hypervisor)' <<<"$out" || fail "os: $out"
grep -q 'Msg 15281 (severity 16, state 1)' <<<"$out" || fail "xp_cmdshell: $out"
settle
auth=$(events " sql-a mssql - auth " | head -n 1)
[ "$(param secret_b64 <<<"$auth")" = "$(printf 'Passw0rd!' | base64)" ] || fail "tsql secret: $auth"
[ "$(param success <<<"$auth")" = "true" ] && [ "$(param app <<<"$auth")" = "TSQL" ] || fail "tsql auth: $auth"
events ' query ' | grep -q 'query="SELECT @@VERSION"' || fail "no query event for @@VERSION"
cmd=$(events ' query ' | grep 'tags="xp_cmdshell"' | param command)
[ "$cmd" = "net user" ] || fail "xp_cmdshell command: [$cmd]"
echo "ok: tsql logs in, @@VERSION exact, xp_cmdshell 15281 and logged (command=$cmd)"

out=$(printf "SELECT 1\ngo\nexit\n" | sql sa wrong)
grep -q "Msg 18456 (severity 14, state 1).*" <<<"$out" && grep -q "Login failed for user 'sa'." <<<"$out" \
  || fail "18456: $out"
echo "ok: wrong password: Msg 18456 (severity 14, state 1) Login failed for user 'sa'."

# --- hydra: 5 passwords, one non-ASCII; every attempt an auth event with its exact bytes
before=$(events ' auth ' | wc -l)
printf 'root\nadmin123\n\xc3\xa9t\xc3\xa9\nsqlserver\nPassw0rd!\n' > "$dir/pw.txt"
hout=$(timeout 60 hydra -l sa -P "$dir/pw.txt" -t 1 "mssql://127.0.0.1:$PORT" 2>&1) || true
grep -q "login: sa   password: Passw0rd!" <<<"$hout" || fail "hydra did not find the pair: $hout"
settle
got=$(events ' auth ' | tail -n +"$((before + 1))" | param secret_b64 | sort | tr '\n' ' ')
want=$(while IFS= read -r p; do printf '%s' "$p" | base64; done < "$dir/pw.txt" | sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "hydra secrets: got [$got] want [$want]"
echo "ok: hydra (TDS 4.2 login): 5 attempts, 5 plaintext secrets byte for byte, the pair found"

# --- garbage on the live socket
python3 - "$PORT" <<'PY' || fail "garbage"
import os, socket, sys
port = int(sys.argv[1])
def talk(data):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        sys.exit("no close after %r" % data[:20])
    s.close()
talk(b"\x12\x01\x00\x00" + b"\0" * 4)           # header length 0
talk(b"\x12\x01\xff\xff" + b"\0" * 100)         # 65535 > 32768
talk(b"\x10\x01\x00\x40" + b"\0" * 4 + b"\xff" * 56)  # LOGIN7 with hostile offsets
for _ in range(20):
    talk(b"\x47\x01\x10\x00" + os.urandom(4092))
PY
out=$(printf "SELECT name FROM sys.databases\ngo\nexit\n" | sql sa 'Passw0rd!')
grep -q 'tempdb' <<<"$out" || fail "decky stopped serving after garbage: $out"
echo "ok: garbage closed, decky still serving (sys.databases)"

# --- nmap -sV on 1433 in a namespace of our own (its ms-sql-s probe is tried first there)
if [ "$(id -u)" -eq 0 ] && ip netns add "mssql-nmap-$$" 2>/dev/null; then
  ns="mssql-nmap-$$"
  ip -n "$ns" link set lo up
  start sql-nmap 1433 "$ns"
  sleep 0.5
  scan=$(ip netns exec "$ns" timeout 120 nmap -sV -Pn -p 1433 127.0.0.1 2>&1)
  grep -Eq '1433/tcp +open +ms-sql-s +Microsoft SQL Server 2019 15\.00\.2000' <<<"$scan" || fail "nmap: $scan"
  echo "ok: nmap -sV: $(grep -E '/tcp +open' <<<"$scan")"
else
  echo "skip: nmap (no network namespace)"
fi
! grep -aiq 'decnet\|decky\|honeypot' <<<"$out" || fail "the wire names the honeypot"
echo PASS
