# Sourced by the fleet script tests. start_fleet: runs `decnet fleet up` in a fresh state dir $S (removed
# on exit), sets $fp (its PID) and $n (workers in the list), and waits until every worker is READY.
B=${DECNET_BINARY_DIR:?}
start_fleet() {
  S=$(mktemp -d /tmp/decnet-fleet-it.XXXXXX)
  trap 'rm -rf "$S"' EXIT
  "$B/bin/decnet" fleet up --state-dir "$S" --table-interval 0 > "$S/out.txt" 2>&1 & fp=$!
  n=$(awk -F'\t' '!/^#/ && $7 == ""' "$B/workers.tsv" | wc -l)  # templated workers (deckies) excluded
  for _ in $(seq 1 150); do
    [[ $(grep -c "READY (pid" "$S/out.txt" || true) -ge $n ]] && return 0
    sleep 0.1
  done
  echo "FAIL: not every worker READY"
  cat "$S/out.txt"
  kill -INT $fp
  exit 1
}
