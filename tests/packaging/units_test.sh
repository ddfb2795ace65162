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
unit_file() {  # unit_file NAME TEMPLATED
  if [[ -n $2 || $1 == decky ]]; then echo "$tmp/units/decnet-$1@.service"; else echo "$tmp/units/decnet-$1.service"; fi
}
unit_val() { sed -n "s/^$2=//p" "$(unit_file "$1" "$3")" | tail -1; }
# Roles (issue 14, finding 3): the groups beyond decnet and the writable paths besides the lock dir.
declare -A want_groups=([collector]="decnet-ingest" [sniffer]="decnet-ingest" [ingester]="decnet-ingest decnet-db"
  [profiler]="decnet-db" [reuse-correlator]="decnet-db" [api]="decnet-db")
declare -A want_rw=([bus]="/run/decnet" [collector]="/var/log/decnet /var/lib/decnet/syslog"
  [sniffer]="/var/log/decnet" [ingester]="/var/lib/decnet/db" [profiler]="/var/lib/decnet/db"
  [reuse-correlator]="/var/lib/decnet/db" [api]="/var/lib/decnet/db")
sysusers="$src/packaging/systemd/decnet.sysusers"
while IFS=$'\x1f' read -r name exe _shlibs caps fams _desc instance; do
  [[ -z $name || $name == \#* ]] && continue
  u=$(unit_file "$name" "$instance")
  check "$(basename "$u") written" test -s "$u" || continue
  exe_line="ExecStart=$bld/bin/$exe"
  [[ $u == *@.service ]] && exe_line="ExecStart=$bld/bin/$exe --decky %i"
  for d in Type=notify NotifyAccess=main Restart=on-failure RestartPreventExitStatus=2 "User=$exe" \
           PartOf=decnet.target WantedBy=decnet.target NoNewPrivileges=yes \
           ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
           ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
           ProtectControlGroups=yes RestrictNamespaces=yes LockPersonality=yes \
           MemoryDenyWriteExecute=yes SystemCallFilter=@system-service PrivateMounts=yes "$exe_line"; do
    check "$(basename "$u") has $d" grep -qxF "$d" "$u"
  done
  if [[ -n $caps ]]; then
    check "$(basename "$u") may drop its capabilities (capset allowed back)" grep -qxF "SystemCallFilter=capset" "$u"
  else
    check "$(basename "$u") has no capset" test -z "$(grep -xF "SystemCallFilter=capset" "$u")"
  fi
  want_umask=0027; [[ $u == *@.service ]] && want_umask=0077
  check "$(basename "$u") UMask=$want_umask" grep -qxF "UMask=$want_umask" "$u"
  # Finding 2: no unit loads the secrets into its environment; only the api gets the credential.
  check "$(basename "$u") has no EnvironmentFile of secrets" \
    test -z "$(grep -E '^EnvironmentFile=.*(secret|jwt)' "$u")"
  if [[ $name == api ]]; then
    check "api loads the JWT credential" grep -qxF "LoadCredential=jwt_secret:/etc/decnet/jwt_secret" "$u"
  else
    check "$(basename "$u") has no credential" test -z "$(grep -E '^(Load|Set)Credential' "$u")"
  fi
  # Finding 3: own user, own group (the bus: decnet, for its socket), the role's groups and paths.
  want_group=$exe; [[ $name == bus ]] && want_group=decnet
  check "$(basename "$u") Group=$want_group" grep -qxF "Group=$want_group" "$u"
  want_supp="decnet${want_groups[$name]:+ ${want_groups[$name]}}"
  [[ $name == bus ]] && want_supp=""
  check "$(basename "$u") SupplementaryGroups '$(unit_val "$name" SupplementaryGroups "$instance")' == '$want_supp'" \
    test "$(unit_val "$name" SupplementaryGroups "$instance")" == "$want_supp"
  want_paths="${want_rw[$name]:+${want_rw[$name]} }/var/lib/decnet/locks"
  check "$(basename "$u") ReadWritePaths '$(unit_val "$name" ReadWritePaths "$instance")' == '$want_paths'" \
    test "$(unit_val "$name" ReadWritePaths "$instance")" == "$want_paths"
  check "$(basename "$u") uses no shared StateDirectory/RuntimeDirectory (they chown to the unit's user)" \
    test -z "$(grep -E '^(StateDirectory|RuntimeDirectory|LogsDirectory)=decnet$' "$u")"
  check "decnet.sysusers creates user $exe" grep -qE "^u +$exe +" "$sysusers"
  for g in decnet ${want_groups[$name]:-}; do
    [[ $name == bus ]] && break
    check "decnet.sysusers puts $exe in group $g" grep -qE "^m +$exe +$g *$" "$sysusers"
  done
  if [[ $u == *@.service ]]; then
    for d in "NetworkNamespacePath=/run/netns/decnet-%i" "EnvironmentFile=/etc/decnet/deckies/%i.env" \
             "StateDirectory=decnet/deckies/%i"; do
      check "$(basename "$u") has $d" grep -qxF "$d" "$u"
    done
  fi
  for k in WatchdogSec TasksMax LimitNOFILE; do
    check "$(basename "$u") sets $k" grep -q "^$k=[0-9]" "$u"
  done
  if [[ $name != bus ]]; then
    check "$(basename "$u") orders after the bus" grep -qx "After=decnet-bus.service" "$u"
  fi
  want_caps=${caps//,/ }
  check "$(basename "$u") capabilities '$(unit_val "$name" CapabilityBoundingSet "$instance")' == worker list '$want_caps'" \
    test "$(unit_val "$name" CapabilityBoundingSet "$instance")" == "$want_caps"
  check "$(basename "$u") ambient capabilities follow the list" \
    test "$(unit_val "$name" AmbientCapabilities "$instance")" == "$want_caps"
  check "$(basename "$u") families '$(unit_val "$name" RestrictAddressFamilies "$instance")' == worker list '${fams//,/ }'" \
    test "$(unit_val "$name" RestrictAddressFamilies "$instance")" == "${fams//,/ }"
  pss=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$budgets")
  high=$(( (8192 + 16 * pss + 1023) / 1024 ))
  check "$(basename "$u") MemoryHigh=${high}M (8 MiB + 16 x $pss KiB)" test "$(unit_val "$name" MemoryHigh "$instance")" == "${high}M"
  check "$(basename "$u") MemoryMax=$((2 * high))M" test "$(unit_val "$name" MemoryMax "$instance")" == "$((2 * high))M"
done < <(tr '\t' '\037' < "$workers")

# A template is verified through an instance of it (systemd-analyze cannot load a bare foo@.service).
for t in "$tmp"/units/*@.service; do
  [[ -e $t ]] && cp "$t" "${t%@.service}@proof.service" && rm "$t"
done
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
printf 'decky\tdecnet-decky\tlibuv.so\tCAP_NET_BIND_SERVICE\tAF_UNIX,AF_INET\tone decky\t--decky x\n' >> "$tmp/w.tsv"
mkdir -p "$tmp/src"
check "gen-debian.sh" bash "$src/packaging/debian/gen-debian.sh" "$tmp/w.tsv" "$tmp/src" "core;bus"
if command -v dh_listpackages >/dev/null; then
  got=$(cd "$tmp/src" && dh_listpackages 2>&1 | sort | tr '\n' ' ')
  want="decnet-bus decnet-collector decnet-common decnet-decky decnet-ingester decnet-master decnet-sensor decnet-sniffer "
  check "packages '$got' == '$want'" test "$got" == "$want"
fi
depends() { awk -v p="$1" '/^Package:/ {cur=$2} cur==p && /^Depends:/ {print}' "$tmp/src/debian/control"; }
check "decnet-sensor = bus + collector + sniffer + decky" \
  test "$(depends decnet-sensor)" == 'Depends: ${misc:Depends}, decnet-common, decnet-bus, decnet-collector, decnet-sniffer, decnet-decky'
check "decnet-master = bus + ingester" \
  test "$(depends decnet-master)" == 'Depends: ${misc:Depends}, decnet-common, decnet-bus, decnet-ingester'
check "sniffer package says its capabilities" grep -q "only CAP_NET_RAW and CAP_NET_ADMIN" "$tmp/src/debian/control"
check "ingester .install" grep -qx "usr/sbin/decnet-ingester" "$tmp/src/debian/decnet-ingester.install"
check "ingester unit in its package" grep -qx "lib/systemd/system/decnet-ingester.service" \
  "$tmp/src/debian/decnet-ingester.install"
check "decky package ships the template unit" grep -qx "lib/systemd/system/decnet-decky@.service" \
  "$tmp/src/debian/decnet-decky.install"
check "components recorded for debian/rules" grep -qx "core;bus" "$tmp/src/debian/decnet-components"
check "no description line over 80 columns" test -z "$(awk '/^(Description:| )/ && length > 80' "$tmp/src/debian/control")"

# --- 4. the api takes its JWT secret from the systemd credential (issue 14, finding 2) ---------------
if [[ -x $bld/bin/decnet-api ]]; then
  mkdir -p "$tmp/cred" "$tmp/api-state"
  printf 'credential-secret-%s\n' "$RANDOM$RANDOM$RANDOM" > "$tmp/cred/jwt_secret"
  run_api() {  # the api without DECNET_JWT_SECRET; exits 2 at once when it finds no secret
    env -u DECNET_JWT_SECRET -u DECNET_CONFIG DECNET_STATE_DIR="$tmp/api-state" \
      DECNET_BUS_SOCKET="$tmp/api-state/none.sock" DECNET_LISTEN=127.0.0.1:0 "$@" \
      timeout 3 "$bld/bin/decnet-api" > "$tmp/api.out" 2>&1
  }
  run_api; rc=$?
  check "api without a secret exits 2 (got $rc)" test $rc -eq 2
  run_api CREDENTIALS_DIRECTORY="$tmp/cred"; rc=$?
  check "api with only \$CREDENTIALS_DIRECTORY/jwt_secret starts (rc $rc: $(head -c 300 "$tmp/api.out"))" \
    test $rc -eq 124
  check "api with a credential does not complain about jwt_secret" test -z "$(grep jwt_secret "$tmp/api.out")"
fi

echo "$((checks - fails)) passed, $fails failed"
((fails == 0))
