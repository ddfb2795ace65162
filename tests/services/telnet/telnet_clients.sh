#!/usr/bin/env bash
# The telnet service of a real decnet-decky against real clients on 127.0.0.1: one decky per product
# (Linux telnetd on debian, BusyBox telnetd on alpine) and one with a short session cap. busybox
# telnet logs in and reaches the shell; hydra's 5 passwords (one non-ASCII) are each a login_attempt
# with the exact bytes; nmap -sV names "Linux telnetd" and "BusyBox telnetd"; raw sockets check the
# negotiation byte for byte and the hostile cases (1 MiB of IAC, an unterminated SB, a 1 MiB line, a
# session that never ends).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
svc_require "nmap hydra python3 busybox" nmap hydra python3 busybox
svc_scratch telnet-clients
# An unknown service makes the decky list the ones it knows, and exit.
known=$(timeout 10 "$BIN" --state-dir "$dir/probe" --decky probe --services no-such-service 2>&1 || true)
if ! grep -q "known: .*telnet" <<<"$known"; then
  echo "SKIP: this decnet-decky does not serve telnet"; exit 77
fi
svc_event_sink

# name distro product extra-args...
declare -A PORT
start() {
  local name=$1 distro=$2 product=$3
  shift 3
  PORT[$name]=$(free_port)
  printf '{"telnet": {"product": "%s", "users": "root:toor", "fail_delay_ms": 200}}\n' "$product" \
    > "$dir/$name.json"
  "$BIN" --state-dir "$dir/state" --decky "$name" --hostname "$name" --distro "$distro" \
    --services telnet --ports "telnet=${PORT[$name]}" --bind 127.0.0.1 --fleet-seed test \
    --log-target "udp:127.0.0.1:$LOGPORT" --settings "$dir/$name.json" "$@" > "$dir/$name.out" 2>&1 &
  pids+=($!)
}
start files-01 debian linux
start cam-01 alpine busybox
start short-01 alpine busybox --max-session 2
for name in files-01 cam-01 short-01; do
  for _ in $(seq 100); do
    python3 -c "import socket,sys;socket.create_connection(('127.0.0.1',int(sys.argv[1])),1)" \
      "${PORT[$name]}" 2>/dev/null && break
    sleep 0.1
  done
done
sleep 0.3


# --- raw sockets: negotiation byte for byte, then the hostile cases
python3 - "${PORT[files-01]}" "${PORT[cam-01]}" "${PORT[short-01]}" <<'EOF' || fail "raw socket checks"
import socket, sys, time
linux, busybox, short = (int(a) for a in sys.argv[1:4])
IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
def iac(*b): return bytes([IAC, *b])
def read(s, until=None, t=3.0):
    s.settimeout(t)
    data = b""
    end = time.monotonic() + t
    while time.monotonic() < end and not (until and until in data):
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data
def closed(s, t=5.0):
    s.settimeout(t)
    try:
        while True:
            c = s.recv(65536)
            if not c:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False

# Linux telnetd: the four DOs, nothing else until answered.
s = socket.create_connection(("127.0.0.1", linux))
first = read(s, t=1.0)
assert first == iac(DO, 24) + iac(DO, 32) + iac(DO, 35) + iac(DO, 39), first
s.sendall(iac(WILL, 24) + iac(WILL, 32) + iac(WONT, 35) + iac(WILL, 39))
sends = read(s, until=iac(SB, 24, 1, IAC, SE))
assert sends == iac(SB, 32, 1, IAC, SE) + iac(SB, 39, 1, IAC, SE) + iac(SB, 24, 1, IAC, SE), sends
s.sendall(iac(SB, 32, 0) + b"38400,38400" + iac(SE) +
          iac(SB, 39, 0, 0) + b"USER" + bytes([1]) + b"admin" + iac(SE) +
          iac(SB, 24, 0) + b"VT100" + iac(SE))
banner = read(s, until=b"Password: ")
assert banner == iac(WILL, 3) + iac(WILL, 1) + iac(DO, 31) + b"Debian GNU/Linux 12\r\nPassword: ", banner
# Character mode on; a repeated request is not answered again; LINEMODE refused.
s.sendall(iac(DO, 3) + iac(DO, 1) + iac(WILL, 31) + iac(DO, 1) + iac(WILL, 34))
assert read(s, t=0.5) == iac(DONT, 34)
s.sendall(iac(246))  # AYT
assert read(s, t=0.5) == b"\r\n[Yes]\r\n"
s.sendall(b"s\xff\xffcret\r\x00")
assert read(s, until=b"login: ") == b"\r\n\r\nLogin incorrect\r\nfiles-01 login: "
s.close()
print("ok: linux negotiation (TTYPE, TSPEED, NEW-ENVIRON USER, AYT, LINEMODE refused)")

# busybox telnetd: its four options and the prompt at once; three failures close.
s = socket.create_connection(("127.0.0.1", busybox))
b = read(s, until=b"login: ")
assert b == iac(DO, 1) + iac(DO, 31) + iac(WILL, 1) + iac(WILL, 3) + b"\r\r\ncam-01 login: ", b
for i in range(3):
    s.sendall(b"admin\r\n")
    assert read(s, until=b"Password: ").endswith(b"Password: ")
    s.sendall(b"bad%d\r\n" % i)
    out = read(s, until=b"login: " if i < 2 else b"incorrect\r\n")
    assert b"Login incorrect\r\n" in out, out
assert closed(s), "busybox: not closed after 3 failures"
print("ok: busybox banner and 3 failures close")

