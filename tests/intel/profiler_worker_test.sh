#!/bin/bash
# decnet-profiler as a process: real bus, real SQLite file, rows written by the sqlite3 CLI (as the
# ingester would). Checks the profiles, a clean SIGTERM stop, and that a restart continues the counts
# (no regression of first_seen/event_count), then the reuse-correlator's row.
set -euo pipefail
B="$DECNET_BINARY_DIR/bin"
command -v sqlite3 >/dev/null || { echo "FAIL: the sqlite3 CLI is needed (Debian package sqlite3)"; exit 1; }
for exe in decnet-bus decnet-profiler decnet-reuse-correlator; do
  [ -x "$B/$exe" ] || { echo "FAIL: $B/$exe not built"; exit 1; }
done
T=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
export DECNET_STATE_DIR="$T" DECNET_BUS_SOCKET="$T/bus.sock" DECNET_LOG_LEVEL=warning
DB="$T/decnet.db"

# wait_for <seconds> <command...>: the command is re-run each time (pass functions, not $(...) values).
wait_for() {
  local until=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $until ] || return 1
    sleep 0.2
  done
}
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
is() { [ "$(q "$1")" = "$2" ]; }  # is <sql> <expected>
insert_logs() {  # insert_logs <ip> <count> <start_s> <decky>
  local sql="BEGIN;"
  for i in $(seq 0 $(($2 - 1))); do
    sql+="INSERT INTO logs(ts_us,decky,service,event_type,attacker_ip,raw_line,fields,msg) VALUES ($(( ($3 + i * 7) * 1000000 )),'$4','ssh','command','$1','-','{\"cmd\":\"id\"}','');"
  done
  q "$sql COMMIT;"
}

"$B/decnet-bus" 2>"$T/bus.err" & PIDS+=($!)
wait_for 5 test -S "$T/bus.sock" || { echo "FAIL: bus did not start"; cat "$T/bus.err"; exit 1; }
"$B/decnet-profiler" --poll-interval 1 2>"$T/prof1.err" & PROF=$!; PIDS+=($PROF)
wait_for 10 q "SELECT 1 FROM logs LIMIT 0" || { echo "FAIL: no schema"; cat "$T/prof1.err"; exit 1; }
insert_logs 198.51.100.1 30 1763996400 decky-01
insert_logs 198.51.100.2 20 1763996500 decky-02
insert_logs 198.51.100.1 10 1763997000 decky-03
wait_for 15 is "SELECT COALESCE(SUM(event_count),0) FROM attackers" 60 ||
  { echo "FAIL: profiles not written: $(q 'SELECT ip,event_count FROM attackers')"; cat "$T/prof1.err"; exit 1; }
[ "$(q "SELECT is_traversal FROM attackers WHERE ip='198.51.100.1'")" = 1 ] || { echo "FAIL: traversal"; exit 1; }
FIRST=$(q "SELECT first_seen_us FROM attackers WHERE ip='198.51.100.1'")
kill -TERM $PROF
set +e; wait $PROF; rc=$?; set -e
[ $rc -eq 0 ] || { echo "FAIL: profiler exit $rc on SIGTERM"; cat "$T/prof1.err"; exit 1; }

insert_logs 198.51.100.1 5 1763998000 decky-01
"$B/decnet-profiler" --poll-interval 1 2>"$T/prof2.err" & PROF=$!; PIDS+=($PROF)
wait_for 15 is "SELECT event_count FROM attackers WHERE ip='198.51.100.1'" 45 ||
  { echo "FAIL: restart lost counts: $(q 'SELECT ip,event_count FROM attackers')"; cat "$T/prof2.err"; exit 1; }
[ "$(q "SELECT first_seen_us FROM attackers WHERE ip='198.51.100.1'")" = "$FIRST" ] || { echo "FAIL: first_seen regressed"; exit 1; }
[ "$(q "SELECT json_array_length(commands) FROM attackers WHERE ip='198.51.100.1'")" = 45 ] || { echo "FAIL: commands"; exit 1; }

q "INSERT INTO credentials(ts_us,attacker_ip,decky,service,username,secret,secret_kind) VALUES (1,'198.51.100.1','decky-01','ssh','root','pw','password'),(2,'198.51.100.2','decky-02','ftp','root','pw','password');" 2>"$T/cred.err" ||
  { echo "FAIL: cannot insert credentials: $(cat "$T/cred.err")"; exit 1; }
"$B/decnet-reuse-correlator" --poll-interval 1 2>"$T/reuse.err" & PIDS+=($!)
wait_for 15 is "SELECT target_count FROM credential_reuse" 2 ||
  { echo "FAIL: no reuse row"; cat "$T/reuse.err"; exit 1; }
echo "PASS"
