#!/usr/bin/env bash
# The ftp service of a real decnet-decky against real clients, one decky per product (vsftpd,
# ProFTPD, Pure-FTPd) on 127.0.0.1: curl (anonymous listing, download, upload -T with the artifact's
# sha256), lftp, nmap -sV naming each product (one run over the three ports), hydra with a 5-password
# list (every password a credential line, byte for byte in secret_b64), garbage and an overlong line
# on the live socket, and a PORT to an outside address that is logged and never connected.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
svc_require "curl nmap hydra python3 lftp" curl nmap hydra python3
svc_scratch ftp-clients
svc_event_sink

declare -A PORT
for product in vsftpd proftpd pureftpd; do
  PORT[$product]=$(free_port)
  printf '{"ftp": {"product": "%s", "anonymous": true}}\n' "$product" > "$dir/$product.json"
  "$BIN" --state-dir "$dir/state" --decky "ftp-$product" --services ftp --ports "ftp=${PORT[$product]}" \
    --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "$dir/$product.json" > "$dir/$product.out" 2>&1 &
  pids+=($!)
done
for product in vsftpd proftpd pureftpd; do
  for _ in $(seq 100); do
    curl -s -m 2 -o /dev/null "ftp://127.0.0.1:${PORT[$product]}/" 2>/dev/null && break
    sleep 0.1
  done
done


# --- curl: anonymous listing, download, upload, on each product
printf 'uploaded by curl %s\n' "$RANDOM" > "$dir/up.txt"
head -c 50000 /dev/urandom >> "$dir/up.txt"
want_sha=$(sha256sum "$dir/up.txt" | cut -d' ' -f1)
for product in vsftpd proftpd pureftpd; do
  url="ftp://127.0.0.1:${PORT[$product]}"
  list=$(curl -sS -m 10 "$url/pub/") || fail "$product: curl list"
  grep -q ' README' <<<"$list" || fail "$product: listing without README: $list"
  grep -q '^-rw-r--r--' <<<"$list" || fail "$product: listing not in ls -l format: $list"
  body=$(curl -sS -m 10 "$url/pub/README") || fail "$product: curl download"
  grep -q 'Public files of' <<<"$body" || fail "$product: README body: $body"
  curl -sS -m 10 -T "$dir/up.txt" "$url/upload/" || fail "$product: curl upload"
  sleep 0.3
  up=$(events " ftp-$product ftp - upload " | tail -n 1)
  [ "$(param sha256 <<<"$up")" = "$want_sha" ] || fail "$product: upload sha256: $up"
  [ "$(param filename <<<"$up")" = "/upload/up.txt" ] || fail "$product: upload name: $up"
  [ -f "$dir/state/deckies/ftp-$product/artifacts/$want_sha" ] || fail "$product: artifact not stored"
  [ "$(sha256sum < "$dir/state/deckies/ftp-$product/artifacts/$want_sha" | cut -d' ' -f1)" = "$want_sha" ] \
    || fail "$product: stored artifact differs"
  echo "ok: curl list/download/upload ($product)"
done

# --- lftp (the other common client: FEAT first, then MLSD/LIST)
if command -v lftp >/dev/null; then
  out=$(timeout 30 lftp -e "set net:max-retries 1; set net:timeout 5; set cmd:fail-exit yes; \
        cls -l /pub; get /pub/notes.txt -o $dir/notes.txt; bye" \
        -u anonymous,lftp@ -p "${PORT[proftpd]}" 127.0.0.1 2>&1) || fail "lftp: $out"
  grep -q 'README' <<<"$out" || fail "lftp listing: $out"
  grep -q 'deploy notes' "$dir/notes.txt" || fail "lftp download"
  echo "ok: lftp"
else
  echo "note: lftp not installed, skipped that client"
fi

# --- nmap -sV: one run over the three ports
ports="${PORT[vsftpd]},${PORT[proftpd]},${PORT[pureftpd]}"
scan=$(nmap -sV -Pn -n -p "$ports" 127.0.0.1 2>&1)
echo "$scan" | grep -E '^[0-9]+/tcp'
grep -Eq "^${PORT[vsftpd]}/tcp +open +ftp +vsftpd 3\.0\.3" <<<"$scan" || fail "nmap vsftpd: $scan"
grep -Eq "^${PORT[proftpd]}/tcp +open +ftp +ProFTPD" <<<"$scan" || fail "nmap ProFTPD: $scan"
grep -Eq "^${PORT[pureftpd]}/tcp +open +ftp +Pure-FTPd" <<<"$scan" || fail "nmap Pure-FTPd: $scan"
echo "ok: nmap names vsftpd 3.0.3, ProFTPD, Pure-FTPd"

