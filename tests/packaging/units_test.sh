#!/bin/bash
# packaging_units: the unit generator and the debian/ stager, on this build's real worker list.
#  1. gen-units.sh writes one unit per row of build/workers.tsv; systemd-analyze verify accepts every
#     unit with the target (ExecStart pointing at this build's binaries); each unit carries the contract
#     (Type=notify, watchdog, restart policy, user, memory derived from the budget by the documented rule,
#     capabilities and address families exactly from the worker list, the hardening set); an offline
#     systemd-analyze security score is printed for each.
#  2. Hostile worker lists (no budget, bad capability, bad name) fail with exit 2 and a message.
#  3. gen-debian.sh stages debian/ from a worker list: one package per worker, the roles of the
#     meta-packages, .install files, a control file dh accepts.
set -uo pipefail
src=${DECNET_SOURCE_DIR:?} bld=${DECNET_BINARY_DIR:?}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  checks=$((checks + 1))
  if "$@"; then return 0; fi
  echo "FAIL: $what"
  fails=$((fails + 1))
}
if ! command -v systemd-analyze >/dev/null; then
  echo "FAIL: systemd-analyze not found (Debian package systemd)"
  exit 1
fi

# --- 1. the real worker list -------------------------------------------------------------------------
workers="$bld/workers.tsv" budgets="$src/bench/floor_budgets.tsv"
check "gen-units.sh on $workers" bash "$src/packaging/gen-units.sh" "$workers" "$budgets" "$tmp/units" "$bld/bin"
cp "$src/packaging/systemd/decnet.target" "$tmp/units/"
unit_val() { sed -n "s/^$2=//p" "$tmp/units/decnet-$1.service" | tail -1; }
while IFS=$'\x1f' read -r name exe _shlibs caps fams _desc; do
  [[ -z $name || $name == \#* ]] && continue
  u="$tmp/units/$exe.service"
  check "$exe.service written" test -s "$u" || continue
  for d in Type=notify NotifyAccess=main Restart=on-failure RestartPreventExitStatus=2 User=decnet \
           Group=decnet PartOf=decnet.target WantedBy=decnet.target NoNewPrivileges=yes \
           ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
           ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
           ProtectControlGroups=yes RestrictNamespaces=yes LockPersonality=yes \
           MemoryDenyWriteExecute=yes SystemCallFilter=@system-service RuntimeDirectory=decnet \
           RuntimeDirectoryPreserve=yes "ReadWritePaths=/var/lib/decnet /var/log/decnet /run/decnet" \
           "ExecStart=$bld/bin/$exe"; do
    check "$exe.service has $d" grep -qxF "$d" "$u"
  done
  for k in WatchdogSec TasksMax LimitNOFILE; do
    check "$exe.service sets $k" grep -q "^$k=[0-9]" "$u"
  done
  if [[ $name != bus ]]; then
    check "$exe.service orders after the bus" grep -qx "After=decnet-bus.service" "$u"
  fi
  want_caps=${caps//,/ }
  check "$exe.service capabilities '$(unit_val "$name" CapabilityBoundingSet)' == worker list '$want_caps'" \
    test "$(unit_val "$name" CapabilityBoundingSet)" == "$want_caps"
  check "$exe.service ambient capabilities follow the list" \
    test "$(unit_val "$name" AmbientCapabilities)" == "$want_caps"
  check "$exe.service families '$(unit_val "$name" RestrictAddressFamilies)' == worker list '${fams//,/ }'" \
    test "$(unit_val "$name" RestrictAddressFamilies)" == "${fams//,/ }"
  pss=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$budgets")
  high=$(( (8192 + 16 * pss + 1023) / 1024 ))
  check "$exe.service MemoryHigh=${high}M (8 MiB + 16 x $pss KiB)" test "$(unit_val "$name" MemoryHigh)" == "${high}M"
  check "$exe.service MemoryMax=$((2 * high))M" test "$(unit_val "$name" MemoryMax)" == "$((2 * high))M"
done < <(tr '\t' '\037' < "$workers")

if ! systemd-analyze verify --man=no "$tmp"/units/*.service "$tmp/units/decnet.target" > "$tmp/verify.log" 2>&1 ||
   grep -q . "$tmp/verify.log"; then
  echo "FAIL: systemd-analyze verify:"; cat "$tmp/verify.log"; fails=$((fails + 1))
fi
checks=$((checks + 1))
echo "systemd-analyze security --offline (exposure, lower is better):"
for u in "$tmp"/units/decnet-*.service; do
  score=$(systemd-analyze security --offline=yes --no-pager "$u" 2>/dev/null |
          sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]* [A-Z]*\).*/\1/p')
  printf '  %-28s %s\n' "$(basename "$u")" "${score:-?}"
  check "security score for $(basename "$u")" test -n "$score"
done

# --- 2. hostile worker lists -------------------------------------------------------------------------
printf 'bus\t600\t200\n' > "$tmp/b.tsv"
expect_exit2() {  # expect_exit2 WHAT TSV-ROW PATTERN
  printf '%b\n' "$2" > "$tmp/w.tsv"
  bash "$src/packaging/gen-units.sh" "$tmp/w.tsv" "$tmp/b.tsv" "$tmp/bad" > "$tmp/out" 2>&1
  local rc=$?
  check "$1: exit 2 (got $rc)" test $rc -eq 2
  check "$1: message names the problem" grep -q "$3" "$tmp/out"
}
expect_exit2 "worker without budget" 'nobudget\tdecnet-nobudget\t\t\tAF_UNIX\tx' "no line in the floor budgets"
expect_exit2 "bad capability" 'bus\tdecnet-bus\t\tCAP_NET_RAW;rm -rf\tAF_UNIX\tx' "bad capability"
expect_exit2 "bad family" 'bus\tdecnet-bus\t\t\tAF_UNIX\nbus2\tdecnet-bus2\t\t\tINET\tx' "no line\|bad address"
expect_exit2 "bad name" 'Bus/../x\tdecnet-Bus/../x\t\t\tAF_UNIX\tx' "bad worker name"
expect_exit2 "empty list" '# name' "no worker"

# --- 3. debian/ staging ------------------------------------------------------------------------------
printf '# name\texecutable\tshlibs\tcaps\tfamilies\tdescription\n' > "$tmp/w.tsv"
printf 'bus\tdecnet-bus\tlibuv.so\t\tAF_UNIX\thost-local pub/sub broker\n' >> "$tmp/w.tsv"
printf 'collector\tdecnet-collector\tlibuv.so\t\tAF_UNIX,AF_INET,AF_INET6\tsyslog collector\n' >> "$tmp/w.tsv"
printf 'sniffer\tdecnet-sniffer\tlibpcap.so\tCAP_NET_RAW,CAP_NET_ADMIN\tAF_UNIX,AF_PACKET\tpassive capture\n' >> "$tmp/w.tsv"
printf 'ingester\tdecnet-ingester\tlibsqlite3.so\t\tAF_UNIX\ttail the ingest JSON into the DB\n' >> "$tmp/w.tsv"
mkdir -p "$tmp/src"
check "gen-debian.sh" bash "$src/packaging/debian/gen-debian.sh" "$tmp/w.tsv" "$tmp/src" "core;bus"
if command -v dh_listpackages >/dev/null; then
  got=$(cd "$tmp/src" && dh_listpackages 2>&1 | sort | tr '\n' ' ')
  want="decnet-bus decnet-collector decnet-common decnet-ingester decnet-master decnet-sensor decnet-sniffer "
  check "packages '$got' == '$want'" test "$got" == "$want"
fi
depends() { awk -v p="$1" '/^Package:/ {cur=$2} cur==p && /^Depends:/ {print}' "$tmp/src/debian/control"; }
check "decnet-sensor = bus + collector + sniffer" \
  test "$(depends decnet-sensor)" == 'Depends: ${misc:Depends}, decnet-common, decnet-bus, decnet-collector, decnet-sniffer'
check "decnet-master = bus + ingester" \
  test "$(depends decnet-master)" == 'Depends: ${misc:Depends}, decnet-common, decnet-bus, decnet-ingester'
check "sniffer package says its capabilities" grep -q "only CAP_NET_RAW and CAP_NET_ADMIN" "$tmp/src/debian/control"
check "ingester .install" grep -qx "usr/sbin/decnet-ingester" "$tmp/src/debian/decnet-ingester.install"
check "ingester unit in its package" grep -qx "lib/systemd/system/decnet-ingester.service" \
  "$tmp/src/debian/decnet-ingester.install"
check "components recorded for debian/rules" grep -qx "core;bus" "$tmp/src/debian/decnet-components"
check "no description line over 80 columns" test -z "$(awk '/^(Description:| )/ && length > 80' "$tmp/src/debian/control")"

echo "$((checks - fails)) passed, $fails failed"
((fails == 0))
