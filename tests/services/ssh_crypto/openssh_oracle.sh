#!/usr/bin/env bash
# OpenSSH's client judges our sntrup761 and UMAC now, before the decky's ssh exists:
# openssh_oracle.py is a one-connection SSH server whose KEM encapsulation and MAC tags come from
# svc_ssh_crypto_tool. Per MAC (umac-64-etm, umac-128-etm, umac-64, umac-128): the client must accept
# the exchange (same sntrup761 key, else the host signature fails), our tags on its packets must
# match (server side), and it must accept ours ("SERVICE_ACCEPT received", else "Corrupted MAC").
# Two negative controls show the client does judge: a flipped KEM key bit and a flipped tag bit.
# Then the other direction against OpenSSH's sshd on 127.0.0.1 (when it can run): our key pair and
# decapsulation of sshd's ciphertext (its host signature must verify over our exchange hash), our tag
# accepted by sshd and sshd's tag verified by us; the same two negative controls.
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

# --- against sshd: we are the client
SSHD=/usr/sbin/sshd
if [ ! -x "$SSHD" ] || [ "$(id -u)" -ne 0 ] || ! command -v ssh-keygen >/dev/null; then
  echo "note: sshd part skipped (needs root and openssh-server)"; exit 0
fi
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey"
SPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $SPORT
HostKey $dir/hostkey
PidFile $dir/sshd.pid
UsePAM no
StrictModes no
HostKeyAlgorithms ssh-ed25519
KexAlgorithms sntrup761x25519-sha512@openssh.com
Ciphers aes128-ctr
MACs umac-64-etm@openssh.com,umac-128-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com
CONF
"$SSHD" -D -e -f "$dir/sshd_config" > "$dir/sshd.log" 2>&1 &
sshd_pid=$!
trap 'kill $sshd_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do
  python3 -c "import socket;socket.create_connection(('127.0.0.1',$SPORT),1)" 2>/dev/null && break
  sleep 0.05
done
cfail() { echo "FAIL ($mac, client): $*"; echo "--- oracle"; cat "$dir/client.log"; echo "--- sshd";
          tail -15 "$dir/sshd.log"; exit 1; }
for mac in umac-64-etm@openssh.com umac-128-etm@openssh.com umac-64@openssh.com umac-128@openssh.com; do
  python3 "$here/openssh_oracle.py" "$TOOL" --connect "$SPORT" "$mac" > "$dir/client.log" 2>&1 ||
    cfail "oracle client failed"
  grep -q "kex ok" "$dir/client.log" || cfail "no key exchange"
  grep -q "mac ok seq=3" "$dir/client.log" || cfail "sshd's UMAC tag not verified"
  grep -q "service accepted" "$dir/client.log" || cfail "sshd did not accept our tag"
  echo "ok: sshd encapsulated to our sntrup761 key and agreed on UMAC $mac"
done
mac=umac-64-etm@openssh.com
ORACLE_BREAK=kem python3 "$here/openssh_oracle.py" "$TOOL" --connect "$SPORT" "$mac" > "$dir/client.log" 2>&1 &&
  cfail "a flipped KEM key bit still verified sshd's signature"
grep -q "signature does not verify" "$dir/client.log" || cfail "a flipped KEM key bit failed otherwise"
r=0; ORACLE_BREAK=mac python3 "$here/openssh_oracle.py" "$TOOL" --connect "$SPORT" "$mac" > "$dir/client.log" 2>&1 || r=$?
[ "$r" -eq 3 ] || cfail "sshd did not drop a flipped UMAC tag (exit $r)"
echo "ok: a flipped KEM key bit breaks sshd's signature; sshd drops a flipped UMAC tag"
