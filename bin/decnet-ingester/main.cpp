// decnet-ingester: tails <ingest>.json into the DB (logs, bounty, credentials), exactly once, and
// publishes system.log per committed batch and credential.captured per credential (DB first, bus second).
// The work is libdecnet/storage's IngestTail; this file wires it to a libuv timer and the bus.
// Idle path: one timer tick every batch_max_wait_ms doing fstat/stat (no thread pool, no inotify).
#include <stdlib.h>

#include <algorithm>
#include <memory>
#include <string>

#include "decnet/bus/worker.h"
#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/core/loop.h"
#include "decnet/storage/ingester.h"
#include "decnet/storage/repository.h"

namespace {

using decnet::storage::BatchResult;
using decnet::storage::IngestTail;
using decnet::storage::IngestTailOptions;

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

class Ingester {
 public:
  Ingester(decnet::bus::Worker& w, decnet::storage::DbConfig db, IngestTailOptions opts, uint64_t wait_ms)
      : w_(w), db_(std::move(db)), opts_(std::move(opts)), wait_ms_(wait_ms),
        timer_(std::make_unique<decnet::Timer>(w.loop())) {}

  void Start() { Schedule(0); }
  void Stop() {
    stopped_ = true;
    timer_.reset();  // closes the handle; the loop can end
    tail_.reset();
    repo_.reset();
  }
  void Health(decnet::json::JsonWriter& j) const {
    j.Str("ingest_json", opts_.path).Bool("db_open", repo_ != nullptr);
    if (!tail_) return;
    const auto& s = tail_->stats();
    j.Int("position", tail_->position()).Uint("lines", s.lines).Uint("bounties", s.bounties);
    j.Uint("credentials", s.credentials).Uint("rejects", s.rejects_total);
    j.Uint("rejects_unwritten", s.rejects_unwritten).Uint("batches", s.batches);
    j.Uint("db_errors", s.db_errors).Uint("truncations", s.truncations).Uint("rotations", s.rotations);
    j.Uint("credentials_unpublished", s.credentials_unpublished);
  }

 private:
  void Schedule(uint64_t ms) {
    if (stopped_ || !timer_) return;
    timer_->Start(ms, 0, [this] { Tick(); });
  }

  // DB unavailable: back off 100 ms doubling to 30 s; the offset stays where the DB says it is.
  void Backoff(const decnet::Error& e) {
    backoff_ms_ = backoff_ms_ ? std::min<uint64_t>(backoff_ms_ * 2, 30000) : 100;
    if (backoff_ms_ >= 3200 || !warned_) DLOG_WARN("database: %s (retry in %llu ms)", e.message.c_str(),
                                                   static_cast<unsigned long long>(backoff_ms_));
    warned_ = true;
    Schedule(backoff_ms_);
  }

  bool EnsureOpen() {
    if (tail_) return true;
    auto r = decnet::storage::Open(db_);
    if (!r) {
      if (r.error().code == decnet::Errc::kCorrupt || r.error().code == decnet::Errc::kInvalidArgument ||
          r.error().code == decnet::Errc::kNotFound) {
        DLOG_ERROR("database: %s", r.error().message.c_str());
        w_.RequestStop(decnet::kExitUsage);
        return false;
      }
      Backoff(r.error());
      return false;
    }
    repo_ = std::move(*r);
    tail_ = std::make_unique<IngestTail>(*repo_, opts_);
    if (auto s = tail_->Start(); !s) {
      tail_.reset();
      repo_.reset();
      Backoff(s.error());
      return false;
    }
    DLOG_INFO("ingesting %s from offset %lld into %s", opts_.path.c_str(),
              static_cast<long long>(tail_->position()), repo_->backend());
    return true;
  }

  void Tick() {
    if (stopped_ || !EnsureOpen()) return;
    auto r = tail_->RunBatch();
    if (!r) {
      // A MySQL connection error may leave the pool needing a fresh start; SQLite just retries.
      if (db_.type != "sqlite") {
        tail_.reset();
        repo_.reset();
      }
      Backoff(r.error());
      return;
    }
    if (warned_) DLOG_NOTICE("database available again");
    backoff_ms_ = 0;
    warned_ = false;
    Publish(*r);
    Schedule(r->more ? 0 : wait_ms_);
  }

