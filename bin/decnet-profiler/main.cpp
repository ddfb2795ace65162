// decnet-profiler: attacker profiles from the logs. Wiring only: the work is
// decnet::intel::Profiler (libdecnet/intel). Wakes on attacker.session.ended / system.log
// (debounced) and on a poll timer; each run processes batches of logs after the cursor, writes the
// changed profiles and the cursor in one transaction, then publishes attacker.observed (first
// sighting) and attacker.scored (changed profile).

#include "decnet/bus/worker.h"
#include "decnet/core/log.h"
#include "decnet/core/polled_job.h"
#include "decnet/intel/profiler.h"
#include "decnet/storage/repository.h"

int main(int argc, char** argv) {
  using namespace decnet;
  bus::Worker w("profiler", "attacker profiles, behaviour and threat scores from the logs");
  Config& c = w.config();
  c.AddInt("poll_interval", 10, 1, 86400,
           "seconds between polls of the logs table when the bus is quiet");
  c.AddInt("wake_delay_ms", 250, 0, 60000, "debounce after a bus wake-up before reading the logs");
  c.AddInt("batch_rows", 500, 1, 1000, "log rows per read");
  c.AddInt("rows_per_commit", 5000, 1, 1000000,
           "log rows folded per transaction (each changed profile written once)");
  c.AddInt("max_batches_per_run", 4, 1, 100000, "transactions before yielding to the loop");
  c.AddInt("max_ips", 10000, 1, 10000000,
           "attacker profiles held in memory (least recently seen evicted to the DB)");
  c.AddInt("max_commands", 64, 0, 100000, "commands kept per attacker");
  c.AddInt("max_command_bytes", 512, 16, 65536, "longer commands are truncated");
  c.AddInt("max_services", 32, 1, 4096, "distinct services kept per attacker");
  c.AddInt("max_deckies", 64, 1, 4096, "distinct deckies kept per attacker");
  c.AddInt("max_fingerprints", 32, 0, 4096, "fingerprint bounty payloads on an attacker row");
  storage::AddDbConfigKeys(c);
  if (auto code = w.Init(argc, argv)) return *code;

  storage::OpenedDb db = storage::OpenFromConfig(c);
  if (!db.repo) return db.exit_code;

  intel::ProfilerOptions opts;
  opts.batch_rows = static_cast<int>(c.Int("batch_rows"));
  opts.max_batches_per_run = static_cast<int>(c.Int("max_batches_per_run"));
  opts.rows_per_commit = static_cast<int>(c.Int("rows_per_commit"));
  opts.max_fingerprints = static_cast<int>(c.Int("max_fingerprints"));
  opts.engine.max_ips = static_cast<size_t>(c.Int("max_ips"));
  opts.engine.limits.max_commands = static_cast<size_t>(c.Int("max_commands"));
  opts.engine.limits.max_command_bytes = static_cast<size_t>(c.Int("max_command_bytes"));
  opts.engine.limits.max_services = static_cast<size_t>(c.Int("max_services"));
  opts.engine.limits.max_deckies = static_cast<size_t>(c.Int("max_deckies"));
  intel::Profiler profiler(
      *db.repo, opts,
      [&w](std::string_view topic, std::string_view type, const std::string& payload) {
        w.bus().Publish(topic, type, payload);
      });

  PolledJob job(w.loop(), [&] {
    auto n = profiler.RunOnce();
    if (!n) return;  // logged by the profiler; the next poll retries from the DB's cursor
    // Rows were read, so more may wait: continue on the next loop turn (letting the bus breathe)
    // until a run reads nothing.
    if (*n > 0) job.Wake(0);
  });
  const uint64_t wake_delay = static_cast<uint64_t>(c.Int("wake_delay_ms"));
  w.bus().Subscribe("attacker.session.ended", [&](const bus::Event&) { job.Wake(wake_delay); });
  w.bus().Subscribe("system.log", [&](const bus::Event&) { job.Wake(wake_delay); });
  job.StartPolling(static_cast<uint64_t>(c.Int("poll_interval")) * 1000);

  w.AddHealth([&](json::JsonWriter& j) {
    const auto& s = profiler.stats();
    const auto& e = profiler.engine().stats();
    j.Uint("rows", s.rows)
        .Int("cursor", s.cursor)
        .Uint("profiles_written", s.profiles_written)
        .Uint("failed_batches", s.failed_batches)
        .Uint("bad_fields", s.bad_fields)
        .Uint("reparsed", s.reparsed)
        .Uint("profiles_in_memory", profiler.engine().size())
        .Uint("evicted", e.evicted)
        .Uint("loaded", e.loaded)
        .Uint("rejected", e.rejected)
        .Uint("no_ip", e.no_ip)
        .Uint("store_errors", e.store_errors);
  });
  // Batches are synchronous: by the time a stop runs, none is in hand. Close the timers so the loop
  // ends.
  w.OnStop([&] { job.Stop(); });
  w.NotifyReady();
  DLOG_INFO("profiling %s (max_ips=%zu, batch_rows=%d)", db.config.path.c_str(),
            opts.engine.max_ips, opts.batch_rows);
  return w.Run();
}
