#!/usr/bin/env bash
# End-to-end syslog ingestion, decnet-collector vs rsyslog, same input, same run.
#   bench/syslog/e2e.sh [BUILD_DIR] [LINES]
# Each receiver listens on loopback UDP and TCP; bench/syslog_blast sends LINES corpus lines as fast as it
# can; we time from the first byte sent until the receiver's output file stops growing (all lines, or
# no growth for 1 s for UDP losses), then read the receiver's PSS from /proc/PID/smaps_rollup and the CPU
# time it spent per line (/proc/PID/stat utime+stime, all threads; the figure that other load on a
# shared machine does not distort).
# decnet-collector writes the raw .log AND parses every line into the .json record; rsyslog (a private
# instance, imudp/imtcp -> omfile with the raw message template) writes the raw file only.
set -euo pipefail
BUILD="${1:-$(cd "$(dirname "$0")/../.." && pwd)/build}"
LINES="${2:-200000}"
BLAST="$BUILD/bench/syslog_blast"
COLLECTOR="$BUILD/bin/decnet-collector"
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
for f in "$BLAST" "$COLLECTOR" "$RSYSLOGD"; do
  [[ -x "$f" ]] || { echo "missing $f (apt-get install rsyslog; build syslog_blast decnet-collector)"; exit 1; }
done
TMP=$(mktemp -d /tmp/decnet-syslog-e2e.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
# CPU time (user+system, all threads) in clock ticks: robust to other load on the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

CU=$(port); CT=$(port); RU=$(port); RT=$(port)
mkdir -p "$TMP/c" "$TMP/rs"
DECNET_STATE_DIR="$TMP/c" "$COLLECTOR" --listen "udp://127.0.0.1:$CU,tcp://127.0.0.1:$CT" \
  --log-level warning 2>"$TMP/c/err" &
CPID=$!; PIDS+=($CPID)
cat >"$TMP/rs/rsyslog.conf" <<CONF
global(workDirectory="$TMP/rs")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="$RU" rcvBufSize="4m")
input(type="imtcp" address="127.0.0.1" port="$RT")
template(name="raw" type="string" string="%rawmsg%\n")
action(type="omfile" file="$TMP/rs/out.log" template="raw")
CONF
"$RSYSLOGD" -n -f "$TMP/rs/rsyslog.conf" -i "$TMP/rs/pid" 2>"$TMP/rs/err" &
RPID=$!; PIDS+=($RPID)
sleep 1.5
kill -0 "$RPID" || { echo "rsyslogd did not start:"; cat "$TMP/rs/err"; exit 1; }
IDLE_C=$(pss $CPID); IDLE_R=$(pss $RPID)

# run NAME PROTO PORT OUTFILE -> "lines_received seconds pss"
run() {
  local name=$1 proto=$2 p=$3 out=$4 pid=$5
  local before; before=$(size "$out")
  local lines_before; lines_before=$( [[ -f $out ]] && wc -l <"$out" || echo 0)
  local c0; c0=$(cpu_ticks "$pid")
  local t0; t0=$(date +%s.%N)
  "$BLAST" "$proto" 127.0.0.1 "$p" "$LINES" >/dev/null
  local last=-1 cur t_last; t_last=$(date +%s.%N)
  while :; do
    cur=$(size "$out")
    if [[ $cur != "$last" ]]; then last=$cur; t_last=$(date +%s.%N); fi
    local lines_now; lines_now=$(( $(wc -l <"$out") - lines_before ))
    (( lines_now >= LINES )) && { t_last=$(date +%s.%N); break; }
    awk -v a="$(date +%s.%N)" -v b="$t_last" 'BEGIN{exit !(a-b>1.0)}' && break
    sleep 0.02
  done
  local got=$(( $(wc -l <"$out") - lines_before ))
  local secs; secs=$(awk -v a="$t_last" -v b="$t0" 'BEGIN{printf "%.3f", a-b}')
  local cpu_us; cpu_us=$(awk -v a="$(cpu_ticks "$pid")" -v b="$c0" -v hz="$HZ" -v n="$got" \
    'BEGIN{printf "%.2f", (a-b)*1e6/hz/n}')
  echo "$got $secs $(pss "$pid") $cpu_us"
}

printf '%-9s %-6s %14s %8s %10s %9s %12s\n' receiver proto received seconds lines/s PSS_KiB cpu_us/line
declare -A RATE CPU
for proto in udp tcp; do
  for rx in collector rsyslog; do
    if [[ $rx == collector ]]; then
      p=$([[ $proto == udp ]] && echo $CU || echo $CT); out="$TMP/c/decnet.log"; pid=$CPID
    else
      p=$([[ $proto == udp ]] && echo $RU || echo $RT); out="$TMP/rs/out.log"; pid=$RPID
    fi
    read -r got secs kib cpu < <(run $rx $proto "$p" "$out" "$pid")
    rate=$(awk -v n="$got" -v s="$secs" 'BEGIN{printf "%.0f", n/s}')
    RATE[$rx$proto]=$rate
    CPU[$rx$proto]=$cpu
    printf '%-9s %-6s %14s %8s %10s %9s %12s\n' "$rx" "$proto" "$got/$LINES" "$secs" "$rate" "$kib" "$cpu"
  done
done
printf '\nidle PSS before the runs: collector %s KiB, rsyslogd %s KiB\n' "$IDLE_C" "$IDLE_R"
for proto in udp tcp; do
  awk -v a="${RATE[collector$proto]}" -v b="${RATE[rsyslog$proto]}" -v p=$proto \
    'BEGIN{printf "ratio collector/rsyslog (%s lines/s): %.2f\n", p, a/b}'
  awk -v a="${CPU[collector$proto]}" -v b="${CPU[rsyslog$proto]}" -v p=$proto \
    'BEGIN{printf "ratio rsyslog/collector (%s CPU per line, >1: collector cheaper): %.2f\n", p, b/a}'
done
c_json=$(wc -l <"$TMP/c/decnet.json")
echo "collector .json records written: $c_json (every line parsed into the DECNET record)"
