#!/usr/bin/env bash
# Runs the real decnet-collector and feeds it with the real `logger --rfc5424` (util-linux) over UDP, TCP
# (LF and octet-counted) and the UNIX datagram socket; checks the raw .log, the .json records, the
# filters, truncation, rotation (rename, and SIGHUP), and, when the bus and `decnet bus sub` are built,
# the system.log and attacker.session.ended events.
set -euo pipefail
BIN="${DECNET_BINARY_DIR:?}/bin"
COLLECTOR="$BIN/decnet-collector"
[[ -x "$COLLECTOR" ]] || { echo "FAIL: $COLLECTOR not built"; exit 1; }
command -v logger >/dev/null || { echo "FAIL: logger (util-linux) missing"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 missing (used to check the JSON)"; exit 1; }

TMP=$(mktemp -d /tmp/decnet-syslog-it.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- collector stderr"; cat "$TMP/collector.err" || true; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
export DECNET_STATE_DIR="$TMP/state"
mkdir -p "$DECNET_STATE_DIR"
LOG="$DECNET_STATE_DIR/decnet.log"
JSON="$DECNET_STATE_DIR/decnet.json"
SOCK="$DECNET_STATE_DIR/syslog.sock"

# The bus part runs only when both the broker and the CLI subscriber exist.
BUS=0
if [[ -x "$BIN/decnet-bus" && -x "$BIN/decnet" ]] && "$BIN/decnet" bus --help >/dev/null 2>&1; then
  BUS=1
  "$BIN/decnet-bus" 2>"$TMP/bus.err" &
  PIDS+=($!)
  for _ in $(seq 50); do [[ -S "$DECNET_STATE_DIR/bus.sock" ]] && break; sleep 0.1; done
  "$BIN/decnet" bus sub '>' >"$TMP/bus.out" 2>"$TMP/sub.err" &
  PIDS+=($!)
  sleep 0.3
else
  echo "SKIP (bus part only): decnet-bus or 'decnet bus sub' is not built in $BIN"
fi

"$COLLECTOR" --listen "udp://127.0.0.1:$PORT,tcp://127.0.0.1:$PORT,unix://$SOCK" --flush-ms 20 \
  --max-line 512 2>"$TMP/collector.err" &
CPID=$!
PIDS+=($CPID)
for _ in $(seq 50); do [[ -S "$SOCK" ]] && break; sleep 0.1; done
[[ -S "$SOCK" ]] || fail "collector did not create $SOCK"

wait_lines() {  # file count
  for _ in $(seq 100); do
    [[ -f "$1" && $(wc -l <"$1") -ge $2 ]] && return 0
    sleep 0.05
  done
  fail "$1 has $(wc -l <"$1" 2>/dev/null || echo 0) lines, want $2"
}

SD=(--sd-id relay@55555)
logger --rfc5424 -n 127.0.0.1 -P "$PORT" -d -t ssh --msgid login_attempt "${SD[@]}" \
  --sd-param 'src_ip="10.0.0.1"' --sd-param 'username="root"' --sd-param 'password="to\"or"' "udp line"
logger --rfc5424 -n 127.0.0.1 -P "$PORT" -T -t http --msgid request "${SD[@]}" \
  --sd-param 'src_ip="[2001:db8::1\]:4444"' "tcp lf line"
logger --rfc5424 -n 127.0.0.1 -P "$PORT" -T --octet-count -t ftp --msgid auth "${SD[@]}" \
  --sd-param 'src_ip="2001:db8::2"' "tcp octet line"
logger --rfc5424 -u "$SOCK" -t bash "CMD uid=0 user=root src=192.168.1.5 pwd=/root cmd=cat /etc/shadow"
wait_lines "$LOG" 4
wait_lines "$JSON" 4

python3 - "$JSON" <<'PY' || fail "JSON records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by = {r["service"]: r for r in recs}
keys = ["timestamp", "decky", "service", "event_type", "attacker_ip", "fields", "msg", "raw_line"]
for r in recs:
    # The original's keys in its order, then who delivered the line (issue 14, finding 10).
    assert list(r.keys()) == keys + ["sender", "attribution"], r.keys()
    assert r["attribution"] == "claimed", r  # no fleet.json here: nobody is attested
u = by["ssh"]
assert u["sender"].startswith("udp:127.0.0.1:"), u["sender"]
assert by["http"]["sender"].startswith("tcp:127.0.0.1:"), by["http"]["sender"]
assert by["bash"]["sender"].startswith("unix:pid="), by["bash"]["sender"]
assert u["event_type"] == "login_attempt" and u["attacker_ip"] == "10.0.0.1", u
assert u["fields"] == {"src_ip": "10.0.0.1", "username": "root", "password": 'to"or'}, u["fields"]
assert u["msg"] == "udp line", u
assert by["http"]["attacker_ip"] == "2001:db8::1", by["http"]
assert by["ftp"]["attacker_ip"] == "2001:db8::2" and by["ftp"]["msg"] == "tcp octet line", by["ftp"]
b = by["bash"]
assert b["event_type"] == "command" and b["attacker_ip"] == "192.168.1.5" and b["fields"] == {}, b
assert b["msg"].endswith("cmd=cat /etc/shadow"), b
print("ok: 4 records over UDP, TCP (LF), TCP (octet counting), UNIX")
PY
grep -q 'udp line$' "$LOG" || fail "raw udp line missing from .log"

# Filters: the drop-list keeps sshd out of the .json (not out of the .log); connect events are limited.
logger --rfc5424 -u "$SOCK" -t sshd "Failed password for root from 10.1.1.1 port 22 ssh2"
for i in 1 2 3; do
  logger --rfc5424 -u "$SOCK" -t smtp --msgid connect "${SD[@]}" --sd-param 'src_ip="10.2.2.2"' "c$i"
done
wait_lines "$LOG" 8
sleep 0.2
grep -q 'Failed password for root from 10.1.1.1' "$LOG" || fail "sshd line missing from .log"
grep -q '"service":"sshd"' "$JSON" && fail "sshd line reached the .json"
n=$(grep -c '"event_type":"connect"' "$JSON" || true)
[[ "$n" == 1 ]] || fail "rate limit: $n connect records, want 1"
echo "ok: drop-list and rate limit"

# An over-long line (TCP, LF framing) is truncated with a marker, never dropped.
python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"<14>1 - longhost longapp - ev - " + b"A" * 5000 + b"\n<14>1 - h after - ev - after long\n")
s.close()
PY
wait_lines "$LOG" 10
grep -q 'A \[decnet:truncated\]$' "$LOG" || fail "truncation marker missing"
# An octet-counted frame carrying a LF stays one line in the .log (escaped as rsyslog does, #012).
python3 - "$PORT" <<'PY'
import socket, sys
m = b"<14>1 - h multi - ev - first#line\nsecond line"
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(str(len(m)).encode() + b" " + m)
s.close()
PY
wait_lines "$LOG" 11
grep -q 'first#line#012second line$' "$LOG" || fail "embedded LF not escaped in the .log"
grep -q 'after long$' "$LOG" || fail "line after the long one lost"
echo "ok: truncation"

# Rotation by rename (detected at the next flush) and by SIGHUP.
mv "$LOG" "$LOG.1"
mv "$JSON" "$JSON.1"
logger --rfc5424 -u "$SOCK" -t web --msgid request "${SD[@]}" --sd-param 'src_ip="10.3.3.3"' "after rename"
wait_lines "$LOG" 1
wait_lines "$JSON" 1
grep -q 'after rename' "$LOG" || fail "rename: new .log does not have the new line"
grep -q 'after rename' "$LOG.1" && fail "rename: the line went to the rotated file"
mv "$LOG" "$LOG.2"
kill -HUP "$CPID"
sleep 0.2
[[ -f "$LOG" ]] || fail "SIGHUP did not recreate $LOG"
logger --rfc5424 -n 127.0.0.1 -P "$PORT" -d -t web --msgid request "after hup"
wait_lines "$LOG" 1
grep -q 'after hup' "$LOG" || fail "SIGHUP: line missing from the reopened .log"
echo "ok: rotation (rename and SIGHUP)"

# A session: commands then a session_recorded event.
logger --rfc5424 -u "$SOCK" -t bash "CMD uid=0 src=192.168.7.7 cmd=whoami"
logger --rfc5424 -u "$SOCK" -t sessrec --msgid session_recorded "${SD[@]}" \
  --sd-param 'sid="sess-it"' --sd-param 'service="ssh"' --sd-param 'duration_s="60"' \
  --sd-param 'src_ip="192.168.7.7"' "session"
sleep 0.5

kill -TERM "$CPID"
rc=0
wait "$CPID" || rc=$?
[[ $rc == 0 ]] || fail "collector exit code $rc on SIGTERM"
[[ -S "$SOCK" ]] && fail "UNIX socket left behind"

if [[ $BUS == 1 ]]; then
  grep -q 'system.log' "$TMP/bus.out" || fail "no system.log event on the bus"
  grep -q 'sess-it' "$TMP/bus.out" || fail "no attacker.session.ended event on the bus"
  grep -q 'whoami' "$TMP/bus.out" || fail "session event without its command"
  echo "ok: bus system.log and attacker.session.ended"
fi
echo "PASS"
