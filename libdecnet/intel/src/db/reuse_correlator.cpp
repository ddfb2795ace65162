#include "decnet/intel/reuse_correlator.h"

#include <vector>

#include "decnet/core/json.h"
#include "decnet/core/loop.h"
#include "decnet/intel/profile.h"

namespace decnet::intel {

ReuseCorrelator::ReuseCorrelator(storage::Repository& repo, ReuseOptions opts, Publisher publish)
    : repo_(repo), opts_(opts), publish_(std::move(publish)) {}

Result<size_t> ReuseCorrelator::Tick() {
  auto groups = repo_.CredentialReuseGroups(opts_.min_targets, opts_.max_groups);
  if (!groups) return groups.error();
  stats_.groups = groups->size();
  ++stats_.passes;
  std::vector<std::string> payloads;
  storage::Transaction tx(repo_);
  if (Status st = tx.Begin(); !st) return st.error();
  const int64_t now_us = static_cast<int64_t>(NowEpoch() * 1e6);
  for (storage::CredentialReuseRow& g : *groups) {
    g.updated_at_us = now_us;
    auto outcome = repo_.UpsertCredentialReuse(g);
    if (!outcome) return outcome.error();
    if (outcome->inserted) ++stats_.inserted;
    if (!outcome->changed) continue;
    json::JsonWriter w;
    w.Str("secret_kind", g.secret_kind)
        .Str("username", g.username)
        .Int("target_count", g.target_count)
        .Int("attempt_count", g.attempt_count)
        .Raw("attacker_ips", g.attacker_ips)
        .Raw("deckies", g.deckies)
        .Raw("services", g.services)
        .Str("first_seen", IsoTime(g.first_seen_us / 1e6))
        .Str("last_seen", IsoTime(g.last_seen_us / 1e6))
        .Bool("new", outcome->inserted);
    payloads.push_back(w.Finish());
  }
  if (Status st = tx.Commit(); !st) return st.error();
  for (const std::string& p : payloads) {
    if (publish_) publish_("credential.reuse.detected", "reuse.detected", p);
  }
  stats_.published += payloads.size();
  return payloads.size();
}

}  // namespace decnet::intel
