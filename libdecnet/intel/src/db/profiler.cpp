#include "decnet/intel/profiler.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <deque>

#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/core/loop.h"
#include "decnet/intel/score.h"
#ifdef DECNET_INTEL_SYSLOG
#include "decnet/syslog/decnet.h"
#endif

namespace decnet::intel {
namespace {

int64_t Us(double s) { return static_cast<int64_t>(s * 1e6); }

// Points `e` at the identity of a log line, from a LogRow or a parsed DecnetRecord (both name these
// members alike). The views point into `src` and `fields`, which must outlive the event.
template <typename Source>
void SetEvent(const Source& src, int64_t log_id, int64_t ts_us, std::span<const Field> fields,
              Event* e) {
  e->log_id = log_id;
  e->ts = static_cast<double>(ts_us) / 1e6;
  e->decky = src.decky;
  e->service = src.service;
  e->event_type = src.event_type;
  e->attacker_ip = src.attacker_ip;
  e->fields = fields;
}

// A log row as an engine Event. Field views point into `doc`, `scratch` or `parsed`; all must
// outlive the event.
bool FromColumns(const storage::LogRow& row, rapidjson::Document& doc,
                 std::deque<std::string>& scratch, std::vector<Field>& fields, Event* e) {
  bool fields_ok = true;
  if (!row.fields.empty() && row.fields != "{}") {
    json::ParseLimits limits;
    limits.max_bytes = 256 * 1024;
    limits.max_depth = 16;
    if (json::ParseObject(row.fields, doc, limits)) {
      for (auto it = doc.MemberBegin(); it != doc.MemberEnd() && fields.size() < 256; ++it) {
        std::string_view key(it->name.GetString(), it->name.GetStringLength());
        if (it->value.IsString()) {
          fields.push_back(
              Field{key, std::string_view(it->value.GetString(), it->value.GetStringLength())});
        } else {
          scratch.push_back(it->value.IsNull() ? std::string() : json::Serialize(it->value));
          fields.push_back(Field{key, scratch.back()});
        }
      }
    } else {
      fields_ok = false;
    }
  }
  SetEvent(row, row.id, row.ts_us, fields, e);
  return fields_ok;
}

}  // namespace

// The row as an Event: its raw line re-parsed with the syslog component when it is a DECNET line
// with a time (the truth the ingester also parsed), else the ingester's columns.
bool Profiler::ToEvent(const storage::LogRow& row, Event* e) {
  fields_.clear();
  scratch_.clear();
#ifdef DECNET_INTEL_SYSLOG
  if (!row.raw_line.empty() && row.raw_line != "-") {
    syslog::DecnetRecord& r = *record_;
    if (parser_->Parse(syslog::TrimLine(row.raw_line), &r) && r.has_time && !r.decky.empty()) {
      for (const auto& [k, v] : r.fields) {
        if (fields_.size() >= 256) break;
        fields_.push_back(Field{k, v});
      }
      // Shell lines carry the command in MSG ("CMD ... cmd=..."): expose it as a field.
      if (!r.command.empty() && r.Field("command").empty())
        fields_.push_back(Field{"command", r.command});
      SetEvent(r, row.id, r.time_us, fields_, e);
      ++stats_.reparsed;
      return true;
    }
  }
#endif
  return FromColumns(row, doc_, scratch_, fields_, e);
}

Profiler::Profiler(storage::Repository& repo, ProfilerOptions opts, Publisher publish)
    : repo_(repo), opts_(opts), publish_(std::move(publish)), engine_(this, opts.engine) {
#ifdef DECNET_INTEL_SYSLOG
  parser_ = std::make_unique<syslog::DecnetParser>();
  record_ = std::make_unique<syslog::DecnetRecord>();
#endif
}

Profiler::~Profiler() = default;

Status Profiler::LoadCursor() {
  auto v = repo_.GetState(kCursorKey);
  if (!v) return v.error();
  stats_.cursor = 0;
  if (*v) {
    rapidjson::Document d;
    if (!json::ParseObject(**v, d))
      return MakeError(Errc::kCorrupt, "profiler_cursor is not a JSON object");
    stats_.cursor = json::GetInt(d, "last_log_id", 0);
  }
  cursor_loaded_ = true;
  return Ok();
}

Result<std::optional<std::string>> Profiler::LoadState(std::string_view ip) {
  auto row = repo_.GetAttacker(std::string(ip));
  if (!row) return row.error();
  // A row without state (written by the Python original) starts a fresh summary: the next write
  // replaces its counts with ours.
  if (!*row || (*row)->intel_state.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move((*row)->intel_state));
}

Status Profiler::SaveProfile(const AttackerProfile& p) { return WriteProfile(p); }

Status Profiler::WriteProfile(const AttackerProfile& p) {
  DbCounts db;
  if (auto it = counts_.find(p.ip()); it != counts_.end()) {
    db.credential_count = static_cast<uint64_t>(it->second.first);
    db.bounty_count = static_cast<uint64_t>(it->second.second);
  } else {  // an eviction mid-batch: not prefetched
    auto creds = repo_.CountCredentials(p.ip());
    if (!creds) return creds.error();
    db.credential_count = static_cast<uint64_t>(*creds);
    auto bounty = repo_.CountBounty(p.ip());
    if (!bounty) return bounty.error();
    db.bounty_count = static_cast<uint64_t>(*bounty);
  }
  if (db.bounty_count > 0 && opts_.max_fingerprints > 0) {
    auto fps = repo_.ListBounty(p.ip(), "fingerprint", 0, opts_.max_fingerprints);
    if (!fps) return fps.error();
    for (const auto& b : *fps) db.fingerprints.push_back(b.payload);
  }

  const double now = NowEpoch();
  const ThreatScore score = ScoreProfile(p, db);
  storage::AttackerRow row;
  row.ip = p.ip();
  row.first_seen_us = Us(p.first_seen());
  row.last_seen_us = Us(p.last_seen());
  row.event_count = static_cast<int64_t>(p.event_count());
  row.services = p.ServicesJson();
  row.deckies = p.DeckiesJson();
  row.is_traversal = p.is_traversal();
  row.traversal = "null";
  if (p.is_traversal()) {
    row.traversal.clear();
    json::AppendQuoted(row.traversal, p.TraversalPath());
  }
  row.bounty_count = static_cast<int64_t>(db.bounty_count);
  row.credential_count = static_cast<int64_t>(db.credential_count);
  row.fingerprints = "[";
  for (size_t i = 0; i < db.fingerprints.size(); ++i) {
    if (i) row.fingerprints += ",";
    row.fingerprints += db.fingerprints[i];
  }
  row.fingerprints += "]";
  row.commands = p.CommandsJson();
  row.score = score.score;
  row.score_reasons = "[";
  for (size_t i = 0; i < score.reasons.size(); ++i) {
    if (i) row.score_reasons += ",";
    json::AppendQuoted(row.score_reasons, score.reasons[i]);
  }
  row.score_reasons += "]";
  row.updated_at_us = Us(now);
  row.intel_state = p.StateJson();
  if (Status st = repo_.UpsertAttacker(row); !st) return st;

  storage::AttackerBehaviorRow b;
  b.ip = p.ip();
  if (auto os = p.OsGuess()) b.os_guess = std::string(*os);
  if (auto hop = p.HopDistance()) b.hop_distance = *hop;
  b.tcp_fingerprint = p.TcpFingerprintJson();
  b.retransmit_count = static_cast<int64_t>(p.retransmits());
  b.behavior_class = std::string(BehaviorName(p.behavior()));
  if (p.behavior() == Behavior::kBeaconing) {
    b.beacon_interval_s = p.timing().MeanRounded().value_or(-1);
    if (auto cv = p.timing().CvRounded()) b.beacon_jitter_pct = RoundTo(*cv * 100, 2);
  }
  b.tool_guesses = p.ToolGuessesJson();
  b.timing_stats = p.TimingStatsJson();
  b.phase_sequence = p.PhaseSequenceJson();
  b.updated_at_us = row.updated_at_us;
  if (Status st = repo_.UpsertAttackerBehavior(b); !st) return st;
  ++stats_.profiles_written;

  if (p.first_sighting) {
    json::JsonWriter w;
    w.Str("attacker_ip", p.ip())
        .Str("decky", p.deckies().empty() ? "" : p.deckies()[0])
        .Str("service", p.services().empty() ? "" : p.services()[0])
        .Str("first_seen", IsoTime(p.first_seen()));
    pending_.emplace_back("attacker.observed", w.Finish());
  }
  json::JsonWriter w;
  w.Str("attacker_ip", p.ip())
      .Int("score", score.score)
      .Raw("reasons", row.score_reasons)
      .Str("behavior_class", b.behavior_class)
      .Uint("event_count", p.event_count())
      .Str("first_seen", IsoTime(p.first_seen()))
      .Str("last_seen", IsoTime(p.last_seen()));
  pending_.emplace_back("attacker.scored", w.Finish());
  return Ok();
}

Status Profiler::PrefetchCounts() {
  counts_.clear();
  std::vector<std::string> ips;
  for (std::string_view ip : engine_.DirtyIps()) ips.emplace_back(ip);
  if (ips.empty()) return Ok();
  for (const std::string& ip : ips) counts_[ip] = {0, 0};
  auto creds = repo_.CredentialCountsByIp(ips);
  if (!creds) return creds.error();
  for (const auto& kc : *creds) {
    if (auto it = counts_.find(kc.key); it != counts_.end()) it->second.first = kc.count;
  }
  auto bounty = repo_.BountyCountsByIp(ips);
  if (!bounty) return bounty.error();
  for (const auto& kc : *bounty) {
    if (auto it = counts_.find(kc.key); it != counts_.end()) it->second.second = kc.count;
  }
  return Ok();
}

Result<size_t> Profiler::RunBatch() {
  if (!cursor_loaded_) {
    if (Status st = LoadCursor(); !st) return st.error();
  }
  pending_.clear();
  storage::Transaction tx(repo_);
  if (Status st = tx.Begin(); !st) return st.error();
  int64_t last = stats_.cursor;
  size_t consumed = 0;
  // Several reads per commit: a profile touched many times in the window is written once.
  while (consumed < static_cast<size_t>(std::max(opts_.rows_per_commit, 1))) {
    auto rows = repo_.LogsAfter(last, opts_.batch_rows);
    if (!rows) return rows.error();
    if (rows->empty()) break;
    for (const storage::LogRow& row : *rows) {
      Event e;
      if (!ToEvent(row, &e)) ++stats_.bad_fields;
      if (engine_.Ingest(e) == IngestOutcome::kStoreError) {
        return MakeError(Errc::kUnavailable,
                         "profile store failed at log id " + std::to_string(row.id));
      }
      last = row.id;
    }
    consumed += rows->size();
  }
  if (consumed == 0) return size_t{0};  // nothing read; the empty transaction rolls back
  if (Status st = PrefetchCounts(); !st) return st.error();
  Status flushed = engine_.Flush([this](AttackerProfile& p) { return WriteProfile(p); });
  counts_.clear();
  if (!flushed) return flushed.error();
  json::JsonWriter cur;
  cur.Int("last_log_id", last);
  if (Status st = repo_.PutState(kCursorKey, cur.Finish()); !st) return st.error();
  if (Status st = tx.Commit(); !st) return st.error();
  stats_.cursor = last;
  stats_.rows += consumed;
  ++stats_.batches;
  for (const auto& [topic, payload] : pending_) {
    if (publish_) publish_(topic, topic.substr(topic.find('.') + 1), payload);
  }
  pending_.clear();
  return consumed;
}

Result<size_t> Profiler::RunOnce() {
  size_t total = 0;
  for (int i = 0; i < opts_.max_batches_per_run; ++i) {
    auto n = RunBatch();
    if (!n) {
      // The transaction rolled back: forget what memory folded since the DB's truth.
      ++stats_.failed_batches;
      engine_.Reset();
      cursor_loaded_ = false;
      pending_.clear();
      counts_.clear();
      DLOG_WARN("batch failed, rolled back: %s", n.error().message.c_str());
      return n.error();
    }
    total += *n;
    // Only an empty read means caught up: the storage may clamp a batch below batch_rows.
    if (*n == 0) break;
  }
  return total;
}

}  // namespace decnet::intel
