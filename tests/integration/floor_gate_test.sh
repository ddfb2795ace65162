#!/usr/bin/env bash
# The memory-floor gate: every worker idle, alone and as a fleet, against bench/floor_budgets.tsv.
set -euo pipefail
B=${DECNET_BINARY_DIR:?}; S=${DECNET_SOURCE_DIR:?}
"$B/bench/decnet-floor" --budgets "$S/bench/floor_budgets.tsv" --out-md "$B/floor.md" \
  --out-json "$B/floor.json" --gate
echo "floor report: $B/floor.md, $B/floor.json"
