#include "decnet/capture/dedup.h"

namespace decnet::capture {

bool DedupCache::Seen(const std::string& key, double now) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    double last = it->second->second;
    lru_.splice(lru_.begin(), lru_, it->second);
    if (now - last < ttl_) {
      ++suppressed_;
      return true;
    }
    it->second->second = now;
    return false;
  }
  // Expired entries at the tail go first; then, if still full, the least recent one.
  while (!lru_.empty() && now - lru_.back().second >= ttl_) {
    map_.erase(lru_.back().first);
    lru_.pop_back();
  }
  if (map_.size() >= max_) {
    ++evicted_;
    map_.erase(lru_.back().first);
    lru_.pop_back();
  }
  lru_.emplace_front(key, now);
  map_.emplace(lru_.front().first, lru_.begin());
  return false;
}

}  // namespace decnet::capture
