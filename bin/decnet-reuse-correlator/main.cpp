// decnet-reuse-correlator: credentials reused across targets. Wiring only: the work is
// decnet::intel::ReuseCorrelator (libdecnet/intel). Wakes on credential.captured (debounced) and on
// a slow poll; each pass upserts credential_reuse and publishes credential.reuse.detected per new
// or grown finding, after the commit.

#include "decnet/bus/worker.h"
#include "decnet/core/log.h"
#include "decnet/core/polled_job.h"
#include "decnet/intel/reuse_correlator.h"
#include "decnet/storage/repository.h"

int main(int argc, char** argv) {
  using namespace decnet;
  bus::Worker w("reuse-correlator", "credential reuse across deckies and services");
  Config& c = w.config();
  c.AddInt("poll_interval", 60, 1, 86400, "seconds between passes when the bus is quiet");
  c.AddInt("wake_delay_ms", 500, 0, 60000, "debounce after credential.captured before a pass");
  c.AddInt("min_targets", 2, 1, 1000, "distinct (decky, service) targets that make a reuse");
  c.AddInt("max_groups", 10000, 1, 10000000, "reuse groups read per pass");
  storage::AddDbConfigKeys(c);
  if (auto code = w.Init(argc, argv)) return *code;

  storage::OpenedDb db = storage::OpenFromConfig(c);
  if (!db.repo) return db.exit_code;
  intel::ReuseOptions opts;
  opts.min_targets = static_cast<int>(c.Int("min_targets"));
  opts.max_groups = static_cast<int>(c.Int("max_groups"));
  intel::ReuseCorrelator rc(
      *db.repo, opts,
      [&w](std::string_view topic, std::string_view type, const std::string& payload) {
        w.bus().Publish(topic, type, payload);
      });
  uint64_t failures = 0;
  PolledJob job(w.loop(), [&] {
    auto n = rc.Tick();
    if (!n) {
      ++failures;
      DLOG_WARN("reuse pass failed (retrying on the next wake): %s", n.error().message.c_str());
    }
  });
  const uint64_t wake_delay = static_cast<uint64_t>(c.Int("wake_delay_ms"));
  w.bus().Subscribe("credential.captured", [&](const bus::Event&) { job.Wake(wake_delay); });
  job.StartPolling(static_cast<uint64_t>(c.Int("poll_interval")) * 1000);
  w.AddHealth([&](json::JsonWriter& j) {
    const auto& s = rc.stats();
    j.Uint("passes", s.passes)
        .Uint("groups", s.groups)
        .Uint("published", s.published)
        .Uint("inserted", s.inserted)
        .Uint("failures", failures);
  });
  w.OnStop([&] { job.Stop(); });
  w.NotifyReady();
  return w.Run();
}
