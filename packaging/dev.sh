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
    exec "$build/bin/decnet" fleet up --state-dir "$state"
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
