# Shared by the client scripts of the service families (sourced, not run): the decky under test, the
# protocol's own tools installed on demand, a scratch dir removed on exit together with every process
# and network namespace the script started, and the UDP event sink a decky logs to.
#   source "$(dirname "$0")/../lib.sh"
#   svc_require "<apt packages>" tool...   # SKIP (77) when a tool is still missing
#   svc_scratch <name>                     # sets $dir; pids+=(...) and ns=... are cleaned up on exit
#   svc_event_sink                         # sets $LOGPORT; events land in $dir/events.log

BIN="${DECNET_BINARY_DIR:-/work/main/build}/bin/decnet-decky"
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }

svc_require() {
  local packages=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq $packages >/dev/null 2>&1; } || true
    command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (apt: $packages)"; exit 77; }
  done
}

pids=()
ns=""
svc_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true
  [ -n "${dir:-}" ] && rm -rf "$dir"
}

svc_scratch() {
  dir="$(mktemp -d "/tmp/$1.XXXXXX")"
  trap svc_cleanup EXIT
}

fail() { echo "FAIL: $*"; echo "--- events"; tail -n 40 "$dir/events.log" 2>/dev/null; exit 1; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# One syslog datagram per line into $dir/events.log.
svc_event_sink() {
  LOGPORT=$(free_port)
  python3 - "$LOGPORT" "$dir/events.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
  pids+=($!)
}

# The logged events whose line contains $1, and the value of SD-PARAM $1 on stdin's lines.
events() { grep -a "$1" "$dir/events.log" || true; }
param() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p"; }