# Hostile: 1 MiB of IAC, an unterminated SB, a 1 MiB line: each connection is closed by the bound.
for name, payload in (("IAC flood", b"\xff" * (1 << 20)),
                      ("unterminated SB", iac(SB, 31) + b"x" * (1 << 20)),
                      ("1 MiB line", b"A" * (1 << 20))):
    s = socket.create_connection(("127.0.0.1", busybox))
    read(s, until=b"login: ")
    try:
        s.sendall(payload)
    except (ConnectionResetError, BrokenPipeError):
        pass
    assert closed(s), name + ": not closed"
    print("ok: " + name + " closed")
# Stray commands and garbage never break the session: the prompt still answers.
s = socket.create_connection(("127.0.0.1", busybox))
read(s, until=b"login: ")
s.sendall(iac(SE) + iac(241) + iac(SB) + iac(249) + bytes([IAC, 0]) + iac(DONT, 200) +
          iac(WONT, 7) + b"\r\x00root\r\n")
assert read(s, until=b"Password: ").endswith(b"Password: ")
s.close()
print("ok: stray commands")
# A session that never ends (a byte every 0.4 s keeps it from idling) is closed by max_session.
s = socket.create_connection(("127.0.0.1", short))
read(s, until=b"login: ")
start, gone = time.monotonic(), False
while time.monotonic() - start < 8 and not gone:
    try:
        s.sendall(b"a")
    except (ConnectionResetError, BrokenPipeError):
        gone = True
        break
    gone = closed(s, 0.4)
assert gone, "never-ending session not closed"
print("ok: never-ending session closed by max_session")
EOF
sleep 0.3
events " short-01 telnet - disconnect " | grep -q 'reason="duration"' \
  || fail "the never-ending session was not closed for its duration: $(events short-01 | tail -n 2)"
# The password with an IAC (sent doubled) is logged as its exact bytes.
events " files-01 telnet - login_attempt " | grep 'principal="admin"' \
  | grep -q "secret_b64=\"$(printf 's\xffcret' | base64)\"" || fail "IAC in password not logged exactly"

# --- busybox telnet: a real client logs in and runs a command in the shell
( sleep 1; printf 'root\r'; sleep 0.5; printf 'toor\r'; sleep 1.5; printf 'echo telnet-ok\r'; sleep 1;
  printf 'exit\r'; sleep 0.5 ) | timeout 15 busybox telnet 127.0.0.1 "${PORT[files-01]}" \
  > "$dir/bbtelnet.out" 2>&1 || true
sleep 0.3
events " files-01 telnet - login_attempt " | grep 'principal="root"' | grep -q 'success="true"' \
  || fail "busybox telnet: no successful login_attempt: $(cat -v "$dir/bbtelnet.out")"
grep -aq 'files-01 login: ' "$dir/bbtelnet.out" || fail "busybox telnet saw no prompt"
grep -aq 'telnet-ok' "$dir/bbtelnet.out" || fail "shell did not run echo: $(cat -v "$dir/bbtelnet.out")"
events " files-01 telnet - terminal_type " | grep -q 'term=' || fail "no terminal_type from busybox telnet"
events " files-01 telnet - command " | grep -q 'input="echo telnet-ok"' || fail "the shell logged no command"
echo "ok: busybox telnet login, shell command, terminal type"

# --- hydra: every password tried is a login_attempt with its exact bytes
printf '123456\npassword\nt\xc3\xabst\nadmin\nletmein\n' > "$dir/pw.txt"
before=$(events " files-01 telnet - login_attempt " | wc -l)
# -c 1 (a second between attempts): without it hydra 9.4's child sometimes asks for its next pair
# before the parent has handed it over and sends an empty login name, which the re-prompt answers
# and hydra counts as a tried pair: passwords it counts never reach the wire (seen with strace).
timeout 120 hydra -c 1 -l root -P "$dir/pw.txt" -t 1 -s "${PORT[files-01]}" 127.0.0.1 telnet \
  > "$dir/hydra.out" 2>&1 || fail "hydra: $(cat "$dir/hydra.out")"
sleep 0.3
grep -q '0 valid password' "$dir/hydra.out" || fail "hydra found a password: $(cat "$dir/hydra.out")"
attempts=$(events " files-01 telnet - login_attempt " | tail -n +"$((before + 1))")
while IFS= read -r pw; do
  b64=$(printf '%s' "$pw" | base64)
  grep 'principal="root"' <<<"$attempts" | grep 'success="false"' | grep -q "secret_b64=\"$b64\"" \
    || fail "hydra password '$pw' ($b64) not logged byte for byte"
done < "$dir/pw.txt"
echo "ok: hydra's 5 passwords logged (secret_b64), incl. tëst"

# --- nmap -sV names each product
scan=$(nmap -sV -Pn -n -p "${PORT[files-01]},${PORT[cam-01]}" 127.0.0.1 2>&1)
echo "$scan" | grep -E '^[0-9]+/tcp'
grep -Eq "^${PORT[files-01]}/tcp +open +telnet +Linux telnetd" <<<"$scan" || fail "nmap Linux: $scan"
grep -Eq "^${PORT[cam-01]}/tcp +open +telnet +BusyBox telnetd" <<<"$scan" || fail "nmap BusyBox: $scan"
echo "ok: nmap names Linux telnetd and BusyBox telnetd"

for p in "${pids[@]:1}"; do kill -0 "$p" || fail "a decky died"; done
echo "PASS"
