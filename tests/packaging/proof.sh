#!/bin/bash
# The packaging proof (issue 10): build the .debs, install them with apt-get in a Debian 12 root, boot
# systemd in it with systemd-nspawn, run the fleet under decnet.target, measure it, stop it, remove and
# purge it, and check what each step left. Prints the table: unit, state, PSS, MemoryCurrent, MemoryMax,
# security exposure; then the privilege table (issue 14, findings 2 and 3): per unit its user, its
# capabilities (CapEff/CapPrm/CapBnd of the running process, decoded), which state files and
# directories it can write and whether it can read the JWT secret, both tried as that process (its
# uid, gids and mount namespace, via nsenter + setpriv), and systemd-analyze security before (the
# units of BASELINE_COMMIT's generator) and after. Asserts that no worker but the api can read the
# secret and that the collector, the sniffer and the decky cannot write the DB.
#
# Needs root (dpkg-buildpackage, debootstrap, systemd-nspawn); as any other user it prints SKIP.
# Env: DECNET_SOURCE_DIR, DECNET_BINARY_DIR (set by ctest); DECNET_PROOF_CACHE (where the debootstrap
# tarball is kept, default $DECNET_BINARY_DIR/.cache; made only when missing);
# DECNET_PROOF_MIRROR (default http://deb.debian.org/debian); DECNET_PROOF_KEEP=1 keeps the root;
# DECNET_PROOF_PKGDIR=<an OUTDIR of packaging/debian/build-debs.sh> reuses packages already built.
# Every step has a timeout; the container is killed on any exit.
set -uo pipefail

if [[ $(id -u) != 0 ]]; then
  echo "SKIP: the packaging proof needs root (dpkg-buildpackage, debootstrap, systemd-nspawn --boot)"
  exit 77
fi
src=${DECNET_SOURCE_DIR:?set by ctest}
bld=${DECNET_BINARY_DIR:?set by ctest}
work="$bld/packaging-proof"
cache=${DECNET_PROOF_CACHE:-$bld/.cache}
mirror=${DECNET_PROOF_MIRROR:-http://deb.debian.org/debian}
tarball="$cache/debootstrap-bookworm.tar"
root="$work/root"
failures=0
nspawn_pid="" ct=""

log() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }
failed_checks=()
fail() { echo "FAIL: $*"; failures=$((failures + 1)); failed_checks+=("$*"); }
die() {
  echo "FAIL: $*"
  dump_journal
  exit 1
}

# --- tools -------------------------------------------------------------------------------------------
need_pkgs=()
for pair in debootstrap:debootstrap systemd-nspawn:systemd-container dpkg-buildpackage:dpkg-dev \
            dh:debhelper help2man:help2man lintian:lintian nsenter:util-linux fakeroot:fakeroot; do
  command -v "${pair%%:*}" >/dev/null || need_pkgs+=("${pair#*:}")
done
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
    "${need_pkgs[@]}" >/dev/null || die "cannot install ${need_pkgs[*]}"
fi

