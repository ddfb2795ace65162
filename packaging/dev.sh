#!/usr/bin/env bash
# The README's two commands.
#   packaging/dev.sh run   build, then bring up the local fleet in ./state until Ctrl-C
#   packaging/dev.sh test  build, then run every test (the memory-floor gate included), then the unit
#                          tests once more under ASan+UBSan (build dir <build>-asan)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${DECNET_BUILD_DIR:-$top/build}
bash packaging/setup.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
case "${1:-}" in
  run)
    state=${DECNET_STATE_DIR:-$top/state}
    mkdir -p "$state"
    if [[ -x "$build/bin/decnet-api" && ! -e "$state/.admin-created" ]]; then
      echo "Creating the dashboard admin (the password is printed once; it is not stored anywhere):"
      DECNET_STATE_DIR=$state "$build/bin/decnet" user add admin && touch "$state/.admin-created"
    fi
    [[ -x "$build/bin/decnet-api" ]] && echo "Dashboard: http://127.0.0.1:8000/  (user admin)"
    if [[ $(id -u) != 0 ]]; then
      echo "Not root: no deckies (network namespaces, a bridge and veth pairs need root); the workers run alone."
      exec "$build/bin/decnet" fleet up --state-dir "$state"
    fi
    # As root: beside the workers, a demo fleet of 3 netns deckies on an internal bridge (a private
    # test subnet; nothing leaves the host), supervised by the fleet; torn down on Ctrl-C.
    "$build/bin/decnet" fleet up --state-dir "$state" &
    fleet=$!
    demo() { DECNET_STATE_DIR=$state "$build/bin/decnet" "$@"; }
    stop_demo() {
      trap - INT TERM
      echo; echo "Tearing down the demo deckies..."
      demo teardown --id demo || true
      kill -INT "$fleet" 2>/dev/null || true
      wait "$fleet" || true
      exit 0
    }
    trap stop_demo INT TERM
    for _ in $(seq 100); do [[ -S "$state/bus.sock" ]] && break; sleep 0.1; done
    sleep 1  # the fleet has written its pid: the deploy hands the deckies to it
    if demo deploy --name demo --deckies 3 --subnet 10.213.77.0/24 --interface lo --bridge \
         --services http,ftp,redis,tftp --runtime netns --launcher fleet --wait 20 >"$state/demo-deploy.txt"; then
      echo "Demo deckies (curl http://<address>/, ftp, redis-cli -h, tftp):"
      grep -E "^decky-" "$state/demo-deploy.txt" | awk '{print "  " $1 "  " $2}'
    else
      echo "Demo deploy failed (see $state/demo-deploy.txt); the workers keep running."
    fi
    wait "$fleet"
    ;;
  test)
    (cd "$build" && ctest --output-on-failure --timeout 3000)
    # Once more under ASan+UBSan: the GoogleTest suites only (label "unit"), in their own build dir.
    asan=${build}-asan
    cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDECNET_SANITIZE=ON >/dev/null
    cmake --build "$asan" -j"$(nproc)" --target decnet_unit_tests
    cd "$asan"
    export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    exec ctest -L unit --output-on-failure --timeout 900
    ;;
  *)
    echo "usage: packaging/dev.sh run|test" >&2
    exit 2
    ;;
esac
