#!/bin/bash
# Builds the dashboard bundle: copies src/ to OUT and installs the charting library (uPlot) from the npm
# registry into a cache beside it, copying only its dist files into OUT/vendor/. Run by the build
# (target decnet-api-web). Never fails the build: without npm or a network the dashboard is still built and
# falls back to plain tables, and this script says so.
#   build.sh SRC_DIR OUT_DIR NPM_CACHE_DIR
set -u
src=$1 out=$2 npm_dir=$3
mkdir -p "$out/vendor" "$npm_dir"
cp -f "$src"/src/* "$out"/
if [ -f "$out/vendor/uPlot.iife.min.js" ] && [ "$out/vendor/uPlot.iife.min.js" -nt "$src/package.json" ]; then
  exit 0
fi
cp -f "$src/package.json" "$npm_dir/"
[ -f "$src/package-lock.json" ] && cp -f "$src/package-lock.json" "$npm_dir/"
if ! command -v npm >/dev/null 2>&1; then
  echo "decnet-api-web: npm not found: the dashboard will show tables instead of charts (apt-get install npm)" >&2
  exit 0
fi
cmd=install
[ -f "$npm_dir/package-lock.json" ] && cmd=ci
if ! (cd "$npm_dir" && timeout 300 npm "$cmd" --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
  echo "decnet-api-web: 'npm $cmd' failed (offline?); see $npm_dir/npm.log." >&2
  echo "decnet-api-web: the dashboard is built without charts and falls back to plain tables." >&2
  exit 0
fi
dist="$npm_dir/node_modules/uplot/dist"
if [ -f "$dist/uPlot.iife.min.js" ]; then
  cp -f "$dist/uPlot.iife.min.js" "$dist/uPlot.min.css" "$out/vendor/"
  echo "decnet-api-web: bundled uPlot $(node -p "require('$npm_dir/node_modules/uplot/package.json').version" 2>/dev/null) into $out/vendor"
else
  echo "decnet-api-web: uPlot dist files missing after npm $cmd; charts disabled" >&2
fi
exit 0
