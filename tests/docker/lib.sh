# Shared by the Docker script tests: a private dockerd (Debian docker.io) on its own socket.
#   source tests/docker/lib.sh; docker_start; ...; (stopped at exit)
# The data root is <build>/docker-data and is kept between runs, so the decky image is built once per
# build dir (docker_decky_image reuses it while its content is unchanged). The exec root is a short
# /tmp dir: containerd's shim sockets live under it and a UNIX socket path holds 108 bytes. Tests that
# share the data root take turns (flock). The daemon never touches the host firewall or forwarding
# (--iptables=false --ip-forward=false --ip-masq=false) and makes no default bridge (--bridge none):
# the only networks are the ones a test's compose file creates, reachable from the host only.
set -euo pipefail
: "${DECNET_BINARY_DIR:?}" "${DECNET_SOURCE_DIR:?}"
DOCKER_DATA="${DECNET_DOCKER_DATA:-$DECNET_BINARY_DIR/docker-data}"
DK_TMP=$(mktemp -d /tmp/dnd.XXXXXX)
export DOCKER_HOST="unix://$DK_TMP/docker.sock"
DK_PID=""
DK_HOOKS=()

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# on_exit CMD...: run at exit before the daemon stops (containers, collectors, ...).
on_exit() { DK_HOOKS+=("$*"); }

dk_cleanup() {
  local rc=$?
  for ((i = ${#DK_HOOKS[@]} - 1; i >= 0; i--)); do eval "${DK_HOOKS[$i]}" >/dev/null 2>&1 || true; done
  if [[ -n "$DK_PID" ]]; then
    docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network prune -f >/dev/null 2>&1 || true
    kill -TERM "$DK_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$DK_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$DK_PID" 2>/dev/null || true
  fi
  rm -rf "$DK_TMP" 2>/dev/null || true
  exit $rc
}
trap dk_cleanup EXIT

docker_start() {
  if ! command -v dockerd >/dev/null; then
    [[ $(id -u) == 0 ]] || skip "dockerd is not installed and we are not root to install docker.io"
    echo "installing docker.io (Debian) for a private dockerd"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null \
      || fail "cannot install docker.io"
  fi
  [[ $(id -u) == 0 ]] || skip "dockerd needs root (no rootless engine here)"
  mkdir -p "$DOCKER_DATA"
  exec 9>"$DOCKER_DATA.lock"
  flock -w 600 9 || fail "another test holds $DOCKER_DATA for 10 minutes"
  dockerd --data-root "$DOCKER_DATA" --exec-root "$DK_TMP/x" -H "$DOCKER_HOST" \
    --pidfile "$DK_TMP/dockerd.pid" --bridge none --iptables=false --ip-forward=false --ip-masq=false \
    --log-level warn >"$DK_TMP/dockerd.log" 2>&1 &
  DK_PID=$!
  for _ in $(seq 150); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$DK_PID" 2>/dev/null || break
    sleep 0.2
  done
  if ! docker info >/dev/null 2>&1; then
    tail -5 "$DK_TMP/dockerd.log" >&2
    local reason
    reason=$(grep -iE "level=(fatal|error)" "$DK_TMP/dockerd.log" | tail -1 | cut -c1-200)
    skip "dockerd cannot start on this machine: ${reason:-no daemon socket after 30 s}"
  fi
  # What an earlier run that was killed left behind in the kept data root.
  docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network prune -f >/dev/null 2>&1 || true
}

# The compose CLI: the plugin, else Debian's docker-compose.
compose_cmd() {
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
      || fail "cannot install docker-compose"
    COMPOSE=(docker-compose)
  fi
}

# The CLI and the decky of this build.
DECNET="$DECNET_BINARY_DIR/bin/decnet"
DECKY_BIN="$DECNET_BINARY_DIR/bin/decnet-decky"

# docker_decky_image: builds decnet/decky:<version> and :latest from this build's decnet-decky (kept in
# the data root; rebuilt only when the executable or a library changed). Sets DECKY_IMAGE_JSON.
docker_decky_image() {
  [[ -x "$DECNET" ]] || fail "$DECNET not built"
  [[ -x "$DECKY_BIN" ]] || fail "$DECKY_BIN not built"
  DECKY_IMAGE_JSON=$("$DECNET" images build --decky-bin "$DECKY_BIN" \
    --work-dir "$DECNET_BINARY_DIR/docker-images" --json) || fail "decnet images build"
}
