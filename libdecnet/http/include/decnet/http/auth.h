// Authentication primitives for the API: password hashes, JWT HS256 tokens, a login rate limiter.
// Link decnet::http_auth (libsodium only) to use them.
#pragma once

#include <cstdint>
#include <deque>
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
  std::string jti;       // token id (random hex), used by logout
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

// ---- login rate limit: at most max_attempts failed-or-not attempts per source in window_s seconds.
// The map holds at most max_sources entries; when full, the entry seen longest ago is evicted (counted).
class LoginRateLimiter {
 public:
  LoginRateLimiter(size_t max_sources, int max_attempts, int64_t window_s)
      : max_sources_(max_sources), max_attempts_(max_attempts), window_s_(window_s) {}
  // Records an attempt from `source` at `now` (epoch s); false when the source is over its limit.
  bool Allow(const std::string& source, int64_t now);
  // Forget a source (after a successful login).
  void Reset(const std::string& source) { entries_.erase(source); }
  size_t size() const { return entries_.size(); }
  uint64_t evicted() const { return evicted_; }
  uint64_t refused() const { return refused_; }

 private:
  struct Entry {
    int64_t window_start = 0;
    int attempts = 0;
    int64_t last_seen = 0;
  };
  void EvictOne();
  size_t max_sources_;
  int max_attempts_;
  int64_t window_s_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t evicted_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace decnet::http
