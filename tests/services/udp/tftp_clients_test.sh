#!/usr/bin/env bash
# tftp-hpa's own client against a live decnet-decky: a download, a missing file, an upload whose
# artifact has the sender's SHA-256, and garbage that leaves the decky serving. Events are collected as
# the collector would receive them (UDP syslog to a listener of ours).
set -euo pipefail
B=${DECNET_BINARY_DIR:?}
command -v tftp >/dev/null || apt-get install -y -qq tftp-hpa >/dev/null
command -v python3 >/dev/null
S=$(mktemp -d /tmp/decnet-tftp-it.XXXXXX)
cleanup() { kill "${dpid:-}" "${lpid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$S"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
lport=$(free_port); tport=$(free_port)
python3 -u - "$lport" "$S/events" <<'PY' & lpid=$!
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65535) + b"\n")
PY
"$B/bin/decnet-decky" --state-dir "$S" --decky pxe-01 --services tftp --ports "tftp=$tport" --bind 127.0.0.1 \
  --fleet-seed it --log-target "udp:127.0.0.1:$lport" > "$S/decky.log" 2>&1 & dpid=$!
for _ in $(seq 50); do grep -q "up: tftp" "$S/decky.log" && break; sleep 0.1; done
grep -q "up: tftp udp/$tport" "$S/decky.log" || { echo "FAIL: decky did not start"; cat "$S/decky.log"; exit 1; }
fail=0
cd "$S"
tftp 127.0.0.1 "$tport" -m octet -c get pxelinux.cfg/default got.cfg
grep -q '^DEFAULT install' got.cfg || { echo "FAIL: download"; fail=1; }
out=$(tftp 127.0.0.1 "$tport" -m octet -c get no/such/file x 2>&1 || true)
[[ $out == *"File not found"* ]] || { echo "FAIL: missing file answered '$out'"; fail=1; }
head -c 70000 /dev/urandom > payload.bin
tftp 127.0.0.1 "$tport" -m octet -c put payload.bin implant.bin
want=$(sha256sum payload.bin | cut -d' ' -f1)
for _ in $(seq 30); do grep -q "upload" events 2>/dev/null && break; sleep 0.1; done
grep -q "tftp - upload .*filename=\"implant.bin\" sha256=\"$want\" size=\"70000\"" events \
  || { echo "FAIL: upload event"; grep upload events; fail=1; }
cmp payload.bin "deckies/pxe-01/artifacts/$want" || { echo "FAIL: artifact differs"; fail=1; }
grep -qi 'decnet\|decky\|honeypot' <(strings got.cfg) && { echo "FAIL: the wire names us"; fail=1; }
# Garbage, then a normal client again.
python3 - "$tport" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
for junk in (b"\x00", b"\xff" * 4000, b"\x00\x01" + b"A" * 1000, b"\x00\x02x\x00bogusmode\x00"):
    s.sendto(junk, ("127.0.0.1", int(sys.argv[1])))
PY
sleep 0.3
kill -0 "$dpid" || { echo "FAIL: decky died on garbage"; exit 1; }
tftp 127.0.0.1 "$tport" -m octet -c get pxelinux.cfg/default again.cfg && cmp got.cfg again.cfg \
  || { echo "FAIL: not serving after garbage"; fail=1; }
if [[ $(id -u) == 0 ]]; then
  [[ $(ps -o user= -p "$dpid") == nobody ]] || { echo "FAIL: decky still runs as $(ps -o user= -p "$dpid")"; fail=1; }
  grep -q '^CapEff:\s*0000000000000000' "/proc/$dpid/status" || { echo "FAIL: capabilities kept"; fail=1; }
fi
[[ $fail == 0 ]] && echo "PASS: tftp-hpa download, not-found, upload artifact, garbage, privilege drop"
exit $fail
