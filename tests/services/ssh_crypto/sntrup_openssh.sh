#!/usr/bin/env bash
# Interoperability oracle for sntrup761: OpenSSH's own client, restricted to
# sntrup761x25519-sha512@openssh.com, runs the key exchange against a real decnet-decky's ssh. The
# exchange is complete when the client accepts the server's NEWKEYS (the shared secret, hence the
# encapsulation, agreed; a wrong key fails the host signature check or the first MAC). Exit 77 while
# the decky serves no ssh or does not offer the algorithm yet.
set -euo pipefail
BIN="${DECNET_BINARY_DIR:-/work/main/build}/bin/decnet-decky"
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
for tool in ssh python3; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq openssh-client python3 >/dev/null 2>&1; } || true
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
# KEX: the client's KexAlgorithms list; SSH_EXTRA: more client options; EXPECT: a line the client's
# -vv log must also show (umac_openssh.sh: the negotiated MAC).
KEX="${KEX:-sntrup761x25519-sha512@openssh.com}"
SSH_EXTRA=(${SSH_EXTRA:-})
EXPECT="${EXPECT:-kex: algorithm: $KEX}"

dir="$(mktemp -d /tmp/ssh-crypto.XXXXXX)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$BIN" --state-dir "$dir/state" --decky ssh-crypto --services ssh --ports "ssh=$PORT" --bind 127.0.0.1 \
  --fleet-seed test --log-target stdout > "$dir/decky.out" 2>&1 &
pid=$!
up=0
for _ in $(seq 100); do
  kill -0 "$pid" 2>/dev/null || break
  python3 -c "import socket;socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null && { up=1; break; }
  sleep 0.1
done
if [ "$up" -ne 1 ]; then
  echo "SKIP: the decky serves no ssh yet"; sed -n 1,5p "$dir/decky.out"; exit 77
fi

# BatchMode: no password prompt; authentication fails after the key exchange, which is all we test.
ssh -vv -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o ConnectTimeout=10 -o KexAlgorithms="$KEX" "${SSH_EXTRA[@]}" -p "$PORT" root@127.0.0.1 true \
  > "$dir/ssh.log" 2>&1 || true
if grep -q "no matching key exchange method\|no matching MAC found\|no matching cipher found" "$dir/ssh.log"; then
  echo "SKIP: the decky's ssh does not offer $KEX ${SSH_EXTRA[*]} yet"; exit 77
fi
grep -q "$EXPECT" "$dir/ssh.log" || { echo "FAIL: no '$EXPECT'"; tail -20 "$dir/ssh.log"; exit 1; }
grep -q "SSH2_MSG_NEWKEYS received" "$dir/ssh.log" || { echo "FAIL: key exchange did not complete"; tail -20 "$dir/ssh.log"; exit 1; }
# After NEWKEYS the client sends SERVICE_REQUEST under the new keys; an answer proves both sides
# derived the same keys (a wrong secret or MAC gives "Corrupted MAC" or a disconnect instead).
grep -q "SSH2_MSG_SERVICE_ACCEPT received\|Authentications that can continue" "$dir/ssh.log" || {
  echo "FAIL: nothing readable after NEWKEYS"; tail -20 "$dir/ssh.log"; exit 1; }
echo "PASS: OpenSSH completed $KEX ${SSH_EXTRA[*]} with the decky"
