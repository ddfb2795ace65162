#!/bin/bash
# tshark as the JA3 oracle: every ClientHello tshark sees in every shared capture must come out of
# `decnet-sniffer --read FILE --json` with the same ports and the same tls.handshake.ja3.
set -euo pipefail
SNIFFER="$DECNET_BINARY_DIR/bin/decnet-sniffer"
CAPTURES="$DECNET_SOURCE_DIR/tests/data/captures"
[ -x "$SNIFFER" ] || { echo "FAIL: $SNIFFER not built"; exit 1; }
[ -d "$CAPTURES" ] || { echo "FAIL: captures missing at $CAPTURES"; exit 1; }
source "$DECNET_SOURCE_DIR/tests/capture/ensure_packages.sh"
ensure_packages tshark || { echo "SKIP: tshark not installable here (no root / no apt)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
total=0
fail=0
for f in "$CAPTURES"/ja3/*.pcap "$CAPTURES"/ja4/*.pcap "$CAPTURES"/ja4/*.pcapng; do
  [ -e "$f" ] || continue
  tshark -n -r "$f" -Y 'tls.handshake.type == 1 && tcp' -T fields -e tcp.srcport -e tcp.dstport \
      -e tls.handshake.ja3 2>/dev/null | awk 'NF == 3' | sort -u > "$tmp/oracle" || true
  "$SNIFFER" --read "$f" --json 2>/dev/null > "$tmp/events"
  { grep '"event_type":"tls_client_hello"' "$tmp/events" || true; } |
    sed -E 's/.*"src_port":"([0-9]+)".*"dst_port":"([0-9]+)".*"ja3":"([0-9a-f]+)".*/\1\t\2\t\3/' |
    sort -u > "$tmp/ours"
  n=$(wc -l < "$tmp/oracle")
  missing=$(comm -23 "$tmp/oracle" "$tmp/ours" | wc -l)
  total=$((total + n))
  echo "$(basename "$f"): $n ClientHellos per tshark, $missing not matched"
  if [ "$missing" -ne 0 ]; then
    comm -23 "$tmp/oracle" "$tmp/ours" | head -5 | sed 's/^/  tshark: /'
    fail=1
  fi
done
[ "$total" -gt 0 ] || { echo "FAIL: tshark found no ClientHello at all"; exit 1; }
[ "$fail" -eq 0 ] || { echo "FAIL: JA3 differs from tshark"; exit 1; }
echo "PASS: $total ClientHellos, JA3 equal to tshark's"
