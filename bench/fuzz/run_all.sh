#!/usr/bin/env bash
# The fuzz campaign (issue 14, Proof): every libFuzzer target of tests/fuzz, built with clang 14 and
# ASan+UBSan, runs SECONDS (default 60) from the seed corpus kept in tests/fuzz/corpus/<target>/. New
# inputs go to a scratch corpus; `--update` merges the ones that add coverage back into the tree. A
# crash fails the run and its input is left under <build>/fuzz-findings/. Prints a Markdown table.
#   bench/fuzz/run_all.sh [--update] [SECONDS] [TARGET_REGEX]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
update=0
[[ ${1:-} == --update ]] && { update=1; shift; }
secs=${1:-60}; only=${2:-.}
build=${DECNET_FUZZ_BUILD:-$top/build-fuzz}
command -v clang++-14 >/dev/null || apt-get install -y -qq clang-14 libclang-rt-14-dev >/dev/null
CC=clang-14 CXX=clang++-14 cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDECNET_FUZZ=ON -DDECNET_BENCH=OFF >/dev/null
mapfile -t exes < <(grep -hoE 'decnet_fuzzer\(([a-z0-9_]+)' "$top"/tests/fuzz/*.cmake | sed 's/decnet_fuzzer(//' | sort -u)
# capture's loop names: capture_fuzz_<t>
mapfile -t -O ${#exes[@]} exes < <(sed -n 's/^foreach(t \(.*\))$/\1/p' "$top/tests/fuzz/capture.cmake" | tr ' ' '\n' | sed 's/^/capture_fuzz_/')
built=()
for e in "${exes[@]}"; do [[ $e == capture_fuzz_ ]] && continue; [[ $e =~ $only ]] && built+=("$e"); done
ninja -C "$build" -j"$(nproc)" "${built[@]}" >/dev/null
findings=$build/fuzz-findings; mkdir -p "$findings"
echo "| target | seconds | runs | runs/s | corpus (seed -> after) | result |"
echo "|---|---:|---:|---:|---|---|"
failed=0
for e in "${built[@]}"; do
  seed=$top/tests/fuzz/corpus/$e
  work=$(mktemp -d /tmp/decnet-fuzz-$e.XXXXXX)
  [[ -d $seed ]] && cp "$seed"/* "$work"/ 2>/dev/null || true
  before=$(ls "$work" | wc -l)
  log=$work.log
  if "$build/fuzz/$e" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$findings/$e-" \
       -rss_limit_mb=2048 -timeout=10 "$work" >"$log" 2>&1; then result=ok; else result="CRASH (see $findings)"; failed=1; fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  after=$(ls "$work" | wc -l)
  echo "| $e | $secs | ${runs:-?} | $(( ${runs:-0} / secs )) | $before -> $after | $result |"
  if [[ $update == 1 && $result == ok ]]; then
    mkdir -p "$seed"
    "$build/fuzz/$e" -merge=1 "$seed" "$work" >/dev/null 2>&1 || true
  fi
  rm -rf "$work" "$log"
done
exit $failed
