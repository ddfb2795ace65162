// Credential reuse: one secret (secret, kind, principal) tried against at least `min_targets`
// distinct (decky, service) targets. Computed from the `credentials` rows as a whole each time, so
// the aggregates (attempt_count especially) are counted once, never re-added per tick as the
// original did.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace decnet::intel {

struct CredentialRow {
  std::string secret, secret_kind, principal;  // principal (the username) "" when null
  // How `secret` spells the exact bytes (storage::CredentialRow): "utf8" or "hex". Part of the
  // key, so a text secret "ff" and the byte 0xFF are different secrets.
  std::string secret_encoding = "utf8";
  std::string attacker_ip, decky, service;
  double ts = 0;
  uint64_t attempt_count = 1;  // attempts this row stands for (>= 1)
};

struct ReuseFinding {
  std::string secret, secret_kind, principal;
  std::string secret_encoding = "utf8";
  std::vector<std::string> attacker_ips, deckies, services;  // first-seen order, distinct
  uint64_t target_count = 0;                                 // distinct (decky, service)
  uint64_t attempt_count = 0;                                // sum over the rows, each row once
  double first_seen = 0, last_seen = 0;

  std::string PayloadJson(std::string_view id) const;  // credential.reuse.detected payload
};

struct ReuseLimits {
  size_t max_list = 64;        // attacker_ips/deckies/services kept per finding
  size_t max_groups = 100000;  // distinct secrets tracked in one pass
  size_t max_targets = 4096;   // distinct (decky, service) tracked per secret
};

// Folds credential rows one at a time (so a pass over the table needs memory per secret, not per
// row).
class ReuseAggregator {
 public:
  explicit ReuseAggregator(ReuseLimits limits = {}) : limits_(limits) {}
  void Add(const CredentialRow& r);
  // The groups with >= min_targets targets, ordered by (secret, kind, principal).
  std::vector<ReuseFinding> Findings(size_t min_targets) const;
  uint64_t dropped_rows() const { return dropped_; }  // rows of secrets beyond max_groups

 private:
  struct Group {
    ReuseFinding f;
    std::vector<std::string> targets;  // "decky\0service", sorted
  };
  ReuseLimits limits_;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Group> groups_;
  uint64_t dropped_ = 0;
};

// Groups `rows` by secret and returns the groups with >= min_targets targets, ordered by key.
std::vector<ReuseFinding> FindCredentialReuse(std::span<const CredentialRow> rows,
                                              size_t min_targets, const ReuseLimits& limits = {});

// True when `now` is news compared with what was stored before (`before` null: never stored): a new
// finding, more targets, or a new attacker IP / decky / service. Attempts alone are not news.
bool IsNewReuse(const ReuseFinding& now, const ReuseFinding* before);

}  // namespace decnet::intel
