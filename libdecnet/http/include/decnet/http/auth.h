// Authentication primitives for the API: password hashes, JWT HS256 tokens, a login throttle.
// Link decnet::http_auth (libsodium only) to use them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "decnet/core/result.h"

namespace decnet::http {

// ---- passwords: Argon2id (libsodium crypto_pwhash_str), self-describing "$argon2id$v=19$m=...".
// Cost: 2 passes over 19 MiB (OWASP's minimum for Argon2id), chosen so a login does not multiply the
// API's memory by 3 as libsodium's INTERACTIVE (64 MiB) would. The memory is returned after each hash.
Result<std::string> HashPassword(std::string_view password);
// Constant-time in the password (libsodium). False on mismatch or a malformed hash.
bool VerifyPassword(std::string_view password, const std::string& hash);
// Passwords must be 8..256 bytes; returns the reason when not.
Status CheckPasswordPolicy(std::string_view password);
// A random password of `len` characters from an unambiguous alphabet (for generated admin accounts).
std::string GeneratePassword(size_t len = 20);

// ---- JWT HS256 (HMAC-SHA256 from libsodium). The header is fixed {"alg":"HS256","typ":"JWT"}; anything else is rejected on verify.
struct JwtClaims {
  std::string sub;       // user uuid
  std::string username;
  std::string role;
  std::string jti;       // token id (random hex)
  int64_t ver = 0;       // the user's token_version when minted; 0: absent (pre-version tokens)
  int64_t iat = 0;       // epoch seconds
  int64_t exp = 0;       // epoch seconds
  bool must_change_password = false;
};

// Signs `claims` with `secret`. REQUIRES: secret non-empty.
std::string SignJwt(const JwtClaims& claims, std::string_view secret);
// Verifies signature (constant-time compare), algorithm and expiry (exp > now). Errors say which.
Result<JwtClaims> VerifyJwt(std::string_view token, std::string_view secret, int64_t now);
// Random hex string of 2*bytes characters.
std::string RandomHex(size_t bytes);
// Constant-time equality of two byte strings (length leaks, contents do not).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// ---- login throttle: failed-attempt budget with exponential backoff, one entry per key. The API
// keeps one Throttle for usernames and one for sources (an IPv4 address, an IPv6 /64; SourceKey()),
// and a success forgives only the username that succeeded, never the source and never another
// user: one known viewer password must not reopen guessing of the admin's.
//
// An attempt is counted when it is admitted (before the password is checked), so parallel attempts
// cannot outrun the count. After `free_attempts` attempts the key must wait base_delay_s, doubling
// with every further attempt up to max_delay_s. A key quiet for quiet_s past its wait is forgotten.
// At most max_keys entries: when full, the one seen longest ago is evicted (counted); a key under
// attack is refreshed by every attempt, so it is never the one evicted.
struct ThrottleOptions {
  size_t max_keys = 4096;
  int free_attempts = 10;
  int64_t quiet_s = 60;
  int64_t base_delay_s = 1;
  int64_t max_delay_s = 900;
};

class Throttle {
 public:
  explicit Throttle(ThrottleOptions opts) : opts_(opts) {}
  // Seconds `key` must still wait at `now` (epoch s); 0: it may try now. Counts nothing.
  int64_t Wait(const std::string& key, int64_t now) const;
  // Counts one attempt by `key` at `now` (call after Wait() said 0 for every key involved).
  void Record(const std::string& key, int64_t now);
  // Forgets `key` (its own success).
  void Forgive(const std::string& key) { entries_.erase(key); }
  void CountRefusal() { refused_++; }
  size_t size() const { return entries_.size(); }
  uint64_t evicted() const { return evicted_; }
  uint64_t refused() const { return refused_; }

 private:
  struct Entry {
    int attempts = 0;
    int64_t last = 0;
    int64_t next_allowed = 0;
  };
  void EvictOne();
  ThrottleOptions opts_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t evicted_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace decnet::http
