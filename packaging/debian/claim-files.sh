#!/bin/bash
# claim-files.sh: run by debian/rules after `cmake --install` into debian/tmp. Every installed file that no
# debian/*.install line names yet goes to a package, so a new install() rule in CMake never breaks the
# build (compat 13 dh_missing fails on unclaimed files) and never ships nowhere:
#   a path with a component "decnet-<worker>" or "<worker>" under share/decnet or lib/decnet -> decnet-<worker>
#   usr/share/decnet/web/ (the dashboard, served by the api worker)                 -> decnet-api
#   anything else                                                                   -> decnet-common
set -euo pipefail
cd debian/tmp
mapfile -t workers < <(grep -v '^#' ../workers.tsv | cut -f1)
find . -type f -o -type l | sed 's|^\./||' | sort | while read -r f; do
  grep -qxF "$f" ../*.install 2>/dev/null && continue
  pkg=decnet-common
  [[ $f == usr/share/decnet/web/* && " ${workers[*]} " == *" api "* ]] && pkg=decnet-api
  for w in "${workers[@]}"; do
    if [[ /$f/ == */decnet-$w/* || $f == */decnet/$w/* ]]; then pkg=decnet-$w; break; fi
  done
  echo "claim-files.sh: $f -> $pkg"
  printf '%s\n' "$f" >> "../$pkg.install"
done
