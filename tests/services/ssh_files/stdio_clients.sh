#!/usr/bin/env bash
# OpenSSH's own sftp and scp against the SFTP server and the scp sink, with no SSH transport in
# between: `sftp -D` runs ssh_files_stdio as its server program, `scp -O -S` runs it as its "ssh".
# Checks what the clients print (pwd, ls -l, errors) and that every upload's file_upload event and
# stored artifact have the local file's sha256.
set -euo pipefail
DRIVER="${DECNET_BINARY_DIR:-/work/main/build}/tests/services/ssh_files/ssh_files_stdio"
[ -x "$DRIVER" ] || { echo "SKIP: $DRIVER not built"; exit 77; }
for tool in sftp scp; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq openssh-client >/dev/null 2>&1; } || true
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done

dir="$(mktemp -d /tmp/ssh-files-stdio.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/artifacts"
export SSH_FILES_EVENTS="$dir/events.log" SSH_FILES_ARTIFACTS="$dir/artifacts"
fail() { echo "FAIL: $*"; echo "--- events"; tail -n 20 "$dir/events.log" 2>/dev/null; exit 1; }
param() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
check_upload() {
  local protocol=$1 path=$2 file=$3 want ev
  want=$(sha "$file")
  ev=$(grep -a ' file_upload ' "$dir/events.log" | grep "protocol=\"$protocol\"" \
       | grep "path=\"$path\"" | tail -n 1)
  [ -n "$ev" ] || fail "$protocol: no file_upload event for $path"
  [ "$(param sha256 <<<"$ev")" = "$want" ] || fail "$protocol $path: sha256 differs: $ev"
  [ "$(param size <<<"$ev")" = "$(stat -c %s "$file")" ] || fail "$protocol $path: size: $ev"
  [ -f "$dir/artifacts/$want" ] || fail "$protocol $path: artifact not stored"
  [ "$(sha "$dir/artifacts/$want")" = "$want" ] || fail "$protocol $path: stored bytes differ"
}

# --- sftp: put (pipelined 32 KiB writes), put -r, ls -l, get back, mkdir, rename, rm, refusals
head -c 300000 /dev/urandom > "$dir/payload.bin"
mkdir -p "$dir/tree/sub"
printf 'a\n' > "$dir/tree/a.txt"
head -c 5000 /dev/urandom > "$dir/tree/sub/b.bin"
printf '#!/bin/sh\necho hi %s\n' "$RANDOM" > "$dir/run.sh"
cat > "$dir/batch" <<EOF
pwd
put $dir/payload.bin /tmp/payload.bin
put $dir/run.sh
put -r $dir/tree /tmp/ptree
ls -l /tmp
ls -la
get /tmp/payload.bin $dir/back.bin
mkdir /tmp/kit
rename run.sh /tmp/kit/run.sh
ls -l /tmp/kit
rm /tmp/kit/run.sh
rmdir /tmp/kit
-get /etc/shadow $dir/shadow
EOF
out=$(timeout 60 sftp -D "$DRIVER" -b "$dir/batch" 2>&1) || fail "sftp -b: $out"
echo "$out" | sed 's/^/  | /' | head -n 40
grep -q '^Remote working directory: /root$' <<<"$out" || fail "pwd"
# (sftp 9.2 formats ls -l itself when the server offers users-groups-by-id: "?" links, as with sshd)
grep -Eq '^-rw-r--r-- +\? root +root +300000 [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{5} /tmp/payload.bin$' \
  <<<"$out" || fail "ls -l does not show the upload"
grep -q 'systemd-private-' <<<"$out" || fail "ls -l /tmp without systemd's directories"
grep -q '\.bashrc' <<<"$out" || fail "ls -la of the home without .bashrc"
grep -q 'run.sh' <<<"$out" || fail "renamed file not listed"
grep -q 'not found' <<<"$out" || fail "get /etc/shadow not refused: $out"
cmp -s "$dir/payload.bin" "$dir/back.bin" || fail "sftp get of the upload differs"
check_upload sftp /tmp/payload.bin "$dir/payload.bin"
check_upload sftp /root/run.sh "$dir/run.sh"
check_upload sftp /tmp/ptree/sub/b.bin "$dir/tree/sub/b.bin"
echo "ok: sftp put, put -r, ls -l, get, mkdir, rename, rm with OpenSSH's client; uploads by sha256"

# --- scp -O: one file, a directory with -r -p, and a missing target directory
head -c 123457 /dev/urandom > "$dir/tool.bin"
timeout 60 scp -O -S "$DRIVER" "$dir/tool.bin" decky:/tmp/ > "$dir/scp.out" 2>&1 \
  || fail "scp -O: $(cat "$dir/scp.out")"
check_upload scp /tmp/tool.bin "$dir/tool.bin"
timeout 60 scp -O -r -p -S "$DRIVER" "$dir/tree" decky:/tmp/ > "$dir/scp.out" 2>&1 \
  || fail "scp -O -r -p: $(cat "$dir/scp.out")"
check_upload scp /tmp/tree/a.txt "$dir/tree/a.txt"
check_upload scp /tmp/tree/sub/b.bin "$dir/tree/sub/b.bin"
if err=$(timeout 60 scp -O -S "$DRIVER" "$dir/run.sh" decky:/nonexistent/dir/ 2>&1); then
  fail "scp into a missing directory succeeded"
fi
grep -q '^scp: /nonexistent/dir/: No such file or directory' <<<"$err" || fail "scp error: $err"
if err=$(SSH_FILES_USER=alice timeout 60 scp -O -S "$DRIVER" "$dir/run.sh" decky:/root/ 2>&1); then
  fail "scp into /root as alice succeeded"
fi
# scp joins a directory target and the file name with a '/' of its own: "/root/" + "/" + "run.sh".
grep -q '^scp: /root//run.sh: Permission denied' <<<"$err" || fail "scp error: $err"
echo "ok: scp -O file, -r -p tree (uploads by sha256), errors as scp prints them"

# --- scp without -O: OpenSSH 9's default, the SFTP subsystem underneath
timeout 60 scp -S "$DRIVER" "$dir/tool.bin" decky:/tmp/sftpmode.bin > "$dir/scp.out" 2>&1 \
  || fail "scp (sftp mode): $(cat "$dir/scp.out")"
check_upload sftp /tmp/sftpmode.bin "$dir/tool.bin"
if err=$(timeout 60 scp -S "$DRIVER" "$dir/run.sh" decky:/nonexistent/ 2>&1); then
  fail "scp (sftp mode) to a missing directory succeeded"
fi
grep -q '^scp: dest open "/nonexistent/": Failure' <<<"$err" || fail "scp (sftp mode) error: $err"
echo "ok: scp in SFTP mode (upload by sha256, dest open error as sftp-server gives it)"
echo "PASS"
