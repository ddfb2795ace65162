#!/usr/bin/env bash
# Each worker may need only the shared libraries its components declare (decnet_component SHLIBS),
# collected into build/workers.tsv. The bus in particular must never map SQLite, libpcap or OpenSSL.
set -euo pipefail
B=${DECNET_BINARY_DIR:?}
fail=0; checked=0
while IFS=$'\t' read -r name exe shlibs _caps _fam _desc; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  bin="$B/bin/$exe"
  [[ -x "$bin" ]] || { echo "FAIL: $exe is in the worker list but not built"; fail=1; continue; }
  allowed=",${shlibs},"
  while read -r lib; do
    base=$(sed -E 's/\.so(\.[0-9]+)*$/.so/' <<<"$lib")
    if [[ "$allowed" != *",$base,"* ]]; then
      echo "FAIL: $exe needs $lib, which none of its components declares (allowed: $shlibs)"; fail=1
    fi
  done < <(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  checked=$((checked + 1))
done < "$B/workers.tsv"
bus_needed=$(readelf -d "$B/bin/decnet-bus" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for forbidden in libsqlite3 libpcap libssl libcrypto libmariadb libsodium libhttp_parser; do
  if grep -q "^$forbidden" <<<"$bus_needed"; then echo "FAIL: decnet-bus needs $forbidden"; fail=1; fi
done
echo "checked $checked worker(s)"
[[ $checked -gt 0 ]] || { echo "FAIL: no worker checked"; exit 1; }
exit $fail
