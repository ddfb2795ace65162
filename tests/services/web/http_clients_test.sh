#!/usr/bin/env bash
# Real clients against two live decnet-deckies, one nginx persona and one Apache persona: curl (default
# page, 404, HEAD, Basic auth, a form POST), `nmap -sV` over both ports in one run (it must name the
# product and version), hydra http-get (Basic) and http-post-form with 5 passwords including a
# non-ASCII one (every password must be a credential event whose secret_b64 decodes to its exact bytes),
# and garbage that leaves the decky serving. Events are collected as the collector receives them (UDP
# syslog to a listener of ours).
set -euo pipefail
B=${DECNET_BINARY_DIR:?}
for t in curl nmap hydra; do command -v $t >/dev/null || apt-get install -y -qq $t >/dev/null; done
S=$(mktemp -d /tmp/decnet-http-it.XXXXXX)
cleanup() { kill "${d1:-}" "${d2:-}" "${lpid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$S"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
lport=$(python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
np=$(free_port); ap=$(free_port)
python3 -u - "$lport" "$S/events" <<'PY' & lpid=$!
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65535) + b"\n")
PY
echo '{"http": {"server": "nginx/1.22.1"}}' > "$S/ngx.json"
echo '{"http": {"server": "Apache/2.4.57 (Debian)"}}' > "$S/apa.json"
start() {  # name port settings
  "$B/bin/decnet-decky" --state-dir "$S" --decky "$1" --services http --ports "http=$2" --bind 127.0.0.1 \
    --fleet-seed it --distro debian --hostname "$1" --settings "$3" --log-target "udp:127.0.0.1:$lport" \
    > "$S/$1.log" 2>&1 &
}
start web-ngx "$np" "$S/ngx.json"; d1=$!
start web-apa "$ap" "$S/apa.json"; d2=$!
for f in web-ngx web-apa; do
  for _ in $(seq 50); do grep -q "up: http" "$S/$f.log" && break; sleep 0.1; done
  grep -q "up: http" "$S/$f.log" || { echo "FAIL: $f did not start"; cat "$S/$f.log"; exit 1; }
done
fail=0
cd "$S"
# curl: the happy paths of both products.
curl -s -o page.html -D h1 "http://127.0.0.1:$np/"
grep -q '^Server: nginx/1.22.1' h1 && grep -q '<title>Welcome to nginx!</title>' page.html \
  || { echo "FAIL: nginx default page"; cat h1; fail=1; }
curl -s -o page2.html -D h2 "http://127.0.0.1:$ap/"
grep -q '^Server: Apache/2.4.57 (Debian)' h2 && grep -q 'Apache2 Debian Default Page' page2.html \
  || { echo "FAIL: apache default page"; cat h2; fail=1; }
[[ $(curl -s -o nf.html -w '%{http_code}' "http://127.0.0.1:$ap/wp-login.php") == 404 ]] \
  && grep -q "<address>Apache/2.4.57 (Debian) Server at 127.0.0.1 Port $ap</address>" nf.html \
  || { echo "FAIL: apache 404"; cat nf.html; fail=1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$np/nope") == 404 ]] || { echo "FAIL: nginx 404"; fail=1; }
head=$(curl -s -I "http://127.0.0.1:$np/")
[[ $head == *"Content-Length: 615"* ]] || { echo "FAIL: HEAD"; echo "$head"; fail=1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' -u 'root:toor' "http://127.0.0.1:$np/admin") == 401 ]] \
  || { echo "FAIL: basic auth not 401"; fail=1; }
curl -s -o /dev/null --data-urlencode 'username=alice' --data-urlencode 'password=s3cret&x' "http://127.0.0.1:$ap/login"
# nmap -sV over both ports in one run.
nmap -sV -Pn -p "$np,$ap" 127.0.0.1 > nmap.txt 2>&1 || true
grep -Eq "^$np/tcp +open +http +nginx 1\.22\.1" nmap.txt || { echo "FAIL: nmap nginx"; cat nmap.txt; fail=1; }
grep -Eq "^$ap/tcp +open +http +Apache httpd 2\.4\.57 \(\(Debian\)\)" nmap.txt || { echo "FAIL: nmap apache"; cat nmap.txt; fail=1; }
# hydra: Basic against nginx, a login form against Apache.
printf '%s\n' 123456 letmein 'admin@2024' 'tëst' 's3cr3t!' > pw.txt
hydra -I -t 1 -l admin -P pw.txt -s "$np" 127.0.0.1 http-get /admin > hydra1.txt 2>&1 || true
hydra -I -t 1 -l admin -P pw.txt -s "$ap" 127.0.0.1 http-post-form \
  '/login.php:username=^USER^&password=^PASS^:F=Not Found' > hydra2.txt 2>&1 || true
sleep 0.5
python3 - events pw.txt <<'PY' || fail=1
import base64, re, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
want = open(sys.argv[2], "rb").read().split(b"\n")[:5]
def secrets(auth, decky):
    out = set()
    for l in lines:
        if b" http - login " in l and b'auth="%s"' % auth in l and b" %s " % decky in l:
            m = re.search(rb'secret_b64="([^"]*)"', l)
            p = re.search(rb'principal="([^"]*)"', l)
            if m and p and p.group(1) == b"admin":
                out.add(base64.b64decode(m.group(1)))
    return out
ok = True
for auth, decky in ((b"basic", b"web-ngx"), (b"form", b"web-apa")):
    got = secrets(auth, decky)
    missing = [w for w in want if w not in got]
    if missing:
        print("FAIL: %s passwords not logged byte for byte: %r (got %r)" % (auth.decode(), missing, got)); ok = False
if not any(b'auth="form"' in l and b'principal="alice"' in l for l in lines):
    print("FAIL: curl form login not logged"); ok = False
if not any(b'auth="basic"' in l and b'principal="root"' in l for l in lines):
    print("FAIL: curl basic login not logged"); ok = False
if not any(b" http - request " in l and b'user_agent="Mozilla' in l for l in lines):
    print("FAIL: no request event with a user agent"); ok = False
sys.exit(0 if ok else 1)
PY
# Garbage and overlong input, then a normal client again.
python3 - "$np" "$ap" <<'PY'
import socket, sys
for port in map(int, sys.argv[1:]):
    for junk in (b"\x00\xff" * 3000 + b"\r\n\r\n", b"GET /" + b"A" * 100000 + b" HTTP/1.1\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"y" * 70000 + b"\r\n\r\n", b"\x16\x03\x01\x02\x00\x01"):
        s = socket.create_connection(("127.0.0.1", port)); s.settimeout(2)
        try:
            s.sendall(junk); s.recv(65536)
        except OSError:
            pass
        s.close()
PY
kill -0 "$d1" && kill -0 "$d2" || { echo "FAIL: a decky died on garbage"; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ap/") == 200 ]] || { echo "FAIL: not serving after garbage"; fail=1; }
grep -qi 'decnet\|decky\|honeypot' page.html page2.html h1 h2 nf.html && { echo "FAIL: the wire names us"; fail=1; }
if [[ $(id -u) == 0 ]]; then
  [[ $(ps -o user= -p "$d1") == nobody ]] || { echo "FAIL: decky still runs as $(ps -o user= -p "$d1")"; fail=1; }
fi
[[ $fail == 0 ]] && echo "PASS: curl, nmap -sV (nginx 1.22.1, Apache httpd 2.4.57), hydra basic + form (5 passwords byte for byte), garbage"
exit $fail
