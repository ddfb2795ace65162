#!/usr/bin/env bash
# File transfer over the ssh service of a real decnet-decky, with OpenSSH's own clients on
# 127.0.0.1: `sftp -b` (put, ls -l showing the upload, get of it back, mkdir/rename/rm) and
# `scp -O` (one file, and -r of a directory), scp in SFTP mode, paramiko, a non-root user; each
# upload checked as a file_upload event and as the stored artifact, by sha256 against the local
# file. Exits 77 when the decky has no ssh service.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
svc_require "openssh-client sshpass python3" ssh sftp scp sshpass python3
svc_scratch ssh-files
fail() { echo "FAIL: $*"; echo "--- events"; tail -n 30 "$dir/events.log" 2>/dev/null; \
         echo "--- decky"; tail -n 20 "$dir/decky.out" 2>/dev/null; exit 1; }
svc_event_sink

PORT=$(free_port)
printf '{"ssh": {"accept": "list", "users": "root:hunter2,alice:wonderland"}}\n' > "$dir/settings.json"
"$BIN" --state-dir "$dir/state" --decky files-01 --services ssh --ports "ssh=$PORT" \
  --bind 127.0.0.1 --fleet-seed test --log-target "udp:127.0.0.1:$LOGPORT" \
  --settings "$dir/settings.json" > "$dir/decky.out" 2>&1 &
decky=$!
pids+=($decky)
banner=""
for _ in $(seq 100); do
  kill -0 "$decky" 2>/dev/null || break
  banner=$(python3 - "$PORT" 2>/dev/null <<'EOF' || true
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
print(s.recv(256).decode(errors="replace").strip())
EOF
)
  [ -n "$banner" ] && break
  sleep 0.1
done
case "$banner" in
  SSH-2.0-*) echo "ok: decky speaks $banner" ;;
  *) echo "SKIP: this decnet-decky has no ssh service yet ($(tail -n 1 "$dir/decky.out"))"; exit 77 ;;
esac

SSHOPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
         -o PubkeyAuthentication=no -o PreferredAuthentications=password -o ConnectTimeout=10)
events() { grep -a " ssh - $1 " "$dir/events.log" || true; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# The upload of `file` as `protocol` arrived whole: an event with its sha256 and size, and the
# stored artifact with the same bytes.
check_upload() {
  local protocol=$1 path=$2 file=$3 want ev
  want=$(sha "$file")
  for _ in $(seq 30); do
    ev=$(events file_upload | grep "protocol=\"$protocol\"" | grep "path=\"$path\"" | tail -n 1)
    [ -n "$ev" ] && break
    sleep 0.1
  done
  [ -n "$ev" ] || fail "$protocol: no file_upload event for $path"
  [ "$(param sha256 <<<"$ev")" = "$want" ] || fail "$protocol $path: sha256 $(param sha256 <<<"$ev") != $want"
  [ "$(param size <<<"$ev")" = "$(stat -c %s "$file")" ] || fail "$protocol $path: size in $ev"
  local stored="$dir/state/deckies/files-01/artifacts/$want"
  [ -f "$stored" ] || fail "$protocol $path: artifact $want not stored"
  [ "$(sha "$stored")" = "$want" ] || fail "$protocol $path: stored artifact differs"
}

# --- sftp -b: put, ls -l, get back, mkdir, rename, rm
head -c 300000 /dev/urandom > "$dir/payload.bin"
printf '#!/bin/sh\necho pwned %s\n' "$RANDOM" > "$dir/run.sh"
cat > "$dir/batch" <<EOF
pwd
put $dir/payload.bin /tmp/payload.bin
put $dir/run.sh
ls -l /tmp
get /tmp/payload.bin $dir/back.bin
mkdir /tmp/kit
rename /root/run.sh /tmp/kit/run.sh
ls -l /tmp/kit
rm /tmp/kit/run.sh
rmdir /tmp/kit
EOF
# sftp -b implies BatchMode=yes, which would never send the password.
out=$(timeout 60 sshpass -p hunter2 sftp "${SSHOPTS[@]}" -o BatchMode=no -P "$PORT" -b "$dir/batch" root@127.0.0.1 2>&1) \
  || fail "sftp -b: $out"
grep -q 'Remote working directory: /root' <<<"$out" || fail "sftp pwd: $out"
# (sftp 9.2 formats ls -l itself when the server offers users-groups-by-id: "?" links, as with sshd)
grep -Eq '^-rw-r--r-- +\? root +root +300000 [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{5} /tmp/payload.bin$' \
  <<<"$out" || fail "sftp ls -l: $out"
grep -q 'systemd-private-' <<<"$out" || fail "sftp ls of /tmp without its usual entries: $out"
grep -q 'run.sh' <<<"$out" || fail "renamed file not listed: $out"
cmp -s "$dir/payload.bin" "$dir/back.bin" || fail "sftp get of the upload differs"
check_upload sftp /tmp/payload.bin "$dir/payload.bin"
check_upload sftp /root/run.sh "$dir/run.sh"
echo "ok: sftp -b put/ls/get/mkdir/rename/rm; 2 uploads stored with their sha256"

# --- scp -O: one file, then a directory with -r
head -c 123457 /dev/urandom > "$dir/tool.bin"
mkdir -p "$dir/tree/sub"
printf 'a\n' > "$dir/tree/a.txt"
head -c 5000 /dev/urandom > "$dir/tree/sub/b.bin"
timeout 60 sshpass -p hunter2 scp -O "${SSHOPTS[@]}" -P "$PORT" "$dir/tool.bin" root@127.0.0.1:/tmp/ \
  > "$dir/scp.out" 2>&1 || fail "scp -O: $(cat "$dir/scp.out")"
check_upload scp /tmp/tool.bin "$dir/tool.bin"
timeout 60 sshpass -p hunter2 scp -O -r -p "${SSHOPTS[@]}" -P "$PORT" "$dir/tree" root@127.0.0.1:/tmp/ \
  > "$dir/scp.out" 2>&1 || fail "scp -O -r: $(cat "$dir/scp.out")"
check_upload scp /tmp/tree/a.txt "$dir/tree/a.txt"
check_upload scp /tmp/tree/sub/b.bin "$dir/tree/sub/b.bin"
echo "ok: scp -O (file, -r -p directory); 3 uploads stored with their sha256"

# A target that does not exist is refused as scp's remote side says it.
if err=$(timeout 30 sshpass -p hunter2 scp -O "${SSHOPTS[@]}" -P "$PORT" "$dir/run.sh" \
         root@127.0.0.1:/nonexistent/dir/ 2>&1); then
  fail "scp into a missing directory succeeded: $err"
fi
grep -q '^scp: /nonexistent/dir/: No such file or directory' <<<"$err" || fail "scp error text: $err"
echo "ok: scp into a missing directory: $(tr -d '\r' <<<"$err" | tail -n 1)"

# --- paramiko (what many bots script): put with its size confirmation, listdir, get back
PY=/usr/bin/python3
"$PY" -c 'import paramiko' 2>/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq python3-paramiko >/dev/null 2>&1; } || true
if "$PY" -c 'import paramiko' 2>/dev/null; then
  head -c 200000 /dev/urandom > "$dir/bot.bin"
  "$PY" - "$PORT" "$dir/bot.bin" "$dir/bot.back" <<'EOF' || fail "paramiko sftp"
