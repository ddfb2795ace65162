#!/bin/bash
# build-debs.sh OUTDIR: builds every DECNET .deb with dpkg-buildpackage from a staged copy of this
# source tree (the tree itself keeps no debian/ at its root and is never written to).
#
#   DECNET_COMPONENTS="core;bus"  components to build (default: every component present)
#   DECNET_LINTIAN=0              skip lintian (default: run it and fail on errors and warnings)
#
# Steps: copy the tree (without build dirs and .git) to OUTDIR/stage/decnet-VERSION; configure it once
# to get the worker list (workers.tsv); gen-debian.sh stages debian/ from it; dpkg-buildpackage -b
# -us -uc; lintian; the .debs land in OUTDIR/debs/. Exit 0 built, 1 failed, 2 bad usage.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
components=${DECNET_COMPONENTS:-}
version=$(dpkg-parsechangelog -l "$here/changelog" -S Version)
stage="$out/stage/decnet-$version"

cmake_version=$(sed -n 's/^project(decnet VERSION \([0-9.]*\).*/\1/p' "$srcroot/CMakeLists.txt")
if [[ -n $cmake_version && $cmake_version != "${version%%-*}" ]]; then
  echo "build-debs.sh: warning: CMakeLists.txt says $cmake_version, packaging/debian/changelog $version" >&2
fi

echo "== staging $srcroot -> $stage"
rm -rf "$out/stage" "$out/debs" "$out/scratch"
mkdir -p "$stage" "$out/debs"
tar -C "$srcroot" --exclude='./build' --exclude='./build-*' --exclude='./build_*' \
    --exclude='./.git' --exclude='./obj-*' --exclude='./debian' -cf - . | tar -C "$stage" -xf -

echo "== worker list (configure only)"
cmake -S "$stage" -B "$out/scratch" -G Ninja -DDECNET_TESTS=OFF -DDECNET_BENCH=OFF \
      -DDECNET_COMPONENTS="$components" > "$out/configure.log" 2>&1 ||
  { tail -30 "$out/configure.log" >&2; exit 1; }
grep -v '^#' "$out/scratch/workers.tsv" | cut -f1 | sed 's/^/   worker: /'
# Fail now, not after the compile, when a worker has no budget (its unit's memory comes from it).
bash "$srcroot/packaging/gen-units.sh" "$out/scratch/workers.tsv" "$srcroot/bench/floor_budgets.tsv" \
  "$out/scratch/units-check" || exit 1
bash "$here/gen-debian.sh" "$out/scratch/workers.tsv" "$stage" "$components"
rm -rf "$out/scratch"

echo "== dpkg-buildpackage (log: $out/build.log)"
( cd "$stage" &&
  DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" nice dpkg-buildpackage -b -us -uc ) \
  > "$out/build.log" 2>&1 || { tail -40 "$out/build.log" >&2; exit 1; }
changes=$(ls "$out"/stage/*.changes)

if [[ ${DECNET_LINTIAN:-1} != 0 ]] && command -v lintian >/dev/null; then
  echo "== lintian"
  if ! lintian --fail-on error,warning --suppress-tags-from-file /dev/null "$changes" \
       > "$out/lintian.log" 2>&1; then
    grep -v 'running with root privileges' "$out/lintian.log" >&2
    exit 1
  fi
  grep -v 'running with root privileges' "$out/lintian.log" || true
fi
mv "$out"/stage/*.deb "$out/debs/"
rm -rf "$stage"/obj-*  # the compile tree (hundreds of MB); debian/ stays for what was packaged
ls -1 "$out/debs"
