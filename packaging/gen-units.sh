#!/bin/bash
# gen-units.sh: one hardened systemd unit per DECNET worker, generated from the worker list.
#
#   packaging/gen-units.sh WORKERS_TSV BUDGETS_TSV OUTDIR [SBINDIR]
#
# WORKERS_TSV is build/workers.tsv (name, executable, shlibs, caps, families, description, instance args),
# written by the top-level CMakeLists.txt from bin/CMakeLists.txt. BUDGETS_TSV is bench/floor_budgets.tsv
# (worker, pss_kib, pss_anon_kib). Writes OUTDIR/decnet-<name>.service for every worker, and
# OUTDIR/decnet-<name>@.service for a templated one (7th column non-empty; a worker named decky is
# templated whatever the column says): one instance per decky, started by the deploy. Nothing else is
# read, so a worker added to bin/CMakeLists.txt and the budgets gets its unit with no edit here.
#
# Privileges (issue 14, findings 2 and 3; layout in packaging/systemd/README.md): every worker runs as
# its own system user decnet-<name> (decnet.sysusers) with its own primary group, plus group decnet
# (the bus socket) and only the groups its role needs: decnet-ingest (the ingest files: collector and
# sniffer append, the ingester reads) and decnet-db (the database: ingester, profiler, reuse-correlator,
# api). ReadWritePaths= follows the same roles, so a worker's mount namespace is read-only wherever its
# groups would not let it write anyway, and the ingester reads the ingest files through a read-only
# mount. A worker this file does not know gets the bus and its lock only. The JWT secret reaches the
# api alone, as the systemd credential jwt_secret (LoadCredential= from /etc/decnet/jwt_secret, root:root
# 0600); no unit has an EnvironmentFile of secrets. The shared directories come from decnet.tmpfiles,
# not from StateDirectory=/RuntimeDirectory=: those chown their directory to the unit's user on every
# start, which with one user per worker would hand /var/lib/decnet to whichever unit started last.
#
# Memory rule (README "Packaging"): the budget is the idle PSS the floor harness holds every worker to.
# A unit's cgroup also pays for what PSS does not show: shared-library pages charged to the first cgroup
# that touches them (libc, libstdc++, libuv: a few MiB), page cache of the files it writes, socket
# buffers, and the bounded queues and caches filling under load. So:
#     MemoryHigh = 8 MiB + 16 x pss_kib     (reclaim/throttle point; page cache goes first)
#     MemoryMax  = 2 x MemoryHigh           (hard stop: the OOM killer ends this worker, not the host)
# both rounded up to whole MiB. bus at 600 KiB: High 18M, Max 36M.
#
# Exit: 0 written; 2 bad input (a worker without a budget, a malformed row, a capability or family that
# does not look like one).
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
  echo "usage: $0 WORKERS_TSV BUDGETS_TSV OUTDIR [SBINDIR]" >&2
  exit 2
fi
workers=$1 budgets=$2 outdir=$3 sbindir=${4:-/usr/sbin}
for f in "$workers" "$budgets"; do
  [[ -r $f ]] || { echo "$0: cannot read $f" >&2; exit 2; }
done
mkdir -p "$outdir"


