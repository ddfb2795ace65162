#!/usr/bin/env bash
# The ldap service of a real decnet-decky against real clients: ldapsearch reads the rootDSE and runs
# filtered searches (each a `search` event with its RFC 4515 filter; -z honoured); ldapwhoami binds
# with a right and a wrong password (49 as slapd words it, the DN and password captured); hydra
# ldap3 with a 5-password list (each attempt a `bind` event whose secret_b64 is the exact bytes);
# nmap -sV names OpenLDAP on port 389 and an AD persona as Active Directory, in a namespace of our own; garbage on the live socket, then the
# decky still serves.
set -euo pipefail
BIN="${DECNET_BINARY_DIR:-/work/main/build}/bin/decnet-decky"
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
for tool in ldapsearch ldapwhoami nmap hydra python3; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq ldap-utils nmap hydra python3 >/dev/null 2>&1; } || true
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (packaging/deps/svc_directory.txt)"; exit 77; }
done

dir="$(mktemp -d /tmp/ldap-clients.XXXXXX)"
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
echo '{"ldap": {"domain": "corp.local", "users": "cn=admin,dc=corp,dc=local:secret"}}' > "$dir/settings.json"
start() {  # name distro port [netns]
  local pre=()
  [ -n "${4:-}" ] && pre=(ip netns exec "$4")
  "${pre[@]}" "$BIN" --state-dir "$dir/state" --decky "$1" --distro "$2" --services ldap \
    --ports "ldap=$3" --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "${SETTINGS:-$dir/settings.json}" > "$dir/$1.out" 2>&1 &
  pids+=($!)
}
start ldap-deb debian "$PORT"
for _ in $(seq 100); do
  python3 -c "import socket;socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null && break
  sleep 0.1
done

events() { grep -a "$1" "$dir/events.log" || true; }
param() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p"; }
settle() { sleep 0.3; }
URI="ldap://127.0.0.1:$PORT"
search() { timeout 10 ldapsearch -x -LLL -H "$URI" "$@" 2>&1; }

# --- the rootDSE
out=$(search -b "" -s base)
grep -qx 'objectClass: OpenLDAProotDSE' <<<"$out" || fail "rootDSE: $out"
out=$(search -b "" -s base '+')
grep -qx 'namingContexts: dc=corp,dc=local' <<<"$out" || fail "rootDSE +: $out"
grep -qx 'supportedLDAPVersion: 3' <<<"$out" || fail "rootDSE +: $out"
grep -qx 'subschemaSubentry: cn=Subschema' <<<"$out" || fail "rootDSE +: $out"
echo "ok: ldapsearch rootDSE: $(grep -c . <<<"$out") lines, namingContexts dc=corp,dc=local"

# --- filtered searches, the size limit
out=$(search -b dc=corp,dc=local '(&(objectClass=posixAccount)(uid=*))' uid)
n=$(grep -c '^uid: ' <<<"$out" || true)
[ "$n" -eq 4 ] || fail "posixAccount search: $n entries: $out"
uid=$(grep -m1 '^uid: ' <<<"$out" | cut -d' ' -f2)
out=$(search -b ou=people,dc=corp,dc=local "(uid=${uid:0:2}*)" homeDirectory)
grep -qx "homeDirectory: /home/$uid" <<<"$out" || fail "substring search: $out"
out=$(search -b dc=corp,dc=local -z 2 '(objectClass=*)' dn || true)
grep -q 'Size limit exceeded (4)' <<<"$out" || fail "size limit: $out"
[ "$(grep -c '^dn: ' <<<"$out")" -eq 2 ] || fail "size limit entries: $out"
settle
ev=$(events " ldap-deb ldap - search " | grep "base=\"ou=people,dc=corp,dc=local\"" | head -n 1)
[ "$(param filter <<<"$ev")" = "(uid=${uid:0:2}*)" ] && [ "$(param scope <<<"$ev")" = "sub" ] \
  || fail "search event: $ev"
events " ldap-deb ldap - search " | grep -q 'filter="(&(objectClass=posixAccount)(uid=\*))"' \
  || fail "and-filter not logged"
echo "ok: filtered searches: 4 posixAccounts, (uid=${uid:0:2}*) -> $uid, -z 2 -> sizeLimitExceeded; logged"

# --- ldapwhoami: right and wrong password
out=$(timeout 10 ldapwhoami -x -H "$URI" -D cn=admin,dc=corp,dc=local -w secret 2>&1)
[ "$out" = "dn:cn=admin,dc=corp,dc=local" ] || fail "whoami: $out"
out=$(timeout 10 ldapwhoami -x -H "$URI" -D cn=admin,dc=corp,dc=local -w wrong 2>&1 || true)
grep -q 'ldap_bind: Invalid credentials (49)' <<<"$out" || fail "wrong password: $out"
out=$(timeout 10 ldapwhoami -x -H "$URI" 2>&1)
[ "$out" = "anonymous" ] || fail "anonymous whoami: $out"
settle
events " ldap-deb ldap - bind " | grep 'success="true"' | grep -q 'secret_printable="secret"' \
  || fail "good bind not captured"
