#!/bin/bash
# The packaging proof (issue 10): build the .debs, install them with apt-get in a Debian 12 root, boot
# systemd in it with systemd-nspawn, run the fleet under decnet.target, measure it, stop it, remove and
# purge it, and check what each step left. Prints the table: unit, state, PSS, MemoryCurrent, MemoryMax,
# security exposure.
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
workers=()
while IFS=$'\x1f' read -r name _rest; do
  [[ -z $name || $name == \#* ]] || workers+=("$name")
done < <(tr '\t' '\037' < "$pkgdir/stage/decnet-"*/debian/workers.tsv)
((${#workers[@]})) || die "no worker in the package build's workers.tsv"
log "workers: ${workers[*]}"

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
in_ct 10 getent passwd decnet >/dev/null || fail "user decnet not created"
for d in /var/lib/decnet /var/log/decnet /run/decnet; do
  got=$(in_ct 10 stat -c '%U:%G %a' "$d" 2>/dev/null)
  [[ $got == "decnet:decnet 750" ]] || fail "$d is '$got', want 'decnet:decnet 750'"
done
got=$(in_ct 10 stat -c '%U:%G %a' /etc/decnet/secrets.env 2>/dev/null)
[[ $got == "root:decnet 640" ]] || fail "/etc/decnet/secrets.env is '$got', want 'root:decnet 640'"
in_ct 10 grep -Eq '^DECNET_JWT_SECRET=[0-9a-f]{64}$' /etc/decnet/secrets.env || fail "no JWT secret generated"
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
      rows=$(in_ct 10 sqlite3 -readonly /var/lib/decnet/decnet.db \
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

# --- 9. logrotate rotates both ingest files ----------------------------------------------------------
if in_ct 10 test -x /usr/sbin/logrotate; then
  for f in decnet.log decnet.json; do
    in_ct 10 sh -c "test -s /var/log/decnet/$f || { echo rotate-me >> /var/log/decnet/$f; chown decnet:decnet /var/log/decnet/$f; }"
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
in_ct 90 systemctl stop decnet.target || fail "systemctl stop decnet.target failed"
for w in "${workers[@]}"; do
  s="$(prop "$w" ActiveState) result=$(prop "$w" Result) status=$(prop "$w" ExecMainStatus)"
  [[ $s == "inactive result=success status=0" ]] || fail "decnet-$w.service after stop: $s"
done
((failures)) && dump_journal

# --- 11. remove keeps the data, purge removes what the install made ----------------------------------
mapfile -t pkgs < <(in_ct 10 dpkg-query -W -f='${Package}\n' 'decnet*')
log "apt-get remove ${pkgs[*]}"
in_ct 300 apt-get remove -y -q "${pkgs[@]}" > "$work/apt-remove.log" 2>&1 || fail "apt-get remove failed"
for p in /etc/decnet/decnet.ini /etc/decnet/secrets.env /var/lib/decnet /var/log/decnet; do
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
in_ct 10 getent passwd decnet >/dev/null && log "kept by policy: user and group decnet"

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
if ((failures)); then
  printf 'FAIL: %s\n' "${failed_checks[@]}"
  echo "packaging proof: $failures check(s) failed"
  exit 1
fi
echo "packaging proof: passed"
