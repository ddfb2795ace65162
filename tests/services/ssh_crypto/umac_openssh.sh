#!/usr/bin/env bash
# Interoperability oracle for UMAC: OpenSSH's client restricted to each of umac-64-etm, umac-128-etm,
# umac-64 and umac-128 (@openssh.com) with aes128-ctr against a real decnet-decky's ssh. The first encrypted packets after
# NEWKEYS carry UMAC tags in both directions; OpenSSH answers a wrong tag with "Corrupted MAC on
# input" and the decky's reply would not verify either. Exit 77 until the decky's ssh offers it.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rc=0
for mac in umac-64-etm@openssh.com umac-128-etm@openssh.com umac-64@openssh.com umac-128@openssh.com; do
  KEX="sntrup761x25519-sha512@openssh.com,curve25519-sha256" EXPECT="MAC: $mac" \
    SSH_EXTRA="-o MACs=$mac -c aes128-ctr" bash "$here/sntrup_openssh.sh"
  r=$?
  [ "$r" -eq 77 ] && exit 77
  [ "$r" -ne 0 ] && rc=1
done
exit "$rc"