import sys, paramiko
port, local, back = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = paramiko.SSHClient()
c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
c.connect("127.0.0.1", port=port, username="root", password="hunter2", look_for_keys=False,
          allow_agent=False, timeout=10)
s = c.open_sftp()
attrs = s.put(local, "/tmp/bot.bin")  # confirm=True: stats the file after the upload
assert attrs.st_size == 200000, attrs
assert "bot.bin" in s.listdir("/tmp"), s.listdir("/tmp")
assert s.normalize(".") == "/root"
s.get("/tmp/bot.bin", back)
c.close()
EOF
  cmp -s "$dir/bot.bin" "$dir/bot.back" || fail "paramiko get differs"
  check_upload sftp /tmp/bot.bin "$dir/bot.bin"
  echo "ok: paramiko put (confirmed by stat), listdir, normalize, get"
else
  echo "note: python3-paramiko not installed, skipped that client"
fi

# --- scp without -O (OpenSSH 9's default: the sftp subsystem), and a user who is not root
timeout 60 sshpass -p hunter2 scp "${SSHOPTS[@]}" -P "$PORT" "$dir/tool.bin" root@127.0.0.1:/tmp/sftpmode.bin \
  > "$dir/scp.out" 2>&1 || fail "scp (sftp mode): $(cat "$dir/scp.out")"
check_upload sftp /tmp/sftpmode.bin "$dir/tool.bin"
if err=$(timeout 30 sshpass -p wonderland scp -O "${SSHOPTS[@]}" -P "$PORT" "$dir/run.sh" \
         alice@127.0.0.1:/root/ 2>&1); then
  fail "alice could scp into /root: $err"
fi
grep -q '^scp: /root//run.sh: Permission denied' <<<"$err" || fail "alice's scp error: $err"
timeout 30 sshpass -p wonderland scp -O "${SSHOPTS[@]}" -P "$PORT" "$dir/run.sh" alice@127.0.0.1: \
  > "$dir/scp.out" 2>&1 || fail "alice's scp into her home: $(cat "$dir/scp.out")"
check_upload scp /home/alice/run.sh "$dir/run.sh"
echo "ok: scp in SFTP mode; alice refused in /root, stored in /home/alice"
kill -0 "$decky" || fail "decky died"
echo "PASS"
