#!/usr/bin/env bash
# Prints decnet-bus and nats-server side by side on the same cases. Usage: bus_vs_nats.sh BUILD_DIR [N]
set -euo pipefail
B=${1:-build}; N=${2:-200000}
"$B/bench/bus_e2e_bench" "$B/bin/decnet-bus" "$N"
[[ -x "$B/bench/nats_e2e_bench" ]] && "$B/bench/nats_e2e_bench" "$N" | grep '^| nats'
