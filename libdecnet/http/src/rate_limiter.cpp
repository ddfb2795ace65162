#include "decnet/http/auth.h"

namespace decnet::http {

bool LoginRateLimiter::Allow(const std::string& source, int64_t now) {
  auto it = entries_.find(source);
  if (it == entries_.end()) {
    if (entries_.size() >= max_sources_) EvictOne();
    it = entries_.emplace(source, Entry{now, 0, now}).first;
  }
  Entry& e = it->second;
  e.last_seen = now;
  if (now - e.window_start >= window_s_) {
    e.window_start = now;
    e.attempts = 0;
  }
  if (e.attempts >= max_attempts_) {
    refused_++;
    return false;
  }
  e.attempts++;
  return true;
}

void LoginRateLimiter::EvictOne() {
  // O(n) over a bounded map, only when it is full: cheaper in memory than an LRU list per entry.
  auto oldest = entries_.begin();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.last_seen < oldest->second.last_seen) oldest = it;
  }
  if (oldest != entries_.end()) {
    entries_.erase(oldest);
    evicted_++;
  }
}

}  // namespace decnet::http
