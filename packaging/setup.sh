#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the benchmarks need. Idempotent and quiet: it
# does nothing when everything is present, and runs `apt-get update` at most once.
# Package lists: the base below plus packaging/deps/<component>.txt (one package per line).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=(g++ cmake ninja-build pkgconf binutils libuv1-dev libcxxopts-dev libabsl-dev rapidjson-dev
      libinih-dev libgtest-dev libgmock-dev googletest libbenchmark-dev clang-14 libclang-rt-14-dev
      python3 sqlite3 util-linux procps)
mapfile -t extra < <(cat "$here"/deps/*.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d')
want=()
for p in "${base[@]}" "${extra[@]}"; do
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;  # any Node.js with npm will do
  esac
  want+=("$p")
done
# Debian's nodejs lacks npm; a Node.js that ships its own npm must not get Debian's npm on top.
if ! command -v npm >/dev/null 2>&1; then want+=(npm); fi
mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing Debian packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi
echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# Packages with daemons (mariadb-server, rsyslog) must not start them here: tests start their own.
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/decnet-setup-apt.log 2>&1 || {
  tail -30 /tmp/decnet-setup-apt.log >&2; exit 1; }
echo "setup: done"
