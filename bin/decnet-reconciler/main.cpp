// decnet-reconciler: compares the deployed fleet (<state_dir>/fleet.json) with what is there and
// publishes decky.<name>.state {state: running|degraded|absent, services: {svc: up|down}} on each
// transition. Wiring only: the work is decnet::deploy::Reconciler (libdecnet/deploy, probe target).
// It needs CAP_SYS_ADMIN to enter the deckies' network namespaces (setns) and reads, never connects
// (a probe connection would be logged as an attacker).
#include <sys/stat.h>

#include "decnet/bus/worker.h"
#include "decnet/core/log.h"
#include "decnet/core/polled_job.h"
#include "decnet/deploy/probe.h"

int main(int argc, char** argv) {
  using namespace decnet;
  bus::Worker w("reconciler", "deployed deckies against what runs: decky.<name>.state");
  Config& c = w.config();
  c.AddInt("poll_interval", 5, 1, 86400, "seconds between passes");
  c.AddString("fleet_file", "", "fleet state (default <state_dir>/fleet.json)");
  c.AddString("snapshot_file", "",
              "last full state for `decnet status` (default <state_dir>/deckies.state.json)");
  if (auto code = w.Init(argc, argv)) return *code;
  const std::string state = c.String("state_dir");
  const std::string fleet = c.String("fleet_file").empty() ? state + "/fleet.json"
                                                           : c.String("fleet_file");
  const std::string snap = c.String("snapshot_file").empty() ? state + "/deckies.state.json"
                                                             : c.String("snapshot_file");
  deploy::Reconciler rec(fleet, snap, [&w](const std::string& topic, const std::string& payload) {
    w.bus().Publish(topic, "decky_state", payload);
  });
  uint64_t failures = 0;
  PolledJob job(w.loop(), [&] {
    auto n = rec.Tick();
    if (!n) {
      ++failures;
      DLOG_WARN("reconcile pass failed (retrying): %s", n.error().message.c_str());
    }
  });
  job.StartPolling(static_cast<uint64_t>(c.Int("poll_interval")) * 1000);
  job.Wake(0);
  w.AddHealth([&](json::JsonWriter& j) {
    const auto& s = rec.stats();
    j.Uint("passes", s.passes)
        .Uint("transitions", s.transitions)
        .Uint("deckies", s.deckies)
        .Uint("running", s.running)
        .Uint("degraded", s.degraded)
        .Uint("absent", s.absent)
        .Uint("probe_denied", s.probe_denied)
        .Uint("failures", failures);
  });
  w.OnStop([&] { job.Stop(); });
  w.NotifyReady();
  return w.Run();
}
