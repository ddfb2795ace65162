#!/usr/bin/env bash
# Netns decky fleet benchmark (root): for each N in "$@" (default 10 100), deploy N deckies with 3
# services each on an internal bridge (runtime netns, launcher self, the real decnet-decky), time until
# every decky listens on all its ports, then read ΣPSS and per-decky PSS / Pss_Anon of the decky
# processes (/proc/PID/smaps_rollup) and the kernel's cost per namespace (/proc/meminfo before/after:
# MemTotal-MemAvailable minus the processes' PSS, and the Slab/Percpu/PageTables deltas), tear down,
# and print a markdown table. A benchmark, not a test: run by hand.
#   bench/deploy/deploy_bench.sh [--build DIR] [--services http,ftp,tftp] 10 100 1000
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
services=http,ftp,tftp
while [[ ${1:-} == --* ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --services) services=$2; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
sizes=("$@"); [[ ${#sizes[@]} -gt 0 ]] || sizes=(10 100)
[[ $(id -u) == 0 ]] || { echo "needs root" >&2; exit 2; }
DECNET=$build/bin/decnet
export DECNET_DECKY_BIN=${DECNET_DECKY_BIN:-$build/bin/decnet-decky}
[[ -x $DECNET_DECKY_BIN ]] || { echo "no $DECNET_DECKY_BIN" >&2; exit 2; }
work=$(mktemp -d /tmp/decnet-deploy-bench.XXXXXX)
export DECNET_STATE_DIR=$work/state DECNET_RUNTIME=netns
trap '"$DECNET" teardown --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
meminfo() { awk '/^(MemTotal|MemAvailable|Slab|Percpu|PageTables|KernelStack):/ {printf "%s=%s ", $1, $2}' /proc/meminfo; }
rows=()
for n in "${sizes[@]}"; do
  sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; sleep 1
  before=$(meminfo)
  t0=$(date +%s.%N)
  "$DECNET" deploy --name "b$n" --deckies "$n" --subnet 10.214.0.0/16 --interface lo --bridge \
    --services "$services" --launcher self --wait 300 >"$work/deploy-$n.txt" 2>"$work/deploy-$n.err" \
    || { cat "$work/deploy-$n.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  sleep 3  # idle after start-up, as the floor harness does
  after=$(meminfo)
  up=$(grep -o "[0-9]* of [0-9]* deckies running" "$work/deploy-$n.err" || echo "?")
  row=$(python3 - "$n" "$t0" "$t1" "$before" "$after" "$up" <<'PY'
import os, sys
n, t0, t1, before, after, up = sys.argv[1:]
def mi(s): return {k.rstrip(":"): int(v) for k, v in (x.split("=") for x in s.split())}
b, a = mi(before), mi(after)
inos = {}
for name in os.listdir("/run/netns"):
    if name.startswith("decnet-"):
        inos[os.stat("/run/netns/" + name).st_ino] = name
pss = anon = procs = 0
per = []
for p in os.listdir("/proc"):
    if not p.isdigit(): continue
    try:
        if os.stat("/proc/%s/ns/net" % p).st_ino not in inos: continue
        r = {l.split(":")[0]: int(l.split()[1]) for l in open("/proc/%s/smaps_rollup" % p) if l.split()[-1] == "kB"}
    except OSError:
        continue
    procs += 1; pss += r.get("Pss", 0); anon += r.get("Pss_Anon", 0); per.append(r.get("Pss", 0))
used = lambda m: m["MemTotal"] - m["MemAvailable"]
kernel = used(a) - used(b) - pss
d = lambda k: a.get(k, 0) - b.get(k, 0)
N = int(n)
print("| %d | %s | %.1f | %d | %s | %.0f | %.0f | %s | %.0f | %.0f |" % (
    N, up, float(t1) - float(t0), procs, format(pss, ","), pss / max(procs, 1), anon / max(procs, 1),
    format(max(per) if per else 0, ","), kernel / N, (d("Slab") + d("Percpu") + d("PageTables") + d("KernelStack")) / N))
PY
)
  rows+=("$row")
  "$DECNET" teardown --id "b$n" >/dev/null
done
echo
echo "services per decky: $services; decky: $DECNET_DECKY_BIN; $(nproc) cores; $(date -u +%F)"
echo
echo "| deckies | up | time to all-up s | processes | ΣPSS KiB | PSS/decky KiB | Pss_Anon/decky KiB | max PSS KiB | kernel KiB/ns (meminfo) | Slab+Percpu+PT+stack KiB/ns |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
