#include "decnet/api/worker_registry.h"

#include "decnet/core/json.h"

namespace decnet::api {

WorkerRegistry::WorkerRegistry(std::vector<std::string> known, size_t max_workers, size_t pss_history_len,
                               double stale_after_s)
    : max_workers_(max_workers), history_len_(pss_history_len), stale_after_s_(stale_after_s) {
  for (auto& k : known) {
    if (!k.empty() && entries_.size() < max_workers_) entries_[k];
  }
}

void WorkerRegistry::OnHealth(const std::string& name, const std::string& payload_json, double now) {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    if (entries_.size() >= max_workers_) {
      dropped_++;
      return;
    }
    it = entries_.emplace(name, Entry{}).first;
  }
  Entry& e = it->second;
  rapidjson::Document doc;
  json::ParseLimits limits;
  limits.max_bytes = 64 * 1024;
  if (!json::ParseObject(payload_json, doc, limits)) return;
  e.last_seen = now;
  e.pid = json::GetInt(doc, "pid");
  e.pss_kib = json::GetInt(doc, "pss_kib");
  e.health_json = payload_json;
  e.pss_history.emplace_back(now, e.pss_kib);
  while (e.pss_history.size() > history_len_) e.pss_history.pop_front();
}

const char* WorkerRegistry::StatusOf(const Entry& e, double now) const {
  if (e.last_seen == 0) return "unknown";
  return now - e.last_seen <= stale_after_s_ ? "ok" : "stale";
}

void WorkerRegistry::SampleFleet(double now) {
  int64_t total = 0;
  for (const auto& [name, e] : entries_) {
    if (std::string_view(StatusOf(e, now)) == "ok") total += e.pss_kib;
  }
  fleet_history_.emplace_back(now, total);
  while (fleet_history_.size() > history_len_) fleet_history_.pop_front();
}

namespace {
std::string HistoryJson(const std::deque<std::pair<double, int64_t>>& h) {
  std::string out = "[";
  for (const auto& [t, kib] : h) {
    if (out.size() > 1) out += ',';
    out += '[';
    json::AppendDouble(out, t);
    out += ',' + std::to_string(kib) + ']';
  }
  return out + "]";
}
}  // namespace

std::string WorkerRegistry::ToJson(double now) const {
  std::string list = "[";
  int64_t fleet = 0;
  for (const auto& [name, e] : entries_) {
    const char* status = StatusOf(e, now);
    if (std::string_view(status) == "ok") fleet += e.pss_kib;
    json::JsonWriter w;
    w.Str("name", name).Str("status", status);
    if (e.last_seen > 0) {
      w.Double("last_seen", e.last_seen).Double("age_s", now - e.last_seen).Int("pid", e.pid);
      w.Int("pss_kib", e.pss_kib);
    } else {
      w.Null("last_seen").Null("pss_kib");
    }
    w.Raw("health", e.health_json).Raw("pss_history", HistoryJson(e.pss_history));
    if (list.size() > 1) list += ',';
    list += w.Finish();
  }
  list += ']';
  json::JsonWriter w;
  w.Raw("workers", list).Int("fleet_pss_kib", fleet).Raw("fleet_history", HistoryJson(fleet_history_));
  w.Double("stale_after_s", stale_after_s_).Uint("dropped", dropped_);
  return w.Finish();
}

}  // namespace decnet::api
