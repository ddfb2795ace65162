#!/usr/bin/env bash
# The docker runtime end to end with a private dockerd (tests/docker/lib.sh): `decnet images build`
# (reused from the kept data root while the decky is unchanged), a MazeNET topology of 2 deckies
# deployed with `decnet topology deploy --runtime docker`, a curl to a decky's http port on its fixed
# bridge IP (a bridge this test's daemon made: traffic stays on the host), the request reaching the
# collector through its Docker input into the ingest JSON, a redeploy that leaves unchanged deckies
# alone, and a teardown that leaves no container, network or state.
source "$(dirname "$0")/lib.sh"
COLLECTOR="$DECNET_BINARY_DIR/bin/decnet-collector"
[[ -x "$COLLECTOR" ]] || fail "$COLLECTOR not built"
command -v curl >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
docker_start
compose_cmd
docker_decky_image
image=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['image'])" "$DECKY_IMAGE_JSON")
docker image inspect "$image" >/dev/null || fail "no image $image"
docker image inspect decnet/decky:latest >/dev/null || fail "no decnet/decky:latest"

export DECNET_STATE_DIR="$DK_TMP/state"
export DECNET_RUNTIME=docker
"$COLLECTOR" --docker "${DOCKER_HOST#unix://}" --listen "unix://$DECNET_STATE_DIR/syslog.sock" \
  --flush-ms 20 2>"$DK_TMP/collector.err" &
CPID=$!
on_exit "kill $CPID"

run() {  # run CMD...: must exit 0
  "$@" >"$DK_TMP/out" 2>"$DK_TMP/err" || { cat "$DK_TMP/out" "$DK_TMP/err" >&2; fail "'$*' failed"; }
}
# 2 deckies: the DMZ's and one on the LAN below it (a pool of our own, far from any real network).
run "$DECNET" topology generate --name dk --seed 3 --depth 1 --branching 1 --deckies-min 1 \
  --deckies-max 1 --services http,ftp --no-publish --pool 10.231.0.0/16
run "$DECNET" topology deploy dk --runtime docker
scope=decnet-dk
mapfile -t names < <(docker ps --filter "label=decnet.scope=$scope" --format '{{.Names}}' | sort)
[[ ${#names[@]} -eq 2 ]] || { docker ps -a; fail "want 2 decky containers, got ${names[*]:-none}"; }
decky=$(docker inspect -f '{{index .Config.Labels "decnet.decky"}}' "${names[0]}")
ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "${names[0]}" | awk '{print $1}')
[[ -n "$ip" ]] || fail "no IP for ${names[0]}"
[[ $(docker inspect -f '{{index .HostConfig.Sysctls "net.ipv4.ip_default_ttl"}}' "${names[0]}") =~ ^[0-9]+$ ]] \
  || fail "no OS-profile sysctls on ${names[0]}"
# The container runs nothing but decnet-decky, as its own PID 1.
docker top "${names[0]}" | grep -q decnet-decky || fail "decnet-decky not running in ${names[0]}"

code=""
for _ in $(seq 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$ip/e2e-probe?x=1" || true)
  [[ -n "$code" && "$code" != 000 ]] && break
  sleep 0.2
done
[[ -n "$code" && "$code" != 000 ]] || { docker logs "${names[0]}" | tail -5; fail "no HTTP answer from $ip"; }
JSON="$DECNET_STATE_DIR/decnet.json"
for _ in $(seq 100); do grep -q 'e2e-probe' "$JSON" 2>/dev/null && break; sleep 0.1; done
grep 'e2e-probe' "$JSON" | grep -q "\"decky\":\"$decky\"" \
  || { tail -3 "$JSON" "$DK_TMP/collector.err" >&2; fail "the request did not reach the ingest JSON as decky $decky"; }
grep 'e2e-probe' "$JSON" | grep -q '"service":"http"' || fail "record not attributed to http"

# Redeploy unchanged: nothing is recreated.
before=$(docker ps -q --no-trunc --filter "label=decnet.scope=$scope" | sort)
run "$DECNET" topology deploy dk --runtime docker
after=$(docker ps -q --no-trunc --filter "label=decnet.scope=$scope" | sort)
[[ "$before" == "$after" ]] || fail "an unchanged redeploy recreated containers"
# A decky that disappeared comes back on the next deploy, the other is left alone.
id0=$(docker inspect -f '{{.Id}}' "${names[0]}")
docker rm -f "${names[1]}" >/dev/null
run "$DECNET" topology deploy dk --runtime docker
[[ $(docker ps -q --filter "name=^${names[1]}\$" | wc -l) == 1 ]] || fail "removed decky not recreated"
[[ $(docker inspect -f '{{.Id}}' "${names[0]}") == "$id0" ]] || fail "the untouched decky was recreated"

# Memory of one decky container (cgroup) and of its process (smaps_rollup), for the report.
pid=$(docker inspect -f '{{.State.Pid}}' "${names[0]}")
echo "decky ${names[0]}: $(docker stats --no-stream --format '{{.MemUsage}}' "${names[0]}") (cgroup);" \
  "$(awk '/^Pss:|^Pss_Anon:/{printf "%s %s kB ", $1, $2}' "/proc/$pid/smaps_rollup")"

run "$DECNET" topology teardown dk
left=$(docker ps -aq --filter "label=decnet.scope=$scope"; docker network ls -q --filter "label=decnet.scope=$scope")
[[ -z "$left" ]] || fail "teardown left: $left"
# State: no decky of the topology is listed for the sniffer/collector/reconciler any more.
if [[ -e "$DECNET_STATE_DIR/fleet.json" ]]; then
  ! grep -q "\"$decky\"" "$DECNET_STATE_DIR/fleet.json" || fail "teardown left $decky in fleet.json"
fi
echo PASS
