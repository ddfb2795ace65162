// A bounded TTL cache of recently emitted events, so a source that repeats itself (the same SYN
// fingerprint, the same JA3 to the same decky) does not flood the log. LRU eviction when full, counted.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace decnet::capture {

class DedupCache {
 public:
  DedupCache(size_t max_entries, double ttl_s) : max_(max_entries ? max_entries : 1), ttl_(ttl_s) {}

  // True when `key` was seen less than ttl ago (the event should be dropped); records it otherwise.
  bool Seen(const std::string& key, double now);

  size_t size() const { return map_.size(); }
  uint64_t suppressed() const { return suppressed_; }
  uint64_t evicted() const { return evicted_; }

 private:
  using List = std::list<std::pair<std::string, double>>;  // most recent first
  size_t max_;
  double ttl_;
  List lru_;
  std::unordered_map<std::string, List::iterator> map_;
  uint64_t suppressed_ = 0, evicted_ = 0;
};

}  // namespace decnet::capture
