#!/usr/bin/env bash
# The README's run path: `decnet fleet up` brings up every built worker, each reaches READY, a syslog line
# sent with the real `logger --rfc5424` reaches the ingest file and the DB, and Ctrl-C stops all cleanly.
set -euo pipefail
source "$(dirname "$0")/fleet_lib.sh"
start_fleet
"$B/bin/decnet" fleet status --state-dir "$S" | tee "$S/status.txt"
grep -q "^bus .* ready" "$S/status.txt"
if [[ -x "$B/bin/decnet-collector" && -S "$S/syslog.sock" ]]; then
  logger --rfc5424 -u "$S/syslog.sock" -t ssh -p auth.notice --sd-id relay@55555 \
    --sd-param 'src_ip="198.51.100.7"' --sd-param 'event_type="login_attempt"' "fleet-it-marker"
  for _ in $(seq 1 100); do grep -q fleet-it-marker "$S/decnet.json" 2>/dev/null && break; sleep 0.1; done
  grep -q fleet-it-marker "$S/decnet.json" || { echo "FAIL: line not in decnet.json"; kill -INT $fp; exit 1; }
  if [[ -x "$B/bin/decnet-ingester" ]]; then
    for _ in $(seq 1 100); do
      c=$(sqlite3 "$S/decnet.db" "select count(*) from logs where raw_line like '%fleet-it-marker%'" 2>/dev/null || echo 0)
      [[ "$c" -ge 1 ]] && break; sleep 0.2
    done
    [[ "$c" -ge 1 ]] || { echo "FAIL: line not in the DB"; kill -INT $fp; exit 1; }
  fi
fi
kill -INT $fp
wait $fp || { echo "FAIL: fleet up exit $?"; cat "$S/out.txt"; tail -n 5 "$S"/logs/*.log; exit 1; }
grep -q "stopping the fleet" "$S/out.txt"
! grep -Eq " (failed|backoff) " "$S/out.txt" || { echo "FAIL: a worker failed"; cat "$S/out.txt"; exit 1; }
echo "fleet up: $n workers READY, line ingested, clean stop"
