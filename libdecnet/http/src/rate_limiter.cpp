#include <algorithm>

#include "decnet/http/auth.h"

namespace decnet::http {

int64_t Throttle::Wait(const std::string& key, int64_t now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.next_allowed) return 0;
  return it->second.next_allowed - now;
}

void Throttle::Record(const std::string& key, int64_t now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= opts_.max_keys) EvictOne();
    it = entries_.emplace(key, Entry{}).first;
  }
  Entry& e = it->second;
  // Quiet long enough after its last wait ended: a fresh budget.
  if (e.attempts > 0 && now - std::max(e.last, e.next_allowed) >= opts_.quiet_s) e = Entry{};
  e.attempts++;
  e.last = now;
  int over = e.attempts - opts_.free_attempts;
  if (over >= 0) {
    int64_t delay = opts_.base_delay_s << std::min(over, 20);
    e.next_allowed = now + std::min(delay, opts_.max_delay_s);
  }
}

void Throttle::EvictOne() {
  // O(n) over a bounded map, only when it is full: cheaper in memory than an LRU list per entry.
  auto oldest = entries_.begin();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.last < oldest->second.last) oldest = it;
  }
  if (oldest != entries_.end()) {
    entries_.erase(oldest);
    evicted_++;
  }
}

}  // namespace decnet::http
