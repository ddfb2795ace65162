#!/usr/bin/env bash
# The README's two commands.
#   packaging/dev.sh run   build, then bring up the local fleet in ./state until Ctrl-C
#   packaging/dev.sh test  build, then run every test (the memory-floor gate included)
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
    cd "$build"
    exec ctest --output-on-failure --timeout 3000
    ;;
  *)
    echo "usage: packaging/dev.sh run|test" >&2
    exit 2
    ;;
esac
