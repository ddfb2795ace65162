#!/usr/bin/env bash
# The collector's Docker input against a real dockerd (Debian docker.io): a private daemon on its own
# socket, a container imported from a tiny busybox rootfs that prints RFC 5424 lines, one started
# before the collector (found by the container list) and one after (found by the events stream).
# Prints "SKIP: <reason>" and exits 77 (ctest: skipped) only when no Docker engine can run here (no dockerd binary, or
# the daemon cannot start: no cgroups/overlay/iptables in this kind of VM or container).
set -euo pipefail
BIN="${DECNET_BINARY_DIR:?}/bin"
COLLECTOR="$BIN/decnet-collector"
[[ -x "$COLLECTOR" ]] || { echo "FAIL: $COLLECTOR not built"; exit 1; }
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
  echo "SKIP: dockerd is not installed (Debian docker.io); the Docker input is covered by the decoder unit tests"
  exit 77
fi
BUSYBOX=$(command -v busybox || true)
if [[ -z "$BUSYBOX" ]] || ! file "$BUSYBOX" 2>/dev/null | grep -q static; then
  echo "FAIL: a static busybox is needed for the test image (apt-get install busybox-static)"
  exit 1
fi
TMP=$(mktemp -d /tmp/decnet-docker-it.XXXXXX)
SOCK="$TMP/docker.sock"
DPID=""
CPID=""
cleanup() {
  [[ -n "$CPID" ]] && kill "$CPID" 2>/dev/null || true
  if [[ -n "$DPID" ]]; then
    DOCKER_HOST="unix://$SOCK" docker rm -f dn-before dn-after >/dev/null 2>&1 || true
    kill "$DPID" 2>/dev/null || true
    wait "$DPID" 2>/dev/null || true
  fi
  rm -rf "$TMP" 2>/dev/null || true
}
trap cleanup EXIT
dockerd --data-root "$TMP/data" --exec-root "$TMP/exec" --pidfile "$TMP/docker.pid" \
  --host "unix://$SOCK" --bridge none --iptables=false --ip6tables=false >"$TMP/dockerd.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do
  DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1 && break
  kill -0 "$DPID" 2>/dev/null || break
  sleep 0.2
done
if ! DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1; then
  reason=$(grep -iE "level=(fatal|error)" "$TMP/dockerd.log" | tail -1 | cut -c1-200)
  echo "SKIP: dockerd cannot start on this machine: ${reason:-no daemon socket after 20 s}"
  exit 77
fi
export DOCKER_HOST="unix://$SOCK"
mkdir -p "$TMP/rootfs/bin"
cp "$BUSYBOX" "$TMP/rootfs/bin/busybox"
ln -s busybox "$TMP/rootfs/bin/sh"
tar -C "$TMP/rootfs" -c . | docker import - decnet-syslog-printer:test >/dev/null
LINE='<134>1 2026-05-02T06:22:48.089309+00:00 omega-decky http - request [relay@55555 src_ip=\"203.0.113.9\"] from'
docker run -d --name dn-before --label decnet.fleet.service=true --network none decnet-syslog-printer:test \
  /bin/busybox sh -c "while true; do echo \"$LINE before\"; sleep 0.2; done" >/dev/null
docker run -d --name dn-ignored --network none decnet-syslog-printer:test \
  /bin/busybox sh -c "while true; do echo \"$LINE ignored\"; sleep 0.2; done" >/dev/null

export DECNET_STATE_DIR="$TMP/state"
"$COLLECTOR" --docker "$SOCK" --listen "unix://$TMP/state/syslog.sock" --flush-ms 20 \
  2>"$TMP/collector.err" &
CPID=$!
sleep 1
docker run -d --name dn-after --label decnet.topology.service=true --network none \
  decnet-syslog-printer:test /bin/busybox sh -c "while true; do echo \"$LINE after\"; sleep 0.2; done" >/dev/null
JSON="$DECNET_STATE_DIR/decnet.json"
for _ in $(seq 100); do
  grep -q 'from before' "$JSON" 2>/dev/null && grep -q 'from after' "$JSON" 2>/dev/null && break
  sleep 0.1
done
grep -q '"attacker_ip":"203.0.113.9"' "$JSON" || { cat "$TMP/collector.err"; echo "FAIL: no record from docker"; exit 1; }
grep -q 'from before' "$JSON" || { echo "FAIL: container started before the collector not followed"; exit 1; }
grep -q 'from after' "$JSON" || { echo "FAIL: container started later (events) not followed"; exit 1; }
grep -q 'from ignored' "$JSON" && { echo "FAIL: unlabelled container followed"; exit 1; }
kill -TERM "$CPID"
wait "$CPID"
CPID=""
echo "PASS"
