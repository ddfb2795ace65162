#include "decnet/intel/reuse.h"

#include <algorithm>

#include "decnet/core/json.h"
#include "decnet/intel/profile.h"

namespace decnet::intel {
namespace {

void AddDistinct(std::vector<std::string>& v, const std::string& s, size_t max) {
  if (v.size() >= max || std::find(v.begin(), v.end(), s) != v.end()) return;
  v.push_back(s);
}

std::string List(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    json::AppendQuoted(out, v[i]);
  }
  out.push_back(']');
  return out;
}

bool Grew(const std::vector<std::string>& now, const std::vector<std::string>& before) {
  for (const auto& s : now) {
    if (std::find(before.begin(), before.end(), s) == before.end()) return true;
  }
  return false;
}

}  // namespace

void ReuseAggregator::Add(const CredentialRow& r) {
  auto key = std::make_tuple(r.secret, r.secret_kind, r.principal, r.secret_encoding);
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    if (groups_.size() >= limits_.max_groups) {
      ++dropped_;
      return;
    }
    it = groups_.emplace(std::move(key), Group{}).first;
    ReuseFinding& f = it->second.f;
    f.secret = r.secret;
    f.secret_kind = r.secret_kind;
    f.principal = r.principal;
    f.secret_encoding = r.secret_encoding;
    f.first_seen = f.last_seen = r.ts;
  }
  Group& g = it->second;
  g.f.attempt_count += std::max<uint64_t>(1, r.attempt_count);
  g.f.first_seen = std::min(g.f.first_seen, r.ts);
  g.f.last_seen = std::max(g.f.last_seen, r.ts);
  std::string target = r.decky;
  target.push_back('\0');
  target += r.service;
  auto pos = std::lower_bound(g.targets.begin(), g.targets.end(), target);
  if ((pos == g.targets.end() || *pos != target) && g.targets.size() < limits_.max_targets) {
    g.targets.insert(pos, std::move(target));
  }
  AddDistinct(g.f.attacker_ips, r.attacker_ip, limits_.max_list);
  AddDistinct(g.f.deckies, r.decky, limits_.max_list);
  AddDistinct(g.f.services, r.service, limits_.max_list);
}

std::vector<ReuseFinding> ReuseAggregator::Findings(size_t min_targets) const {
  std::vector<ReuseFinding> out;
  for (const auto& [key, g] : groups_) {
    if (g.targets.size() < std::max<size_t>(1, min_targets)) continue;
    out.push_back(g.f);
    out.back().target_count = g.targets.size();
  }
  return out;
}

std::vector<ReuseFinding> FindCredentialReuse(std::span<const CredentialRow> rows,
                                              size_t min_targets, const ReuseLimits& limits) {
  ReuseAggregator agg(limits);
  for (const CredentialRow& r : rows) agg.Add(r);
  return agg.Findings(min_targets);
}

bool IsNewReuse(const ReuseFinding& now, const ReuseFinding* before) {
  if (before == nullptr) return true;
  return now.target_count > before->target_count || Grew(now.attacker_ips, before->attacker_ips) ||
         Grew(now.deckies, before->deckies) || Grew(now.services, before->services);
}

std::string ReuseFinding::PayloadJson(std::string_view id) const {
  json::JsonWriter w;
  w.Str("id", id)
      .Str("secret_kind", secret_kind)
      .Uint("target_count", target_count)
      .Uint("attempt_count", attempt_count)
      .Raw("attacker_ips", List(attacker_ips))
      .Raw("deckies", List(deckies))
      .Raw("services", List(services))
      .Str("first_seen", IsoTime(first_seen))
      .Str("last_seen", IsoTime(last_seen));
  return w.Finish();
}

}  // namespace decnet::intel
