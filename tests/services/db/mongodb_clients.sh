#!/usr/bin/env bash
# The mongodb service of a real decnet-decky against real clients: pymongo (the driver ransom bots
# are written with) replays a ransom-bot session step by step (list_database_names, the
# collections of the application database, find, drop_database, insert of the note, the note read
# back) with every step asserted as a `command` event (drop/insert tagged as ransom steps, the
# note's text logged); a SCRAM-SHA-256 persona: a wrong password fails with 18 and its proof is
# captured as kind hash, the right one lists databases; nmap -sV names MongoDB and its version;
# garbage on the live socket is closed and counted, then the decky still serves.
set -euo pipefail
BIN="${DECNET_BINARY_DIR:-/work/main/build}/bin/decnet-decky"
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
# The distro python (where apt puts python3-pymongo), not a pyenv shim ahead of it in PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
have() { "$PY" -c 'import pymongo' 2>/dev/null && command -v nmap >/dev/null; }
have || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq python3-pymongo nmap >/dev/null 2>&1; } || true
have || { echo "SKIP: pymongo or nmap missing (packaging/deps/svc_db.txt)"; exit 77; }

dir="$(mktemp -d /tmp/mongodb-clients.XXXXXX)"
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

free_port() { "$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
LOGPORT=$(free_port)
"$PY" - "$LOGPORT" "$dir/events.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
pids+=($!)

start() {  # name port settings-json [netns]
  local pre=()
  [ -n "${4:-}" ] && pre=(ip netns exec "$4")
  echo "$3" > "$dir/$1.json"
  "${pre[@]}" "$BIN" --state-dir "$dir/state" --decky "$1" --distro debian --services mongodb \
    --ports "mongodb=$2" --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "$dir/$1.json" > "$dir/$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    "${pre[@]}" "$PY" -c "import socket;socket.create_connection(('127.0.0.1',$2),1)" 2>/dev/null && return
    sleep 0.1
  done
  fail "$1 did not start: $(cat "$dir/$1.out")"
}
events() { grep -a "$1" "$dir/events.log" || true; }
settle() { sleep 0.3; }
SECONDS=0

PORT=$(free_port)
start mongo-open "$PORT" '{"mongodb": {"version": "4.4.25"}}'

# --- a ransom bot, step by step
"$PY" - "$PORT" > "$dir/bot.out" <<'PY' || fail "bot: $(cat "$dir/bot.out")"
import sys, pymongo
c = pymongo.MongoClient("127.0.0.1", int(sys.argv[1]), serverSelectionTimeoutMS=5000, connect=True)
info = c.server_info()
assert info["version"] == "4.4.25", info
names = c.list_database_names()
apps = [n for n in names if n not in ("admin", "config", "local")]
assert len(apps) == 1, names
app = apps[0]
colls = c[app].list_collection_names()
assert colls, colls
docs = list(c[app][colls[0]].find().limit(10))
assert len(docs) >= 2, docs
c.drop_database(app)
assert app not in c.list_database_names()
note = "All your data is backed up. You must pay 0.02 BTC to bc1qransomexample to restore it."
c["READ__ME_TO_RECOVER_YOUR_DATA"]["README"].insert_one({"content": note})
back = c["READ__ME_TO_RECOVER_YOUR_DATA"]["README"].find_one()
assert back["content"] == note, back
print(app, colls[0])
PY
read -r app coll < "$dir/bot.out"
settle
cmd() { events " mongo-open mongodb - command " | grep "command=\"$1\"" || true; }
cmd listDatabases | grep -q 'db="admin"' || fail "listDatabases not logged"
cmd listCollections | grep -q "db=\"$app\"" || fail "listCollections not logged"
cmd find | grep "db=\"$app\"" | grep -q "collection=\"$coll\"" || fail "find not logged"
cmd dropDatabase | grep "db=\"$app\"" | grep -q 'ransom_step="drop_database"' || fail "dropDatabase not tagged"
cmd insert | grep 'collection="README"' | grep 'ransom_step="insert"' | grep -q 'pay 0.02 BTC' \
  || fail "the note's insert not logged with its text"
cmd buildinfo | grep -q . || cmd buildInfo | grep -q . || fail "buildInfo not logged"
events " mongo-open mongodb - command " | grep -q 'opcode="OP_QUERY"' || fail "the legacy isMaster not seen"
echo "ok (${SECONDS}s): pymongo ransom bot ($app.$coll): listDatabases, listCollections, find, dropDatabase, insert of the note: each an event"

# --- SCRAM-SHA-256
SPORT=$(free_port)
start mongo-scram "$SPORT" '{"mongodb": {"auth": "scram", "users": "admin:Adm1n!"}}'
"$PY" - "$SPORT" > "$dir/scram.out" 2>&1 <<'PY' || fail "scram: $(cat "$dir/scram.out")"
import sys, pymongo
from pymongo.errors import OperationFailure
port = int(sys.argv[1])
def client(pw):
    return pymongo.MongoClient("127.0.0.1", port, username="admin", password=pw,
                               authMechanism="SCRAM-SHA-256", serverSelectionTimeoutMS=5000)
try:
    client("wrong").list_database_names()
    sys.exit("a wrong password logged in")
except OperationFailure as e:
    assert e.code == 18, e.details
assert "admin" in client("Adm1n!").list_database_names()
try:
    pymongo.MongoClient("127.0.0.1", port, serverSelectionTimeoutMS=5000).list_database_names()
    sys.exit("no login listed databases")
except OperationFailure as e:
    assert e.code == 13, e.details
PY
settle
events " mongo-scram mongodb - auth " | grep 'principal="admin"' | grep 'success="false"' \
  | grep 'secret_kind="hash"' | grep -qF 'secret_printable="$mongodb-scram-sha-256$15000$' \
  || fail "the failed proof not captured"
events " mongo-scram mongodb - auth " | grep -q 'success="true"' || fail "the login not logged"
echo "ok (${SECONDS}s): SCRAM-SHA-256: wrong password 18 (proof kept as hash), right one lists databases, none 13"

# --- nmap -sV: its mongodb probe (rarity 8) goes to 27017 at the default intensity, so the decky
# listens there in a network namespace of our own (--version-all on another port takes a minute).
if [ "$(id -u)" -eq 0 ] && ip netns add "mongo-nmap-$$" 2>/dev/null; then
  ns="mongo-nmap-$$"
  ip -n "$ns" link set lo up
  start mongo-nmap 27017 '{"mongodb": {"version": "6.0.12"}}' "$ns"
  scan=$(ip netns exec "$ns" nmap -sV -Pn -p 27017 127.0.0.1 2>&1)
  grep -Eq "27017/tcp +open +mongodb +MongoDB 6\.0\.12" <<<"$scan" || fail "nmap: $scan"
  echo "ok (${SECONDS}s): nmap -sV: $(grep -E '/tcp +open' <<<"$scan")"
else
  echo "skip: nmap (no network namespace)"
fi

# --- garbage on the live socket
"$PY" - "$PORT" <<'PY' || fail "garbage"
import os, socket, struct, sys
port = int(sys.argv[1])
def closed_after(data):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    while True:
        try:
            b = s.recv(4096)
        except ConnectionResetError:
            return
        if not b:
            return
closed_after(struct.pack("<i", -2**31) + b"\0" * 12)          # a 2^31 length
closed_after(struct.pack("<iiii", 64, 1, 0, 2013) + b"\0\0\0\0\0" + b"\xff" * 43)  # bad BSON
closed_after(struct.pack("<iiii", 32, 1, 0, 7777) + b"\0" * 16)  # an unknown opcode
for _ in range(10):
    closed_after(struct.pack("<i", 200) + os.urandom(196))
PY
settle
events " mongo-open mongodb - limit " | grep -q 'reason="message_length"' || fail "2^31 length not logged"
events " mongo-open mongodb - malformed " | grep -q 'reason="bson_' || fail "bad BSON not logged"
"$PY" - "$PORT" <<'PY' || fail "decky stopped serving after garbage"
import sys, pymongo
assert pymongo.MongoClient("127.0.0.1", int(sys.argv[1]), serverSelectionTimeoutMS=5000).admin.command("ping")["ok"] == 1
PY
echo "ok (${SECONDS}s): garbage (2^31 length, bad BSON, unknown opcode, random) closed and logged; decky still serving"
! grep -aiq 'decnet\|decky\|honeypot' "$dir/bot.out" || fail "the wire names the honeypot"
echo PASS
