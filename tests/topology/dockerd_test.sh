#!/usr/bin/env bash
# A MazeNET topology applied for real with the locally built decky image on a private dockerd
# (tests/docker/lib.sh: data root under the build dir, so the image is built once), then torn down
# leaving nothing behind. The request path through the deckies is tests/docker/deploy_docker.sh.
source "$(dirname "$0")/../docker/lib.sh"
docker_start
compose_cmd
docker_decky_image
export DECNET_STATE_DIR="$DK_TMP/state"
"$DECNET" topology generate --name dtest --seed 5 --depth 1 --branching 1 --services ftp --no-publish \
  --pool 10.232.0.0/16 >/dev/null || fail "generate"
"$DECNET" topology deploy dtest --runtime docker >"$DK_TMP/out" 2>&1 || { cat "$DK_TMP/out"; fail "deploy"; }
docker ps --filter label=decnet.scope=decnet-dtest --format '{{.Names}}' | grep -q decnet-dtest-decky-001 \
  || { cat "$DK_TMP/out"; docker ps -a; fail "not running"; }
docker ps --filter label=decnet.scope=decnet-dtest --format '{{.Image}}' | grep -qv '^decnet/decky:' \
  && fail "a container of another image"
"$DECNET" topology teardown dtest >"$DK_TMP/out" 2>&1 || { cat "$DK_TMP/out"; fail "teardown"; }
left=$(docker ps -a --filter label=decnet.scope=decnet-dtest -q; docker network ls --filter label=decnet.scope=decnet-dtest -q)
[[ -z "$left" ]] || fail "teardown left: $left"
echo PASS