events " ldap-deb ldap - bind " | grep 'success="false"' | grep -q 'secret_printable="wrong"' \
  || fail "bad bind not captured"
events " ldap-deb ldap - extended " | grep -q 'oid="1.3.6.1.4.1.4203.1.11.3"' || fail "whoami not logged"
echo "ok: ldapwhoami: success (dn:cn=admin,...), 49 on a wrong password, anonymous; captured"

# --- hydra: every attempt an event with the exact bytes
printf 'admin\npassword\nt\xc3\xabst\nldap\n123456\n' > "$dir/pw.txt"
before=$(events " ldap-deb ldap - bind " | wc -l)
timeout 120 hydra -l cn=hydra,dc=corp,dc=local -P "$dir/pw.txt" -s "$PORT" -t 1 127.0.0.1 ldap3 \
  > "$dir/hydra.out" 2>&1 || true
grep -q '0 valid password' "$dir/hydra.out" || fail "hydra: $(cat "$dir/hydra.out")"
settle
got=$(events " ldap-deb ldap - bind " | tail -n +$((before + 1)) | grep 'principal="cn=hydra,dc=corp,dc=local"' \
  | param secret_b64 | sort)
want=$(while IFS= read -r pw; do printf '%s' "$pw" | base64; done < "$dir/pw.txt" | sort)
[ "$got" = "$want" ] || fail "hydra secrets: got [$got] want [$want]"
echo "ok: hydra ldap3, 5 passwords incl. tëst: 5 bind events, secrets byte for byte"

# --- garbage on the live socket
python3 - "$PORT" <<'PY' || fail "garbage"
import os, socket, sys
port = int(sys.argv[1])
def talk(data, must_close=True):
    s = socket.create_connection(("127.0.0.1", port), timeout=5 if must_close else 1)
    s.sendall(data)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        if must_close:
            sys.exit("no close after %r" % data[:20])
    s.close()
    return buf
assert talk(b"\x30\x84\x80\x00\x00\x00" + b"A" * 100) == b""   # 2^31
assert talk(b"\x30\x80\x02\x01\x01\x00\x00") == b""            # indefinite
nest = b"\x87\x01a"
for _ in range(2000):
    n = len(nest)
    nest = b"\xa0\x84" + n.to_bytes(4, "big") + nest
body = b"\x04\x00\x0a\x01\x02\x0a\x01\x00\x02\x01\x00\x02\x01\x00\x01\x01\x00" + nest + b"\x30\x00"
op = b"\x63\x84" + len(body).to_bytes(4, "big") + body
msg = b"\x02\x01\x01" + op
r = talk(b"\x30\x84" + len(msg).to_bytes(4, "big") + msg)
assert b"1.3.6.1.4.1.1466.20036" in r, r                      # notice of disconnection
for _ in range(20):  # a random length may still be waiting for its bytes, as slapd would
    talk(b"\x30" + os.urandom(3000), must_close=False)
talk(b"GET / HTTP/1.0\r\n\r\n" * 3 + os.urandom(100))
PY
out=$(search -b "" -s base)
grep -qx 'objectClass: OpenLDAProotDSE' <<<"$out" || fail "decky stopped serving after garbage: $out"
settle
[ "$(events " ldap-deb ldap - protocol_error " | wc -l)" -ge 3 ] || fail "protocol errors not logged"
echo "ok: garbage (2^31, indefinite, 2000-deep filter, random) dropped, decky still serving"

# --- nmap -sV: OpenLDAP on 389, in a namespace of our own
if [ "$(id -u)" -eq 0 ] && ip netns add "ldap-nmap-$$" 2>/dev/null; then
  ns="ldap-nmap-$$"
  ip -n "$ns" link set lo up
  start ldap-nmap debian 389 "$ns"
  # An AD persona on the global catalog port, scanned in the same run.
  echo '{"ldap": {"product": "ad", "domain": "corp.local"}}' > "$dir/ad.json"
  SETTINGS="$dir/ad.json" start ldap-nmap-ad debian 3268 "$ns"
  sleep 0.5
  scan=$(ip netns exec "$ns" nmap -sV -Pn -p 389,3268 127.0.0.1 2>&1)
  grep -Eq '389/tcp +open +ldap +OpenLDAP' <<<"$scan" || fail "nmap: $scan"
  grep -Eq '3268/tcp +open +ldap +Microsoft Windows Active Directory LDAP \(Domain: corp.local' <<<"$scan" \
    || fail "nmap ad: $scan"
  echo "ok: nmap -sV: $(grep -E '/tcp +open' <<<"$scan")"
else
  echo "skip: nmap (no network namespace)"
fi
! grep -aiq 'decnet\|decky\|honeypot' <<<"$out" || fail "the wire names the honeypot"
echo PASS
