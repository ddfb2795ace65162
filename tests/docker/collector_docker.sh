#!/usr/bin/env bash
# The collector's Docker input against a real dockerd (Debian docker.io): a private daemon on its own
# socket, a container imported from a tiny busybox rootfs that prints RFC 5424 lines, one started
# before the collector (found by the container list) and one after (found by the events stream).
# The daemon is tests/docker/lib.sh's; SKIP (77) only when it cannot run here (not root, or the daemon
# cannot start: no cgroups/overlay in this kind of VM or container).
source "$(dirname "$0")/lib.sh"
BIN="${DECNET_BINARY_DIR:?}/bin"
COLLECTOR="$BIN/decnet-collector"
[[ -x "$COLLECTOR" ]] || fail "$COLLECTOR not built"
BUSYBOX=$(command -v busybox || true)
if [[ -z "$BUSYBOX" ]] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q static; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null || true
  BUSYBOX=$(command -v busybox || true)
  file -L "$BUSYBOX" 2>/dev/null | grep -q static || fail "a static busybox is needed for the test image (busybox-static)"
fi
docker_start
TMP="$DK_TMP"
SOCK="${DOCKER_HOST#unix://}"
CPID=""
on_exit '[[ -n "$CPID" ]] && kill "$CPID"'
mkdir -p "$TMP/rootfs/bin"
cp "$BUSYBOX" "$TMP/rootfs/bin/busybox"
ln -s busybox "$TMP/rootfs/bin/sh"
docker image inspect decnet-syslog-printer:test >/dev/null 2>&1 ||
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
grep -q '"attacker_ip":"203.0.113.9"' "$JSON" || { cat "$TMP/collector.err"; fail "no record from docker"; }
grep -q 'from before' "$JSON" || { echo "FAIL: container started before the collector not followed"; exit 1; }
grep -q 'from after' "$JSON" || { echo "FAIL: container started later (events) not followed"; exit 1; }
grep -q 'from ignored' "$JSON" && { echo "FAIL: unlabelled container followed"; exit 1; }
kill -TERM "$CPID"
wait "$CPID"
CPID=""
echo "PASS"
