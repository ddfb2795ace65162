#!/usr/bin/env bash
# Issue 14, findings 10 and 11, against the real decnet-collector on loopback and in a real network
# namespace:
#  - attribution: a process inside the netns that fleet.json gives to decky "web1" writes to the UNIX
#    socket claiming HOSTNAME "mail9": the record says decky web1 (attested), claimed_decky mail9; a
#    process in the host namespace claiming "web1" stays "claimed".
#  - TCP exhaustion: 300 idle connections from 127.0.0.2 no longer lock out a sender on 127.0.0.3
#    (per-source cap), and the idle ones are closed by the idle timer.
#  - memory: the two measured floods (20,000 commands of 15.8 KB from 4,000 IPv6 sources: 316 MB PSS
#    before; 10,000 `connect` lines with a 15.8 KB non-address token: 165 MB before) leave the
#    collector under 40 MB PSS.
set -euo pipefail
BIN="${DECNET_BINARY_DIR:?}/bin"
COLLECTOR="$BIN/decnet-collector"
[[ -x "$COLLECTOR" ]] || { echo "FAIL: $COLLECTOR not built"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 missing"; exit 1; }
if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
  echo "SKIP: needs root and iproute2 for a network namespace"; exit 77
fi

TMP=$(mktemp -d /tmp/decnet-collector-hostile.XXXXXX)
NS="decnet-hostile-$$"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$TMP"/*.err; do echo "--- $f"; cat "$f"; done; exit 1; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
pss_kib() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }

# ---- attribution by network namespace
ip netns add "$NS"
S1="$TMP/s1"
mkdir -p "$S1"
cat >"$S1/fleet.json" <<EOF
{"version":1,"updated_at":0,"deckies":{"web1":{"topology":"t","hostname":"web1","runtime":"netns",
 "netns":"/run/netns/$NS","ips":["10.9.0.2"],"lans":["lan"],"services":["http"],"ports":{}}}}
EOF
SOCK="$S1/syslog.sock"
PORT=$(free_port)
DECNET_CONFIG=/dev/null "$COLLECTOR" --state-dir "$S1" --flush-ms 10 --tcp-idle-timeout 1 \
  --listen "unix://$SOCK,tcp://127.0.0.1:$PORT" 2>"$TMP/c1.err" &
C1=$!
PIDS+=($C1)
for _ in $(seq 50); do [[ -S "$SOCK" ]] && break; sleep 0.1; done
[[ -S "$SOCK" ]] || fail "no socket"

# The sender stays alive until its line is in the .json: the collector reads its namespace by pid.
send_unix() {  # host msgid
  python3 - "$SOCK" "$S1/decnet.json" "$1" "$2" <<'PY'
import socket, sys, time
sock, json_path, host, msgid = sys.argv[1:]
line = f'<134>1 2026-05-02T06:00:00Z {host} http - {msgid} [relay@55555 src_ip="203.0.113.7"] hi'
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(line.encode(), sock)
for _ in range(200):
    try:
        if msgid in open(json_path).read():
            sys.exit(0)
    except FileNotFoundError:
        pass
    time.sleep(0.05)
sys.exit("line never reached the .json")
PY
}
ip netns exec "$NS" bash -c "$(declare -f send_unix); SOCK=$SOCK S1=$S1 send_unix mail9 from_netns" ||
  fail "netns sender"
send_unix web1 from_host || fail "host sender"
python3 - "$S1/decnet.json" <<'PY' || fail "attribution"
import json, sys
recs = {r["event_type"]: r for r in map(json.loads, open(sys.argv[1]))}
a = recs["from_netns"]
assert a["decky"] == "web1" and a["attribution"] == "attested" and a["claimed_decky"] == "mail9", a
assert a["sender"].startswith("unix:pid="), a
h = recs["from_host"]
assert h["decky"] == "web1" and h["attribution"] == "claimed" and "claimed_decky" not in h, h
print("ok: the netns sender is attested as web1 (claimed mail9); the host sender stays claimed")
PY

# ---- TCP: 300 idle connections from one source do not lock out another; idle ones are closed.
python3 - "$PORT" "$S1/decnet.json" <<'PY' || fail "tcp exhaustion"
import socket, sys, time
port, json_path = int(sys.argv[1]), sys.argv[2]
idle = []
for _ in range(300):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", port))
    idle.append(s)
time.sleep(0.3)  # let the collector accept (and refuse) them all
t = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.3", 0))
t.sendall(b'<134>1 2026-05-02T06:00:01Z d ssh - after_flood [relay@55555 src_ip="198.51.100.1"] x\n')
t.close()
for _ in range(200):
    if "after_flood" in open(json_path).read():
        break
    time.sleep(0.05)
else:
    sys.exit("the line from 127.0.0.3 was lost behind 300 idle connections from 127.0.0.2")
# Every idle connection ends: refused at once (over the per-source cap) or closed by the idle timer.
deadline = time.time() + 15
closed = 0
for s in idle:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        if s.recv(1) == b"":
            closed += 1
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
assert closed == 300, f"{closed} of 300 idle connections closed"
print("ok: 127.0.0.3 got through 300 idle connections of 127.0.0.2, and all 300 were closed")
PY
kill "$C1"; wait "$C1" 2>/dev/null || true

# ---- memory under the two measured floods
S2="$TMP/s2"
mkdir -p "$S2"
PORT2=$(free_port)
DECNET_CONFIG=/dev/null "$COLLECTOR" --state-dir "$S2" --ingest-log /dev/null --ingest-json /dev/null \
  --listen "tcp://127.0.0.1:$PORT2" 2>"$TMP/c2.err" &
C2=$!
PIDS+=($C2)
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT2)).close()" 2>/dev/null && break
  sleep 0.1
done
before=$(pss_kib $C2)
flood() {  # kind
  python3 - "$PORT2" "$1" <<'PY'
import socket, sys
port, kind = int(sys.argv[1]), sys.argv[2]
big = "x" * 15800
s = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.4", 0))
batch = []
if kind == "commands":
    for i in range(20000):
        batch.append(f"<14>1 2026-05-02T06:00:00Z S bash - - - CMD src=[2001:db8::{i % 4000:x}:{i // 4000:x}]:22 cmd={big}\n")
        if len(batch) == 64:
            s.sendall("".join(batch).encode()); batch = []
else:
    for i in range(10000):
        batch.append(f"<134>1 - d smtp - connect - src_ip={i}{'Z' * 15800} hello\n")
        if len(batch) == 64:
            s.sendall("".join(batch).encode()); batch = []
s.sendall("".join(batch).encode())
s.shutdown(socket.SHUT_WR)
s.settimeout(120)
assert s.recv(1) == b""  # the collector closes after it has handled every line
PY
}
flood commands || fail "command flood"
after_cmds=$(pss_kib $C2)
flood connect || fail "connect flood"
after_conn=$(pss_kib $C2)
echo "collector PSS KiB: idle $before, after 20,000 x 15.8 KB commands $after_cmds, after 10,000 x 15.8 KB connect tokens $after_conn"
(( after_cmds < 40960 )) || fail "PSS $after_cmds KiB after the command flood (bound 40 MiB)"
(( after_conn < 40960 )) || fail "PSS $after_conn KiB after the connect flood (bound 40 MiB)"
echo "collector hostile: ok"
