// Test helper: an Event that owns its bytes.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "decnet/intel/engine.h"
#include "decnet/intel/event.h"

namespace decnet::intel::testing {

struct OwnedEvent {
  int64_t id = 0;
  double ts = 0;
  std::string decky, service, type, ip;
  std::vector<std::pair<std::string, std::string>> kv;

  OwnedEvent& F(std::string k, std::string v) {
    kv.emplace_back(std::move(k), std::move(v));
    return *this;
  }
  // The view is valid while this object lives and is not modified.
  Event View() {
    fields_.clear();
    for (auto& [k, v] : kv) fields_.push_back(Field{k, v});
    Event e;
    e.log_id = id;
    e.ts = ts;
    e.decky = decky;
    e.service = service;
    e.event_type = type;
    e.attacker_ip = ip;
    e.fields = fields_;
    return e;
  }

 private:
  std::vector<Field> fields_;
};

inline constexpr double kT0 = 1763996400;  // 2025-11-24T15:00:00Z

inline OwnedEvent Ev(double dt, std::string ip = "198.51.100.7", std::string decky = "decky-01",
                     std::string service = "ssh", std::string type = "connection") {
  OwnedEvent e;
  e.ts = kT0 + dt;
  e.ip = std::move(ip);
  e.decky = std::move(decky);
  e.service = std::move(service);
  e.type = std::move(type);
  return e;
}

// A ProfileStore in memory: ip -> state JSON; counts saves.
class MemoryStore : public ProfileStore {
 public:
  Result<std::optional<std::string>> LoadState(std::string_view ip) override {
    auto it = states.find(std::string(ip));
    if (it == states.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status SaveProfile(const AttackerProfile& p) override {
    ++saves;
    states[p.ip()] = p.StateJson();
    return Ok();
  }
  std::map<std::string, std::string> states;
  size_t saves = 0;
};

inline Status FlushTo(Engine& e, MemoryStore& s) {
  return e.Flush([&](AttackerProfile& p) { return s.SaveProfile(p); });
}

}  // namespace decnet::intel::testing
