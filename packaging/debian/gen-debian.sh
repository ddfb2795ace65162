#!/bin/bash
# gen-debian.sh WORKERS_TSV SRCDIR [COMPONENTS]: stages SRCDIR/debian/ from packaging/debian/ and the
# worker list, so every worker in workers.tsv gets its own binary package (executable, unit, man page)
# with no edit here. Writes debian/control (control.in + one stanza per worker + the meta-packages),
# the .install files, and copies the sysusers/tmpfiles/logrotate files from packaging/systemd/.
#
# Roles: a decoy (sensor) host runs the workers named in SENSOR_WORKERS plus the bus; the master runs
# every other worker plus the bus. A single-host install takes both meta-packages.
set -euo pipefail
SENSOR_WORKERS=" collector sniffer forwarder decky "

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 WORKERS_TSV SRCDIR [COMPONENTS]" >&2
  exit 2
fi
workers=$1 src=$2 components=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
sysd="$here/../systemd"
deb="$src/debian"

rm -rf "$deb"
mkdir -p "$deb/source"
cp "$here/changelog" "$here/copyright" "$here/rules" "$here/gen-manpages.sh" "$here/claim-files.sh" "$deb/"
cp "$here/source/format" "$deb/source/"
cp "$here"/decnet-common.* "$deb/"
for f in "$here"/*.lintian-overrides; do [[ -e $f ]] && cp "$f" "$deb/"; done
cp "$sysd/decnet.sysusers" "$deb/decnet-common.decnet.sysusers"
cp "$sysd/decnet.tmpfiles" "$deb/decnet-common.decnet.tmpfiles"
cp "$sysd/decnet.logrotate" "$deb/decnet-common.decnet.logrotate"
cp "$workers" "$deb/workers.tsv"
printf '%s\n' "$components" > "$deb/decnet-components"

cat > "$deb/decnet-common.install" <<'INST'
usr/bin/decnet
usr/share/decnet/workers.tsv
usr/share/man/man1/decnet.1
lib/systemd/system/decnet.target
etc/decnet/decnet.ini
INST

cp "$here/control.in" "$deb/control"
master=() sensor=()
# Tabs become US (0x1f) so that read keeps empty columns (tab is IFS whitespace and would merge them).
while IFS=$'\x1f' read -r name exe _shlibs caps _fams desc instance; do
  [[ -z $name || $name == \#* ]] && continue
  if [[ ! $name =~ ^[a-z][a-z0-9-]*$ ]]; then
    echo "$0: bad worker name '$name' in $workers" >&2
    exit 2
  fi
  pkg="decnet-$name"
  if [[ $name == bus ]]; then
    master+=("$pkg"); sensor+=("$pkg")
  elif [[ $SENSOR_WORKERS == *" $name "* ]]; then
    sensor+=("$pkg")
  else
    master+=("$pkg")
  fi
  recommends=""
  [[ $name != bus ]] && recommends=$'\nRecommends: decnet-bus'
  # A templated worker (7th column, or the decky) has decnet-<name>@.service: one instance per decky.
  unit="$exe.service"
  [[ -n ${instance:-} || $name == decky ]] && unit="$exe@.service"
  capline="It runs as its own unprivileged user $exe with no capability."
  [[ -n $caps ]] && capline="It runs as its own unprivileged user $exe with only ${caps//,/ and }."
  synopsis=$desc
  if (( ${#synopsis} > 50 )); then synopsis="${synopsis:0:50}"; synopsis="${synopsis% *}"; fi
  body=$(printf '%s\n' "DECNET deploys decoy hosts (deckies) and runs a constellation of small long-lived workers around them. This package ships $exe ($desc) and its hardened systemd unit $unit, which decnet.target starts. $capline" |
    fold -s -w 72 | sed 's/ *$//; s/^/ /')
  cat >> "$deb/control" <<STANZA

Package: $pkg
Architecture: any
Depends: decnet-common (= \${binary:Version}), \${shlibs:Depends}, \${misc:Depends}$recommends
Description: DECNET $name worker - $synopsis
$body
STANZA
  printf 'usr/sbin/%s\nlib/systemd/system/%s\nusr/share/man/man8/%s.8\n' \
    "$exe" "$unit" "$exe" > "$deb/$pkg.install"
  cat > "$deb/$pkg.lintian-overrides" <<OVR
# decnet.target (in decnet-common, a dependency) starts and stops the whole fleet of a host.
$pkg: systemd-service-file-refers-to-unusual-wantedby-target decnet.target [lib/systemd/system/$unit]
OVR
  if [[ $pkg == decnet-decky ]]; then
    cat >> "$deb/$pkg.lintian-overrides" <<OVR
# The emulated shell prints apt's own lock errors, which name /var/lib/dpkg/lock-frontend; the decky
# never opens anything there (its fake filesystem is in memory).
$pkg: uses-dpkg-database-directly [usr/sbin/$exe]
OVR
  fi
done < <(tr '\t' '\037' < "$workers")

meta() {  # meta NAME SYNOPSIS TEXT PKG...
  local name=$1 synopsis=$2 text=$3; shift 3
  local deps
  deps=$(printf ', %s' decnet-common "$@")
  cat >> "$deb/control" <<STANZA

Package: $name
Architecture: all
Depends: \${misc:Depends}$deps
Description: DECNET honeypot platform - $synopsis
 DECNET deploys decoy hosts (deckies) and runs a constellation of small
 long-lived workers around them, each its own process and systemd unit.
 .
$(printf '%s\n' "$text" | fold -s -w 72 | sed 's/ *$//; s/^/ /')
STANZA
}
meta decnet-master "workers of the master host" \
  "This metapackage installs the workers a master host runs." "${master[@]}"
meta decnet-sensor "workers of a decoy host" \
  "This metapackage installs what a decoy (sensor) host runs: the bus, the collector, the sniffer and the decky process (decnet-decky@<decky>.service, one per native decky)." \
  "${sensor[@]}"
