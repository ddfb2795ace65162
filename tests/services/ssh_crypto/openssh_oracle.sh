#!/usr/bin/env bash
# OpenSSH's client judges our sntrup761 and UMAC now, before the decky's ssh exists:
# openssh_oracle.py is a one-connection SSH server whose KEM encapsulation and MAC tags come from
# svc_ssh_crypto_tool. Per MAC (umac-64-etm, umac-128-etm, umac-64, umac-128): the client must accept
# the exchange (same sntrup761 key, else the host signature fails), our tags on its packets must
# match (server side), and it must accept ours ("SERVICE_ACCEPT received", else "Corrupted MAC").
# Two negative controls show the client does judge: a flipped KEM key bit and a flipped tag bit.
set -euo pipefail
TOOL="${DECNET_BINARY_DIR:-/work/main/build}/tests/services/ssh_crypto/svc_ssh_crypto_tool"
[ -x "$TOOL" ] || { echo "SKIP: $TOOL not built"; exit 77; }
here="$(cd "$(dirname "$0")" && pwd)"
command -v ssh >/dev/null && python3 -c 'import cryptography' 2>/dev/null || {
  [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq openssh-client python3-cryptography >/dev/null 2>&1 || true; }
command -v ssh >/dev/null || { echo "SKIP: ssh missing"; exit 77; }
python3 -c 'import cryptography' 2>/dev/null || { echo "SKIP: python3-cryptography missing"; exit 77; }

dir="$(mktemp -d /tmp/ssh-oracle.XXXXXX)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL ($mac): $*"; echo "--- server"; cat "$dir/server.log"; echo "--- client";
         grep -v "^debug3" "$dir/ssh.log" | tail -25; exit 1; }

# run MAC [BREAK]: one connection; the client's log in $dir/ssh.log, the server's in $dir/server.log.
run() {
  rm -f "$dir/port"
  ORACLE_BREAK="${2:-}" python3 "$here/openssh_oracle.py" "$TOOL" "$dir/port" "$1" > "$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
  [ -s "$dir/port" ] || fail "oracle server did not start"
  ssh -F /dev/null -vv -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=20 -o KexAlgorithms=sntrup761x25519-sha512@openssh.com \
    -o HostKeyAlgorithms=ssh-ed25519 -c aes128-ctr -o MACs="$1" \
    -p "$(cat "$dir/port")" oracle@127.0.0.1 true > "$dir/ssh.log" 2>&1 || true
  wait "$pid" && srv=0 || srv=$?
  pid=""
}

for mac in umac-64-etm@openssh.com umac-128-etm@openssh.com umac-64@openssh.com umac-128@openssh.com; do
  run "$mac"
  [ "$srv" -eq 0 ] || fail "oracle server failed"
  grep -q "kex: algorithm: sntrup761x25519-sha512@openssh.com" "$dir/ssh.log" || fail "sntrup761 not negotiated"
  grep -q "MAC: $mac" "$dir/ssh.log" || fail "$mac not negotiated"
  grep -q "kex ok" "$dir/server.log" || fail "the client rejected the key exchange"
  grep -q "mac ok seq=3" "$dir/server.log" || fail "the client's first UMAC tag was not verified"
  grep -q "SSH2_MSG_SERVICE_ACCEPT received" "$dir/ssh.log" || fail "the client rejected our UMAC tag"
  grep -q "userauth request received" "$dir/server.log" || fail "no second client packet"
  echo "ok: sntrup761x25519 + aes128-ctr + $mac with OpenSSH $(ssh -V 2>&1 | cut -d, -f1)"
done

mac=umac-64-etm@openssh.com
run "$mac" kem
grep -q "incorrect signature" "$dir/ssh.log" || fail "a wrong KEM key was not refused"
grep -q "SSH2_MSG_NEWKEYS received" "$dir/ssh.log" && fail "a wrong KEM key completed the exchange"
run "$mac" mac
grep -q "Corrupted MAC" "$dir/ssh.log" || fail "a wrong UMAC tag was not refused"
grep -q "SSH2_MSG_SERVICE_ACCEPT received" "$dir/ssh.log" && fail "a wrong UMAC tag was accepted"
echo "ok: the client refuses a flipped KEM key bit and a flipped UMAC tag bit"
