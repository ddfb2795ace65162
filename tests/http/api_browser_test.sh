#!/bin/bash
# The dashboard in headless Chromium (Debian chromium + playwright-core from npm, installed by the build
# into <build>/web-npm): log in, attackers from a seeded DB, one attacker's page, a live event, screenshot.
source "$(dirname "$0")/lib.sh"
need node nodejs
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium missing (apt-get install chromium)"; exit 1; }
PW=$B/web-npm/node_modules/playwright-core
if [ ! -d "$PW" ]; then
  # The build installs it with npm; without registry access (offline build) this cannot run here.
  if grep -q "failed" "$B/web-npm/npm.log" 2>/dev/null || ! command -v npm >/dev/null; then
    echo "SKIP: playwright-core was not installed by the build (npm offline or missing; see $B/web-npm/npm.log)"
    exit 77
  fi
  echo "FAIL: $PW missing: build the decnet-api-web target first"; exit 1
fi
api_start 40
SHOT=$B/tests/http/dashboard-live.png
URL=$URL ADMIN_PW=$ADMIN_PW BUS_SOCK=$STATE/bus.sock BUS_PUB=$B/tests/http/http_bus_pub SHOT=$SHOT PW_MODULE=$PW \
  timeout 120 node "$S/tests/http/browser_test.cjs" || { echo "--- api log"; cat "$STATE/api.log"; exit 1; }
echo PASS