  void Publish(const BatchResult& r) {
    if (r.stored == 0 && r.lines == 0) return;
    decnet::json::JsonWriter j;
    j.Str("component", "ingester").Uint("flushed", r.stored).Uint("lines", r.lines).Int("position", r.position);
    w_.bus().Publish("system.log", "batch_committed", j.Finish());
    for (const auto& c : r.credentials) {
      decnet::json::JsonWriter p;
      p.Int("id", c.id).Str("attacker_ip", c.attacker_ip).Str("decky", c.decky).Str("service", c.service);
      p.Str("username", c.username).Str("secret_kind", c.secret_kind).Double("ts", c.ts_us / 1e6);
      w_.bus().Publish("credential.captured", "credential_captured", p.Finish());
    }
  }

  decnet::bus::Worker& w_;
  decnet::storage::DbConfig db_;
  IngestTailOptions opts_;
  uint64_t wait_ms_;
  std::unique_ptr<decnet::Timer> timer_;
  std::unique_ptr<decnet::storage::Repository> repo_;
  std::unique_ptr<IngestTail> tail_;
  uint64_t backoff_ms_ = 0;
  bool warned_ = false;
  bool stopped_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  decnet::bus::Worker w("ingester", "tail the ingest JSON file into the database, exactly once");
  auto& cfg = w.config();
  decnet::storage::AddDbConfigKeys(cfg);
  cfg.AddString("ingest_json", "",
                "ingest JSON file to tail (default: $DECNET_INGEST_LOG_FILE with .json, else "
                "<state_dir>/decnet.json)");
  cfg.AddString("reject_file", "", "rejected lines (default decnet-ingest.rejects beside the DB)");
  cfg.AddInt("batch_size", 5000, 1, 1000000, "lines per transaction");
  cfg.AddInt("batch_max_wait_ms", 250, 1, 60000, "poll interval: longest a new line waits");
  cfg.AddInt("read_chunk_kib", 64, 4, 16384, "bytes read per read(2), KiB");
  cfg.AddInt("max_line_bytes", 256 * 1024, 1024, 16 << 20, "longer lines are rejected");
  cfg.AddInt("max_json_depth", 16, 2, 128, "deeper JSON nesting is rejected");
  if (auto code = w.Init(argc, argv)) return *code;

  auto db = decnet::storage::DbConfigFromConfig(cfg);
  if (!db) {
    DLOG_ERROR("%s", db.error().message.c_str());
    return decnet::kExitUsage;
  }
  const std::string& state_dir = cfg.String("state_dir");
  IngestTailOptions o;
  o.path = cfg.String("ingest_json");
  if (o.path.empty()) {
    // The Python original's variable names the .log; its .json sibling is what we tail.
    const char* legacy = getenv("DECNET_INGEST_LOG_FILE");
    if (legacy && *legacy) {
      std::string base = legacy;
      size_t dot = base.rfind('.');
      if (dot != std::string::npos && base.find('/', dot) == std::string::npos) base.resize(dot);
      o.path = base + ".json";
    } else {
      o.path = state_dir + "/decnet.json";
    }
  }
  std::string reject_dir = db->type == "sqlite" ? DirName(db->path) : state_dir;
  o.reject_path = cfg.String("reject_file").empty() ? reject_dir + "/decnet-ingest.rejects"
                                                    : cfg.String("reject_file");
  o.batch_size = static_cast<size_t>(cfg.Int("batch_size"));
  o.read_chunk = static_cast<size_t>(cfg.Int("read_chunk_kib")) * 1024;
  o.limits.max_line_bytes = static_cast<size_t>(cfg.Int("max_line_bytes"));
  o.limits.max_depth = static_cast<int>(cfg.Int("max_json_depth"));
  if (db->type == "sqlite") {
    if (auto s = decnet::MakeParentDirs(db->path); !s) {
      DLOG_ERROR("%s", s.error().message.c_str());
      return decnet::kExitFailure;
    }
  }

  Ingester ing(w, *db, o, static_cast<uint64_t>(cfg.Int("batch_max_wait_ms")));
  w.OnStop([&] { ing.Stop(); });
  w.AddHealth([&](decnet::json::JsonWriter& j) { ing.Health(j); });
  ing.Start();
  w.NotifyReady();
  return w.Run();
}
