#!/usr/bin/env bash
# `decnet fleet up` killed with SIGKILL (no chance to stop its children) must not leave orphaned
# workers: each one asked the kernel for SIGTERM on its parent's death and stops by itself.
set -euo pipefail
source "$(dirname "$0")/fleet_lib.sh"
start_fleet
mapfile -t pids < <(awk -F'\t' '$2 > 0 {print $2}' "$S/fleet.pids")
[[ ${#pids[@]} -eq $n ]] || { echo "FAIL: fleet.pids lists ${#pids[@]} running workers, want $n"; cat "$S/fleet.pids"; kill -INT $fp; exit 1; }
kill -KILL $fp
wait $fp 2>/dev/null || true
for _ in $(seq 1 150); do
  alive=()
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
  [[ ${#alive[@]} -eq 0 ]] && break
  sleep 0.1
done
if [[ ${#alive[@]} -ne 0 ]]; then
  echo "FAIL: orphaned workers still running 15 s after the launcher's SIGKILL: ${alive[*]}"
  ps -o pid,ppid,args -p "$(IFS=,; echo "${alive[*]}")" || true
  kill -KILL "${alive[@]}" 2>/dev/null || true
  exit 1
fi
# They stopped the normal way (SIGTERM), not by being killed: each says so in its log.
for w in "$S"/logs/*.log; do
  grep -q "received SIGTERM, stopping" "$w" || { echo "FAIL: $(basename "$w" .log) did not stop on SIGTERM"; tail -5 "$w"; exit 1; }
done
echo "launcher SIGKILL: all $n workers stopped on their own"
