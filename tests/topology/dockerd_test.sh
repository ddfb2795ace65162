#!/usr/bin/env bash
# A dry-run plan applied for real with a tiny locally built image, then torn down leaving nothing behind.
# Needs a Docker engine: uses a running one, or starts dockerd when installed and we are root; otherwise
# prints SKIP with the reason (no engine can run on this kind of machine: no root, no cgroups/overlay).
source "$(dirname "$0")/lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
command -v docker >/dev/null 2>&1 || skip "no docker CLI installed"
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || skip "no Docker engine reachable and dockerd is not installed (no engine can run on this kind of machine)"
  [[ $(id -u) == 0 ]] || skip "no Docker engine reachable and not root to start dockerd"
  dockerd --data-root "$WORK/docker" --exec-root "$WORK/exec" -H "unix://$WORK/docker.sock" \
    --pidfile "$WORK/dockerd.pid" >"$WORK/dockerd.log" 2>&1 &
  export DOCKER_HOST="unix://$WORK/docker.sock"
  for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { kill "$(cat "$WORK/dockerd.pid")" 2>/dev/null || true; skip "dockerd did not start here (see its log): no engine can run on this kind of machine"; }
  trap 'kill "$(cat "$WORK/dockerd.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT
fi
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || skip "no docker compose"
busybox=$(command -v busybox || true)
[[ -n "$busybox" ]] && file -L "$busybox" | grep -q static || skip "busybox-static not installed (tiny image source)"

# The tiny image: a static busybox, used as base and as every service image.
mkdir -p "$WORK/img/bin"
cp "$busybox" "$WORK/img/bin/busybox"
for a in sh sleep; do ln -s busybox "$WORK/img/bin/$a"; done
printf 'FROM scratch\nCOPY bin /bin\nCMD ["/bin/sleep","infinity"]\n' >"$WORK/img/Dockerfile"
docker build -q -t decnet-test/ssh:latest "$WORK/img" >/dev/null
docker tag decnet-test/ssh:latest decnet-test/base:latest

expect_rc 0 "$DECNET" topology generate --name dtest --seed 5 --depth 1 --branching 1 --services ssh --no-publish
expect_rc 0 "$DECNET" topology deploy dtest --image-prefix decnet-test --base-image decnet-test/base:latest
docker ps --filter label=decnet.scope=decnet-dtest --format '{{.Names}}' | grep -q decnet-dtest-decky-001 || fail "not running"
expect_rc 0 "$DECNET" topology teardown dtest
left=$(docker ps -a --filter label=decnet.scope=decnet-dtest -q; docker network ls --filter label=decnet.scope=decnet-dtest -q)
[[ -z "$left" ]] || fail "teardown left: $left"
docker rmi decnet-test/ssh:latest decnet-test/base:latest >/dev/null
echo PASS