# --- container helpers -------------------------------------------------------------------------------
# in_ct SECONDS CMD...: runs CMD inside the booted container (all of PID 1's namespaces), bounded.
in_ct() {
  local t=$1; shift
  timeout --kill-after=5 "$t" nsenter -t "$ct" -m -u -i -n -p -C -- \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
dump_journal() {
  [[ -n $ct ]] || return 0
  echo "---- container journal (decnet units, last 60 lines) ----"
  in_ct 20 journalctl --no-pager -n 60 -u 'decnet*' 2>&1 | sed 's/^/   /'
}
cleanup() {
  if [[ -n $nspawn_pid ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
    [[ -n $ct ]] && in_ct 10 systemctl poweroff >/dev/null 2>&1
    for _ in $(seq 1 40); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$nspawn_pid" 2>/dev/null; then
      # Killing the container's PID 1 ends its whole PID namespace; then nspawn exits.
      [[ -n $ct ]] && kill -KILL "$ct" 2>/dev/null
      sleep 1
      kill -KILL "$nspawn_pid" 2>/dev/null
    fi
    wait "$nspawn_pid" 2>/dev/null
  fi
  if [[ ${DECNET_PROOF_KEEP:-0} != 1 ]] && ! { [[ -n $nspawn_pid ]] && kill -0 "$nspawn_pid" 2>/dev/null; }; then
    rm -rf "$root"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- 1. packages -------------------------------------------------------------------------------------
pkgdir="$work/pkg"
if [[ -n ${DECNET_PROOF_PKGDIR:-} ]]; then
  pkgdir=$DECNET_PROOF_PKGDIR
  log "using the packages already built in $pkgdir"
else
  components=$(sed -n 's/^DECNET_COMPONENTS:STRING=//p' "$bld/CMakeCache.txt" 2>/dev/null)
  log "building packages (components: ${components:-all})"
  DECNET_COMPONENTS="$components" timeout 2400 bash "$src/packaging/debian/build-debs.sh" "$pkgdir" \
    || die "the packages did not build (logs in $pkgdir)"
fi
debs=()
for d in "$pkgdir"/debs/*.deb; do [[ $d == *-dbgsym_* || ! -e $d ]] || debs+=("$d"); done
((${#debs[@]})) || die "no package in $pkgdir/debs"
# Ordinary workers (one unit each) and templated ones (7th column, or the decky: one unit per instance).
workers=() templated=()
declare -A instance_args=()
pkg_workers_tsv=$(ls "$pkgdir/stage/decnet-"*/debian/workers.tsv | head -1)
while IFS=$'\x1f' read -r name _exe _shlibs _caps _fams _desc inst; do
  [[ -z $name || $name == \#* ]] && continue
  if [[ -n $inst || $name == decky ]]; then templated+=("$name"); instance_args[$name]=$inst; else workers+=("$name"); fi
done < <(tr '\t' '\037' < "$pkg_workers_tsv")
((${#workers[@]})) || die "no worker in the package build's workers.tsv"
log "workers: ${workers[*]}${templated[*]:+; templated: ${templated[*]}}"

# --- 2. Debian 12 root -------------------------------------------------------------------------------
if [[ ! -s $tarball ]]; then
  log "debootstrap bookworm -> $tarball (once; cached)"
  mkdir -p "$cache"
  rm -rf "$cache/bootstrap-tmp"
  timeout 1200 debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,sqlite3,procps \
    bookworm "$cache/bootstrap-tmp" "$mirror" > "$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log"; die "debootstrap failed"; }
  tar -C "$cache/bootstrap-tmp" -cf "$tarball.new" . && mv "$tarball.new" "$tarball"
  rm -rf "$cache/bootstrap-tmp"
fi
rm -rf "$root" && mkdir -p "$root"
tar -C "$root" -xf "$tarball" || die "cannot unpack $tarball"
mkdir -p "$root/debs" && cp "${debs[@]}" "$root/debs/"

# --- 3. fetch the Debian dependencies (host network), then boot with a private network --------------
# The booted container has its own network namespace, so the fleet's ports (collector udp/5514, api
# 8000) never meet the host's; apt downloads what the packages depend on beforehand.
log "apt-get update + download of the dependencies (systemd-nspawn, host network)"
timeout --kill-after=10 600 systemd-nspawn --quiet --keep-unit --register=no -D "$root" --pipe \
  --resolv-conf=copy-host --setenv=DEBIAN_FRONTEND=noninteractive \
  sh -c 'apt-get update -qq && apt-get install -y -q --download-only /debs/*.deb' \
  > "$work/apt-download.log" 2>&1 || { tail -30 "$work/apt-download.log"; die "apt-get download failed"; }
log "booting systemd in $root"
systemd-nspawn --boot --keep-unit --register=no -D "$root" \
  --machine="decnet-proof-$$" --console=passive --private-network \
  > "$work/console.log" 2>&1 &
nspawn_pid=$!  # nspawn itself (not a wrapper), so cleanup can stop the container it runs
for _ in $(seq 1 60); do
  for child in $(pgrep -P "$nspawn_pid"; for c in $(pgrep -P "$nspawn_pid"); do pgrep -P "$c"; done); do
    [[ $(cat "/proc/$child/comm" 2>/dev/null) == systemd ]] && ct=$child
  done
  [[ -n $ct ]] && break
  sleep 0.5
done
[[ -n $ct ]] || { cat "$work/console.log"; die "no systemd PID 1 under systemd-nspawn after 30 s"; }
state=""
for _ in $(seq 1 60); do  # PID 1 may not be listening yet on its private socket
  state=$(in_ct 120 systemctl is-system-running --wait 2>/dev/null)
  [[ -n $state ]] && break
  sleep 0.5
done
[[ $state == running || $state == degraded ]] || die "container system state '$state'"
log "container PID 1 is host pid $ct; system $state"

# --- 4. install with apt-get -------------------------------------------------------------------------
log "apt-get install ${debs[*]##*/}"
in_ct 600 sh -c 'apt-get install -y -q /debs/*.deb' > "$work/apt-install.log" 2>&1 \
  || { tail -30 "$work/apt-install.log"; die "apt-get install of the packages failed"; }
# (dbgsym packages are in pkg/debs but not copied into /debs.)
for w in "${workers[@]}" "${templated[@]}"; do
  in_ct 10 getent passwd "decnet-$w" >/dev/null || fail "user decnet-$w not created"
done
# The layout of packaging/systemd/decnet.tmpfiles (README "Packages and units").
for pair in "/var/lib/decnet=root:decnet 750" "/var/lib/decnet/db=root:decnet-db 2770" \
            "/var/lib/decnet/locks=root:decnet 1770" "/var/lib/decnet/syslog=decnet-collector:decnet 2750" \
            "/var/lib/decnet/deckies=root:decnet 750" "/var/log/decnet=root:decnet-ingest 2770" \
            "/run/decnet=decnet-bus:decnet 750"; do
  d=${pair%%=*}
  got=$(in_ct 10 stat -c '%U:%G %a' "$d" 2>/dev/null)
  [[ $got == "${pair#*=}" ]] || fail "$d is '$got', want '${pair#*=}'"
done
got=$(in_ct 10 stat -c '%U:%G %a' /etc/decnet/jwt_secret 2>/dev/null)
[[ $got == "root:root 600" ]] || fail "/etc/decnet/jwt_secret is '$got', want 'root:root 600'"
in_ct 10 grep -Eqx '[0-9a-f]{64}' /etc/decnet/jwt_secret || fail "no JWT secret generated"
in_ct 10 test -e /etc/decnet/secrets.env && fail "/etc/decnet/secrets.env exists (every unit could load it)"
in_ct 10 dpkg-query -W -f='${Conffiles}\n' decnet-common | grep -q /etc/decnet/decnet.ini \
  || fail "/etc/decnet/decnet.ini is not a conffile"
in_ct 10 systemctl is-enabled -q decnet.target || fail "decnet.target not enabled"
for w in "${workers[@]}"; do
  in_ct 10 systemctl is-enabled -q "decnet-$w.service" || fail "decnet-$w.service not enabled"
  [[ $(in_ct 10 systemctl is-active "decnet-$w.service") == inactive ]] \
    || fail "decnet-$w.service started by the install (units are installed enabled, not started)"
done

# --- 5. start the fleet ------------------------------------------------------------------------------
log "systemctl start decnet.target"
in_ct 90 systemctl start decnet.target || fail "systemctl start decnet.target failed"
prop() { in_ct 10 systemctl show -P "$2" "decnet-$1.service"; }
for w in "${workers[@]}"; do
  for _ in $(seq 1 30); do
    [[ $(prop "$w" ActiveState) == active ]] && break
    sleep 1
  done
  # Type=notify: active/running only after the worker's READY=1.
  s="$(prop "$w" ActiveState)/$(prop "$w" SubState)"
  [[ $s == active/running ]] || fail "decnet-$w.service is $s after start"
done
[[ $(in_ct 10 stat -c '%G %a' /run/decnet/bus.sock 2>/dev/null) == "decnet 660" ]] \
  || fail "/run/decnet/bus.sock is not group decnet mode 0660"

# --- 5b. one decky instance (templated worker) in its own network namespace --------------------------
# The deploy's side of the contract (packaging/systemd/README.md): netns decnet-<decky> and
# /etc/decnet/deckies/<decky>.env. The services are the ones the floor harness runs (7th column).
deckies=()
for t in "${templated[@]}"; do
  [[ $t == decky ]] || continue
  if ! in_ct 10 test -x /usr/sbin/decnet-decky; then fail "decnet-decky not installed"; continue; fi
  services=$(sed -n 's/.*--services \([^ ]*\).*/\1/p' <<< "${instance_args[decky]}")
  in_ct 20 sh -c 'mkdir -p /run/netns /etc/decnet/deckies && touch /run/netns/decnet-proof &&
    unshare --net=/run/netns/decnet-proof true 2>/dev/null ||
    { mount --bind /run/netns /run/netns && mount --make-private /run/netns &&
      unshare --net=/run/netns/decnet-proof true; }' || fail "cannot make the network namespace decnet-proof"
  in_ct 10 sh -c "umask 077; printf 'DECNET_SERVICES=%s\n' '${services:-tftp}' > /etc/decnet/deckies/proof.env"
  log "systemctl start decnet-decky@proof.service (services ${services:-tftp})"
  in_ct 60 systemctl start decnet-decky@proof.service || fail "decnet-decky@proof.service did not start"
  [[ $(in_ct 10 systemctl is-active decnet-decky@proof.service) == active ]] && deckies+=(decky@proof)
done

# --- 6. a syslog line through the collector into the DB ----------------------------------------------
if [[ " ${workers[*]} " == *" collector "* ]]; then
  marker="proof-$$-$RANDOM"
  # The collector's default UDP listener, as its --help states it (udp://127.0.0.1:PORT).
  port=$(in_ct 10 decnet-collector --help 2>&1 | grep -o 'udp://127.0.0.1:[0-9]*' | head -1)
  port=${port##*:}
  port=${port:-5514}
  log "feeding one RFC 5424 line to the collector (udp/$port), marker $marker"
  in_ct 10 logger --rfc5424=notq -d -n 127.0.0.1 -P "$port" -t ssh --msgid login_attempt \
    --sd-id relay@55555 --sd-param 'src_ip="203.0.113.7"' --sd-param 'username="root"' \
    "login attempt $marker" || fail "logger failed"
  found=""
  for _ in $(seq 1 20); do
    in_ct 5 grep -qs "$marker" /var/log/decnet/decnet.json && found=json && break
    sleep 0.5
  done
  [[ $found ]] || fail "the collector did not write the line to /var/log/decnet/decnet.json"
  if [[ $found && " ${workers[*]} " == *" ingester "* ]]; then
    rows=0
    for _ in $(seq 1 30); do
      rows=$(in_ct 10 sqlite3 -readonly /var/lib/decnet/db/decnet.db \
             "SELECT count(*) FROM logs WHERE raw_line LIKE '%$marker%' OR msg LIKE '%$marker%';" 2>/dev/null)
      [[ ${rows:-0} -ge 1 ]] && break
      sleep 1
    done
    [[ ${rows:-0} -ge 1 ]] && log "the line is in the DB" || fail "the line never reached the DB's logs table"
  fi
else
  log "no collector package in this build: the syslog feed check is skipped"
fi

# --- 7. the bus restarts without taking the fleet (or its socket directory) down ---------------------
in_ct 30 systemctl restart decnet-bus.service || fail "restart decnet-bus failed"
in_ct 10 test -d /run/decnet || fail "/run/decnet gone after a bus restart"
for w in "${workers[@]}"; do
  [[ $(prop "$w" ActiveState) == active ]] || fail "decnet-$w.service not active after a bus restart"
done

# --- 8. measure --------------------------------------------------------------------------------------
unit_files=(/lib/systemd/system/decnet.target)
for w in "${workers[@]}"; do unit_files+=("/lib/systemd/system/decnet-$w.service"); done
in_ct 60 systemd-analyze verify --man=no "${unit_files[@]}" > "$work/verify.log" 2>&1 \
  || fail "systemd-analyze verify failed"
if grep -q decnet "$work/verify.log"; then fail "systemd-analyze verify complained:"; cat "$work/verify.log"; fi
declare -A row
mem_note=""
for w in "${workers[@]}"; do
  pid=$(prop "$w" MainPID)
  pss=$(in_ct 10 awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
  cur=$(prop "$w" MemoryCurrent) max=$(prop "$w" MemoryMax)
  if [[ $cur =~ ^[0-9]+$ ]]; then
    [[ $max =~ ^[0-9]+$ ]] && ((cur > max)) && fail "decnet-$w MemoryCurrent $cur > MemoryMax $max"
    cur="$((cur / 1024)) KiB"
  else
    cur="n/a" mem_note=1
  fi
  [[ $max =~ ^[0-9]+$ ]] && max="$((max / 1048576)) MiB" || fail "decnet-$w has no MemoryMax ($max)"
  exposure=$(in_ct 60 systemd-analyze security --no-pager "decnet-$w.service" 2>/dev/null |
             sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]* [A-Z]*\).*/\1/p')
  row[$w]="$(prop "$w" ActiveState)/$(prop "$w" SubState)|${pss:-?} KiB|$cur|$max|${exposure:-?}"
  [[ -n $pss ]] || fail "no PSS for decnet-$w (pid $pid)"
  [[ -n $exposure ]] || fail "no systemd-analyze security score for decnet-$w"
done

# --- 8b. privileges per unit (issue 14, findings 2 and 3) ---------------------------------------------
# Every probe runs as the unit's process itself: its uid, gid and supplementary groups from
# /proc/PID/status, inside its mount namespace (so ProtectSystem=/ReadWritePaths= count as they do for
# the worker); `test -w` asks the kernel (DAC and read-only mounts), nothing is written.
capnames=(chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap linux_immutable
  net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio sys_chroot
  sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease
  audit_write audit_control setfcap mac_override mac_admin syslog wake_alarm block_suspend audit_read
  perfmon bpf checkpoint_restore)
decode_caps() {  # hex mask -> "net_admin,net_raw" | "-" | "all"
  local v=$((16#$1)) out=() i
  ((v == 0)) && { echo -; return; }
  for i in "${!capnames[@]}"; do ((v >> i & 1)) && out+=("${capnames[$i]}"); done
  ((${#out[@]} == ${#capnames[@]})) && { echo all; return; }
  local IFS=,; echo "${out[*]}"
}
probe_paths=(/etc/decnet /var/lib/decnet /var/lib/decnet/db /var/lib/decnet/db/decnet.db
  /var/lib/decnet/locks /var/lib/decnet/syslog /var/lib/decnet/deckies /var/lib/decnet/fleet-seed
  /var/log/decnet /var/log/decnet/decnet.json /var/log/decnet/decnet.log /run/decnet)
secret_paths=(/etc/decnet/jwt_secret /etc/decnet/secrets.env /run/credentials/decnet-api.service/jwt_secret)
declare -A priv
units=("${workers[@]}" "${deckies[@]}")
for w in "${units[@]}"; do
  unit="decnet-$w.service"
  pid=$(in_ct 10 systemctl show -P MainPID "$unit")
  [[ $pid =~ ^[1-9][0-9]*$ ]] || { fail "$unit has no main process"; continue; }
  st=$(in_ct 10 cat "/proc/$pid/status")
  uid=$(awk '/^Uid:/ {print $2}' <<< "$st") gid=$(awk '/^Gid:/ {print $2}' <<< "$st")
  grps=$(awk '/^Groups:/ {$1=""; print}' <<< "$st" | xargs | tr ' ' ,)
  user=$(in_ct 10 getent passwd "$uid" | cut -d: -f1)
  gnames=$(in_ct 10 getent group ${grps//,/ } | cut -d: -f1 | sort | xargs | tr ' ' ,)
  caps="eff=$(decode_caps "$(awk '/^CapEff:/ {print $2}' <<< "$st")")"
  caps+=" prm=$(decode_caps "$(awk '/^CapPrm:/ {print $2}' <<< "$st")")"
  caps+=" bnd=$(decode_caps "$(awk '/^CapBnd:/ {print $2}' <<< "$st")")"
  extra=()
  [[ $w == decky@* ]] && extra=("/var/lib/decnet/deckies/${w#decky@}")
  # One nsenter per unit: prints "W <path>" per writable path and "R <path>" per readable secret.
  grp_opt=(--clear-groups)
  [[ -n $grps ]] && grp_opt=(--groups="$grps")
  got=$(in_ct 20 nsenter -t "$pid" -m -- setpriv --reuid="$uid" --regid="$gid" "${grp_opt[@]}" -- sh -c '
    for p in "$@"; do
      case $p in
        R:*) head -c1 "${p#R:}" >/dev/null 2>&1 && echo "R ${p#R:}" ;;
        *) test -w "$p" && echo "W $p" ;;
      esac
    done' probe "${probe_paths[@]}" "${extra[@]}" "${secret_paths[@]/#/R:}" 2>&1)
  writes=$(sed -n 's|^W ||p' <<< "$got" | sed 's|^/var/lib/decnet|state|; s|^/var/log/decnet|logs|' | xargs)
  reads=$(sed -n 's|^R ||p' <<< "$got" | xargs)
  env_secret=no
  in_ct 10 sh -c "tr '\\0' '\\n' < /proc/$pid/environ" | grep -q '^DECNET_JWT_SECRET=' && env_secret=yes
  priv[$w]="${user:-$uid}|${gnames:-$grps}|$caps|${writes:--}|${reads:-no}|$env_secret"
  [[ $user == "decnet-${w%@*}" ]] || fail "$unit runs as '$user', want decnet-${w%@*}"
  # Finding 2: the secret reaches the api alone, and only as its credential.
  [[ $env_secret == no ]] || fail "$unit has DECNET_JWT_SECRET in its environment"
  if [[ $w == api ]]; then
    [[ $reads == /run/credentials/decnet-api.service/jwt_secret ]] \
      || fail "the api reads '$reads', want its credential only"
  else
    [[ -z $reads ]] || fail "$unit can read the JWT secret ($reads)"
  fi
  # Finding 3: the workers that parse attacker bytes cannot write the DB.
  if [[ $w == collector || $w == sniffer || $w == decky@* ]]; then
    grep -q '^W /var/lib/decnet/db' <<< "$got" && fail "$unit can write the DB ($writes)"
  fi
done
# The users are all different: one compromised worker is one uid.
dups=$(for w in "${units[@]}"; do cut -d'|' -f1 <<< "${priv[$w]:-}"; done | sort | uniq -d | xargs)
[[ -z $dups ]] || fail "units share a user: $dups"

# systemd-analyze security before/after, offline in the container (same systemd for both): before =
# the units that BASELINE_COMMIT's generator (one user decnet, secrets.env for all) writes for this
# worker list; after = the installed units. Needs the source's git history; "n/a" without it.
BASELINE_COMMIT=1a4993f0da5a8187222ac145280067d0c6cfc66d
declare -A before after
mkdir -p "$root/opt/units-before" "$root/opt/units-after"
if git -C "$src" show "$BASELINE_COMMIT:packaging/gen-units.sh" > "$work/gen-units-before.sh" 2>/dev/null; then
  grep -v '^decky	' "$pkg_workers_tsv" | awk -F'\t' -v OFS='\t' 'NF > 6 {NF = 6} 1' > "$work/workers-before.tsv"
  # The budgets the packages were built with (the staged tree), else this tree's.
  budgets_before=$(ls "$pkgdir"/stage/decnet-*/bench/floor_budgets.tsv 2>/dev/null | head -1)
  bash "$work/gen-units-before.sh" "$work/workers-before.tsv" "${budgets_before:-$src/bench/floor_budgets.tsv}" \
    "$root/opt/units-before" > "$work/gen-before.log" 2>&1 || { cat "$work/gen-before.log"; fail "baseline generator failed"; }
fi
for w in "${units[@]}"; do
  f="/lib/systemd/system/decnet-$w.service"
  [[ $w == decky@* ]] && f="/lib/systemd/system/decnet-${w%@*}@.service"
  cp "$root$f" "$root/opt/units-after/decnet-$w.service"
done
score() { in_ct 60 systemd-analyze security --offline=yes --no-pager "$1" 2>/dev/null |
          sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p'; }
for w in "${units[@]}"; do
  before[$w]=n/a
  [[ -e $root/opt/units-before/decnet-$w.service ]] && before[$w]=$(score "/opt/units-before/decnet-$w.service")
  after[$w]=$(score "/opt/units-after/decnet-$w.service")
  [[ -n ${after[$w]} ]] || fail "no offline security score for decnet-$w"
done

# --- 9. logrotate rotates both ingest files ----------------------------------------------------------
if in_ct 10 test -x /usr/sbin/logrotate; then
  for f in decnet.log decnet.json; do
    in_ct 10 sh -c "test -s /var/log/decnet/$f || { echo rotate-me >> /var/log/decnet/$f; chown decnet-collector:decnet-ingest /var/log/decnet/$f; chmod 0660 /var/log/decnet/$f; }"
  done
  in_ct 60 logrotate -f /etc/logrotate.d/decnet > "$work/logrotate.log" 2>&1 \
    || { cat "$work/logrotate.log"; fail "logrotate failed"; }
  for f in decnet.log decnet.json; do
    in_ct 10 test -e "/var/log/decnet/$f.1" || fail "logrotate did not rotate $f"
  done
else
  fail "logrotate (Recommends of decnet-common) was not installed"
fi

in_ct 30 journalctl --no-pager -u 'decnet*' > "$work/journal.log" 2>&1

# --- 10. stop: every unit exits cleanly --------------------------------------------------------------
log "systemctl stop decnet.target"
# Every decnet unit in the one stop transaction: a unit's Wants=decnet-bus could otherwise queue a
# fresh start of the bus while the target's stop is still running (seen once with the decky instance).
in_ct 90 systemctl stop decnet.target 'decnet-*.service' || fail "systemctl stop decnet.target failed"
for w in "${workers[@]}"; do
  s="$(prop "$w" ActiveState) result=$(prop "$w" Result) status=$(prop "$w" ExecMainStatus)"
  [[ $s == "inactive result=success status=0" ]] || fail "decnet-$w.service after stop: $s"
done
((failures)) && dump_journal

# --- 11. remove keeps the data, purge removes what the install made ----------------------------------
mapfile -t pkgs < <(in_ct 10 dpkg-query -W -f='${Package}\n' 'decnet*')
log "apt-get remove ${pkgs[*]}"
in_ct 300 apt-get remove -y -q "${pkgs[@]}" > "$work/apt-remove.log" 2>&1 || fail "apt-get remove failed"
for p in /etc/decnet/decnet.ini /etc/decnet/jwt_secret /var/lib/decnet /var/log/decnet; do
  in_ct 10 test -e "$p" || fail "remove deleted $p (remove keeps data)"
done
in_ct 10 test -e /usr/sbin/decnet-bus && fail "remove left /usr/sbin/decnet-bus"
# What remove left in state rc (config files): the meta-packages are already gone.
mapfile -t pkgs < <(in_ct 10 dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'decnet*' | awk '/^rc/ {print $2}')
log "apt-get purge ${pkgs[*]}"
((${#pkgs[@]})) || fail "remove left no package in state rc (decnet-common has conffiles)"
in_ct 300 apt-get purge -y -q "${pkgs[@]}" > "$work/apt-purge.log" 2>&1 || fail "apt-get purge failed"
left=$(in_ct 30 sh -c 'ls -d /etc/decnet /var/lib/decnet /var/log/decnet /run/decnet \
  /lib/systemd/system/decnet* /usr/lib/systemd/system/decnet* /etc/systemd/system/decnet* \
  /etc/systemd/system/*/decnet* /usr/sbin/decnet* /usr/bin/decnet /usr/lib/sysusers.d/decnet.conf \
  /usr/lib/tmpfiles.d/decnet.conf /etc/logrotate.d/decnet /usr/share/decnet \
  /var/lib/systemd/deb-systemd-helper-enabled/*decnet* 2>/dev/null; dpkg -l "decnet*" 2>/dev/null | grep "^rc"')
[[ -z $left ]] || fail "purge left: $(echo $left)"
# Policy keeps the system user and group (Debian does not delete system users: their uid may own files).
in_ct 10 getent passwd decnet-bus >/dev/null && log "kept by policy: the decnet-* users and groups"

# --- table -------------------------------------------------------------------------------------------
echo
printf '%-34s %-15s %10s %14s %10s %10s\n' unit state PSS MemoryCurrent MemoryMax exposure
for w in "${workers[@]}"; do
  IFS='|' read -r st pss cur max ex <<< "${row[$w]}"
  printf '%-34s %-15s %10s %14s %10s %10s\n' "decnet-$w.service" "$st" "$pss" "$cur" "$max" "$ex"
done
[[ $mem_note ]] && echo "MemoryCurrent n/a: this host's memory cgroup controller is cgroup v1, which" \
  "systemd-nspawn mounts read-only in the container, so the container's systemd cannot account memory."
echo
echo "privileges per unit (as the running process: its uid/gids, its mount namespace); exposure offline"
printf '%-24s %-24s %-36s %-34s %-48s %-12s %-6s %s\n' unit user groups capabilities "can write" \
  "reads secret" "in env" "exposure before -> after"
for w in "${units[@]}"; do
  IFS='|' read -r user grps caps writes reads envs <<< "${priv[$w]:-?|?|?|?|?|?}"
  printf '%-24s %-24s %-36s %-34s %-48s %-12s %-6s %s -> %s\n' "decnet-$w" "$user" "$grps" "$caps" "$writes" \
    "$([[ $reads == no ]] && echo no || echo "yes (${reads##*/})")" "$envs" "${before[$w]:-?}" "${after[$w]:-?}"
done
echo
if ((failures)); then
  printf 'FAIL: %s\n' "${failed_checks[@]}"
  echo "packaging proof: $failures check(s) failed"
  exit 1
fi
echo "packaging proof: passed"