# --- hydra: every password tried is a credential line with its exact bytes
printf '123456\npassword\nt\xc3\xabst\nadmin\nletmein\n' > "$dir/pw.txt"
before=$(events " ftp-vsftpd ftp - login " | wc -l)
timeout 120 hydra -l root -P "$dir/pw.txt" -t 1 -s "${PORT[vsftpd]}" 127.0.0.1 ftp > "$dir/hydra.out" 2>&1 \
  || fail "hydra: $(cat "$dir/hydra.out")"
sleep 0.3
grep -q '0 valid password' "$dir/hydra.out" || fail "hydra found a password: $(cat "$dir/hydra.out")"
logins=$(events " ftp-vsftpd ftp - login " | tail -n +"$((before + 1))")
while IFS= read -r pw; do
  b64=$(printf '%s' "$pw" | base64)
  grep "principal=\"root\"" <<<"$logins" | grep -q "secret_b64=\"$b64\"" \
    || fail "hydra password '$pw' ($b64) not logged byte for byte"
done < "$dir/pw.txt"
echo "ok: hydra's 5 passwords logged (secret_b64), incl. tëst"

# --- garbage, an overlong line, and a PORT bounce on the live socket
python3 - "${PORT[vsftpd]}" "${PORT[pureftpd]}" <<'EOF' || fail "live socket checks"
import os, socket, sys, time
vs, pure = int(sys.argv[1]), int(sys.argv[2])
def conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    banner = b""
    while not banner.endswith(b"\r\n") or banner.split(b"\r\n")[-2][3:4] == b"-":
        banner += s.recv(4096)
    return s, banner
def say(s, line):
    s.sendall(line)
    data = b""
    try:
        while not data.endswith(b"\r\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return data
s, b = conn(vs)
assert b == b"220 (vsFTPd 3.0.3)\r\n", b
r = say(s, os.urandom(300).replace(b"\n", b"") + b"\r\n")
assert r.startswith(b"5"), r
r = say(s, b"A" * 100000 + b"\r\n")
assert r == b"500 Unknown command.\r\n", r
assert say(s, b"USER anonymous\r\n").startswith(b"331")
assert say(s, b"PASS x@\r\n").startswith(b"230")
r = say(s, b"PORT 198,51,100,7,4,1\r\n")
assert r == b"500 Illegal PORT command.\r\n", r
r = say(s, b"EPRT |1|198.51.100.7|8080|\r\n")
assert r == b"500 Illegal EPRT command.\r\n", r
r = say(s, b"PORT 127,0,0,1,4,1\r\n")
assert r.startswith(b"200 PORT command successful"), r
r = say(s, b"LIST\r\n")
assert r == b"425 Failed to establish connection.\r\n", r
s.close()
# Pure-FTPd hangs up on an overlong line, as it does; the next client is served.
s, b = conn(pure)
r = say(s, b"B" * 5000 + b"\r\n")
assert r == b"421 Line too long\r\n", r
assert s.recv(100) == b""
s, b = conn(pure)
assert b"Pure-FTPd" in b
print("ok: garbage, overlong line, PORT bounce refused")
EOF
sleep 0.3
bounce=$(events " ftp-vsftpd ftp - port " | grep 'target_ip="198.51.100.7"')
[ "$(wc -l <<<"$bounce")" -eq 2 ] || fail "bounce attempts not logged: $bounce"
grep -q 'bounce="1"' <<<"$bounce" || fail "bounce flag"
grep -q 'target_port="1025"' <<<"$bounce" || fail "bounce target port"
if command -v ss >/dev/null; then
  ! ss -tan | grep -q '198\.51\.100\.7' || fail "a connection to the PORT target exists"
fi
# Every decky still serves, and nothing on the wire names what it is.
for product in vsftpd proftpd pureftpd; do
  kill -0 "${pids[$(( $(printf '%s\n' vsftpd proftpd pureftpd | grep -n "^$product$" | cut -d: -f1) ))]}" \
    || fail "$product decky died"
done
! grep -aiqE 'decnet|decky|honeypot' "$dir/hydra.out" || fail "hydra saw a telltale word"
echo "PASS"
