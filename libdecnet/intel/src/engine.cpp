#include "decnet/intel/engine.h"

#include <cmath>

namespace decnet::intel {

Engine::Engine(ProfileStore* store, EngineOptions opts) : store_(store), opts_(opts) {
  if (opts_.max_ips == 0) opts_.max_ips = 1;
  index_.reserve(std::min<size_t>(opts_.max_ips, 1 << 16));
}

IngestOutcome Engine::Ingest(const Event& e) {
  if (e.attacker_ip.empty() || e.attacker_ip == "Unknown" || e.attacker_ip == "-") {
    ++stats_.no_ip;
    return IngestOutcome::kNoIp;
  }
  if (!std::isfinite(e.ts) || e.ts < opts_.min_ts || e.ts > opts_.max_ts || e.decky.empty() ||
      e.decky == "-" || e.service.empty() || e.service == "-" ||
      e.attacker_ip.size() > opts_.max_ip_bytes) {
    ++stats_.rejected;
    return IngestOutcome::kRejected;
  }
  bool created = false;
  auto p = Acquire(e.attacker_ip, &created);
  if (!p) {
    ++stats_.store_errors;
    return IngestOutcome::kStoreError;
  }
  AttackerProfile& prof = **p;
  prof.Observe(e, opts_.limits);
  if (!prof.dirty) {
    prof.dirty = true;
    ++dirty_;
  }
  ++stats_.events;
  if (created) {
    ++stats_.first_sightings;
    return IngestOutcome::kFirstSighting;
  }
  return IngestOutcome::kFolded;
}

Result<AttackerProfile*> Engine::Acquire(std::string_view ip, bool* created) {
  if (auto it = index_.find(absl::string_view(ip.data(), ip.size())); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);  // most recently seen to the front
    return &*it->second;
  }
  std::optional<std::string> state;
  if (store_ != nullptr) {
    auto loaded = store_->LoadState(ip);
    if (!loaded) return loaded.error();
    state = std::move(*loaded);
  }
  while (index_.size() >= opts_.max_ips) {
    if (Status st = EvictOne(); !st) return st.error();
  }
  AttackerProfile prof{std::string(ip)};
  if (state) {
    if (Status st = prof.LoadState(*state); !st) return st.error();
    ++stats_.loaded;
  } else {
    prof.first_sighting = true;
    *created = true;
  }
  lru_.push_front(std::move(prof));
  const std::string& key = lru_.front().ip();
  index_.emplace(absl::string_view(key.data(), key.size()), lru_.begin());
  return &lru_.front();
}

Status Engine::EvictOne() {
  AttackerProfile& victim = lru_.back();
  if (victim.dirty && store_ != nullptr) {
    // A failed save keeps the victim: dropping it would lose events the cursor has already passed.
    if (Status st = store_->SaveProfile(victim); !st) return st;
  }
  if (victim.dirty) --dirty_;
  index_.erase(absl::string_view(victim.ip().data(), victim.ip().size()));
  lru_.pop_back();
  ++stats_.evicted;
  return Ok();
}

Status Engine::Flush(const std::function<Status(AttackerProfile&)>& write) {
  for (AttackerProfile& p : lru_) {
    if (!p.dirty) continue;
    if (Status st = write(p); !st) return st;
    p.dirty = false;
    p.first_sighting = false;
    --dirty_;
    if (dirty_ == 0) break;
  }
  return Ok();
}

std::vector<std::string_view> Engine::DirtyIps() const {
  std::vector<std::string_view> out;
  out.reserve(dirty_);
  for (const AttackerProfile& p : lru_) {
    if (p.dirty) out.push_back(p.ip());
  }
  return out;
}

void Engine::Reset() {
  index_.clear();
  lru_.clear();
  dirty_ = 0;
}

const AttackerProfile* Engine::Find(std::string_view ip) const {
  auto it = index_.find(absl::string_view(ip.data(), ip.size()));
  return it == index_.end() ? nullptr : &*it->second;
}

}  // namespace decnet::intel
