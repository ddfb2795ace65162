#!/bin/bash
# decnet-sniffer --read FILE --json: one JSON object per event, exit codes, the FoxIO switch.
set -euo pipefail
SNIFFER="$DECNET_BINARY_DIR/bin/decnet-sniffer"
CAP="$DECNET_SOURCE_DIR/tests/data/captures/ja4/tls12.pcap"
[ -x "$SNIFFER" ] || { echo "FAIL: $SNIFFER not built"; exit 1; }
[ -f "$CAP" ] || { echo "FAIL: capture missing: $CAP"; exit 1; }
out=$("$SNIFFER" --read "$CAP" --json 2>/dev/null)
grep -q '^{"ts":[0-9.]*,"event_type":"tls_client_hello",.*"ja4":"t13d1715h2_5b57614c22b0_3d5424432f57"' <<<"$out" ||
  { echo "FAIL: no ClientHello JSON with the FoxIO JA4"; echo "$out"; exit 1; }
! grep -q '"ja4s"' <<<"$out" || { echo "FAIL: JA4S without --foxio-licensed"; exit 1; }
# (Outputs go through variables: `cmd | grep -q` would SIGPIPE cmd under pipefail.)
fox=$("$SNIFFER" --read "$DECNET_SOURCE_DIR/tests/data/captures/ja4/tls-alpn-h2.pcap" --json \
  --foxio-licensed 2>/dev/null)
grep -q '"ja4s":"t1204h2_cca9_1428ce7b4018"' <<<"$fox" || { echo "FAIL: JA4S with the switch"; exit 1; }
# Without --json: RFC 5424 lines.
lines=$("$SNIFFER" --read "$CAP" 2>/dev/null)
grep -q '^<134>1 .* - sniffer - tls_client_hello \[relay@55555 ' <<<"$lines" ||
  { echo "FAIL: RFC 5424 output"; exit 1; }
rc=0; "$SNIFFER" --read /nonexistent.pcap --json >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: missing file exit code $rc, want 2"; exit 1; }
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
head -c 100 /dev/urandom > "$tmp"
rc=0; "$SNIFFER" --read "$tmp" --json >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || { echo "FAIL: garbage file accepted"; exit 1; }
help=$("$SNIFFER" --help)
grep -q -- "--ring-kib" <<<"$help" || { echo "FAIL: --help lacks --ring-kib"; exit 1; }
echo "PASS"