awk -F'\t' -v outdir="$outdir" -v sbindir="$sbindir" -v workers_file="$workers" '
  function die(msg) { print "gen-units.sh: " msg > "/dev/stderr"; failed = 1; exit 2 }
  function ceil_mib(kib) { return int((kib + 1023) / 1024) }
  BEGIN {
    # Role -> the groups beyond decnet (bus socket) and the paths it may write; see the header.
    groups["bus"] = ""; rw["bus"] = "/run/decnet"
    groups["collector"] = "decnet-ingest"; rw["collector"] = "/var/log/decnet /var/lib/decnet/syslog"
    groups["sniffer"] = "decnet-ingest"; rw["sniffer"] = "/var/log/decnet"
    groups["ingester"] = "decnet-ingest decnet-db"; rw["ingester"] = "/var/lib/decnet/db"
    groups["profiler"] = "decnet-db"; rw["profiler"] = "/var/lib/decnet/db"
    groups["reuse-correlator"] = "decnet-db"; rw["reuse-correlator"] = "/var/lib/decnet/db"
    groups["api"] = "decnet-db"; rw["api"] = "/var/lib/decnet/db"
    groups["decky"] = ""; rw["decky"] = ""
  }
  # Budgets first (NR==FNR): worker -> pss_kib.
  NR == FNR {
    if ($0 ~ /^#/ || $0 ~ /^[ \t]*$/) next
    if ($2 !~ /^[0-9]+$/) die("budget for " $1 " is not a number of KiB: " $2)
    pss[$1] = $2
    next
  }
  $0 ~ /^#/ || $0 ~ /^[ \t]*$/ { next }
  {
    name = $1; exe = $2; caps = $4; fams = $5; desc = $6
    templated = ($7 != "" || name == "decky")
    if (name !~ /^[a-z][a-z0-9-]*$/) die(workers_file ": bad worker name \"" name "\"")
    if (exe != "decnet-" name) die(workers_file ": executable of " name " is " exe ", want decnet-" name)
    if (!(name in pss)) die("worker " name " has no line in the floor budgets; add \"" name "\\t<pss_kib>\\t<pss_anon_kib>\"")
    gsub(/,/, " ", caps); gsub(/,/, " ", fams)
    if (caps !~ /^( *CAP_[A-Z_]+)* *$/) die(name ": bad capability list \"" caps "\"")
    if (fams == "") fams = "AF_UNIX"
    if (fams !~ /^( *AF_[A-Z0-9_]+)* *$/) die(name ": bad address family list \"" fams "\"")
    high = ceil_mib(8192 + 16 * pss[name]); max = 2 * high
    only_unix = (fams ~ /^ *AF_UNIX *$/)
    user = "decnet-" name
    # The bus runs with primary group decnet: the socket it creates is then group decnet without a
    # chown (which PrivateUsers= would refuse for a supplementary group).
    group = (name == "bus") ? "decnet" : user
    supp = (name == "bus") ? "" : "decnet"
    if ((name in groups) && groups[name] != "") supp = supp " " groups[name]
    paths = (name in rw) ? rw[name] : ""
    # Every worker holds its state lock in /var/lib/decnet/locks (sticky, group decnet).
    paths = (paths == "" ? "" : paths " ") "/var/lib/decnet/locks"
    f = outdir "/decnet-" name (templated ? "@" : "") ".service"
    print "# Generated by packaging/gen-units.sh from workers.tsv and floor_budgets.tsv: do not edit." > f
    print "# Idle PSS budget " pss[name] " KiB -> MemoryHigh=8M+16xPSS, MemoryMax=2xMemoryHigh." > f
    print "[Unit]" > f
    if (templated) {
      print "Description=DECNET " name " %i: " desc > f
    } else {
      print "Description=DECNET " name ": " desc > f
    }
    print "Documentation=man:decnet-" name "(8)" > f
    print "PartOf=decnet.target" > f
    if (name != "bus") {
      # Wants=, not Requires=: a bus restart must not bounce the fleet; clients reconnect on their own.
      print "Wants=decnet-bus.service" > f
      print "After=decnet-bus.service" > f
    }
    if (templated) {
      # Native deckies log to the collector socket; order after it when it is installed.
      print "After=decnet-collector.service" > f
    } else if (!only_unix) {
      print "After=network-online.target\nWants=network-online.target" > f
    }
    print "" > f
    print "[Service]" > f
    print "Type=notify" > f
    print "NotifyAccess=main" > f
    if (templated) {
      # The deploy contract (packaging/systemd/README.md): the instance is the decky name; the deploy
      # has made the network namespace decnet-<decky> and written /etc/decnet/deckies/<decky>.env.
      # systemd joins the namespace before exec, so the decky needs no setns and no CAP_SYS_ADMIN.
      print "ExecStart=" sbindir "/decnet-" name " --decky %i" > f
      print "EnvironmentFile=/etc/decnet/deckies/%i.env" > f
      print "NetworkNamespacePath=/run/netns/decnet-%i" > f
    } else {
      print "ExecStart=" sbindir "/decnet-" name > f
    }
    print "User=" user "\nGroup=" group > f
    if (supp != "") print "SupplementaryGroups=" supp > f
    # Group-readable at most: the files two workers write (the DB, the ingest files) are made
    # group-writable by decnet.tmpfiles, and SQLite gives its -wal/-shm the mode of the database.
    print "UMask=" (templated ? "0077" : "0027") > f
    if (name == "api") {
      # The only unit that sees the JWT secret: systemd copies the root-only file into a private
      # $CREDENTIALS_DIRECTORY readable by this unit alone; it is never in any environment.
      print "LoadCredential=jwt_secret:/etc/decnet/jwt_secret" > f
    }
    print "Restart=on-failure\nRestartSec=2s" > f
    print "# Exit 2 is bad usage or config: restarting cannot fix it." > f
    print "RestartPreventExitStatus=2" > f
    print "WatchdogSec=30s\nTimeoutStartSec=30s\nTimeoutStopSec=20s" > f
    print "MemoryAccounting=yes\nMemoryHigh=" high "M\nMemoryMax=" max "M" > f
    print "TasksMax=32\nLimitNOFILE=4096" > f
    if (templated) {
      # Its own state (persona, keys, artifacts), made and owned for this unit by systemd.
      print "StateDirectory=decnet/deckies/%i\nStateDirectoryMode=0700" > f
    }
    print "ProtectSystem=strict\nReadWritePaths=" paths > f
    print "ProtectHome=yes\nPrivateTmp=yes\nPrivateDevices=yes\nPrivateMounts=yes" > f
    print "ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes" > f
    print "ProtectControlGroups=yes\nProtectClock=yes\nProtectHostname=yes" > f
    print "ProtectProc=invisible\nProcSubset=pid" > f
    print "NoNewPrivileges=yes" > f
    if (caps ~ /CAP_/) {
      print "CapabilityBoundingSet=" caps "\nAmbientCapabilities=" caps > f
    } else {
      print "CapabilityBoundingSet=\nAmbientCapabilities=" > f
      # No capability to keep, so a user namespace costs nothing and hides every other uid.
      print "PrivateUsers=yes" > f
    }
    print "RestrictAddressFamilies=" fams > f
    if (only_unix) {
      # UNIX path sockets (the bus, $NOTIFY_SOCKET) cross network namespaces; IP does not need to.
      print "PrivateNetwork=yes\nIPAddressDeny=any" > f
    }
    print "RestrictNamespaces=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes" > f
    print "LockPersonality=yes\nMemoryDenyWriteExecute=yes\nRemoveIPC=yes\nKeyringMode=private" > f
    print "SystemCallArchitectures=native\nSystemCallFilter=@system-service" > f
    print "SystemCallFilter=~@privileged @resources" > f
    if (caps ~ /CAP_/) {
      # A worker with capabilities drops them itself once its sockets are open (the decky after
      # binding, the sniffer after opening its capture): capset(2) is in @privileged and is allowed
      # back so that the drop cannot fail. It can only lower what the bounding set above limits.
      print "SystemCallFilter=capset" > f
    }
    print "SystemCallErrorNumber=EPERM" > f
    print "DevicePolicy=closed" > f
    print "" > f
    print "[Install]\nWantedBy=decnet.target" > f
    close(f)
    count++
  }
  END {
    if (failed) exit 2
    if (count == 0) { print "gen-units.sh: no worker in " workers_file > "/dev/stderr"; exit 2 }
  }
' "$budgets" "$workers"
