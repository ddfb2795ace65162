#include "decnet/bus/worker.h"

#include <unistd.h>

#include "decnet/core/log.h"
#include "decnet/core/procmem.h"

namespace decnet::bus {

// The bus socket when not configured: the system path for the system state dir, else beside the state dir
// (the local fleet and tests run many fleets side by side).
std::string DefaultBusSocket(const Config& cfg) {
  if (!cfg.String("bus_socket").empty()) return cfg.String("bus_socket");
  const std::string& state = cfg.String("state_dir");
  if (state == "/var/lib/decnet") return "/run/decnet/bus.sock";
  return state + "/bus.sock";
}

Worker::Worker(std::string name, std::string summary) : rt_(std::move(name), std::move(summary)) {}

Worker::~Worker() {
  health_timer_.reset();
  client_.reset();
}

std::optional<int> Worker::Init(int argc, char** argv) {
  if (auto code = rt_.Init(argc, argv)) return code;
  started_ = NowEpoch();
  client_ = std::make_unique<Client>(rt_.loop(), DefaultBusSocket(config()), name());
  client_->Subscribe("system." + name() + ".control", [this](const Event& ev) {
    rapidjson::Document doc;
    if (!json::ParseObject(ev.payload_json, doc)) return;
    if (json::GetString(doc, "action") == "stop") {
      // Loud on purpose: a stop that is not systemd's SIGTERM leaves a Restart=on-failure unit
      // down, so whoever asked for it must be on record.
      DLOG_WARN("STOP requested on system.%s.control by %s (a bus message, not the service "
                "manager); exiting 0", name().c_str(),
                ev.sender.empty() ? "an unknown sender" : ev.sender.c_str());
      RequestStop(kExitOk);
    }
  });
  client_->Start();
  health_timer_ = std::make_unique<Timer>(rt_.loop());
  const uint64_t every = static_cast<uint64_t>(config().Int("health_interval")) * 1000;
  health_timer_->Start(every, every, [this] { PublishHealth(); });
  // The stop sequence: the worker's own handlers first (they flush and publish their last events), then
  // the heartbeat and the bus client, so that the loop can end.
  rt_.OnStop([this] {
    health_timer_.reset();
    client_->Close();
  });
  return std::nullopt;
}

void Worker::NotifyReady(std::string_view status) {
  rt_.NotifyReady(status);
  PublishHealth();  // announce ourselves at once rather than after the first interval
}

std::string Worker::HealthJson() {
  json::JsonWriter j;
  j.Str("worker", name()).Double("ts", NowEpoch()).Int("pid", getpid());
  if (auto m = ReadProcMem()) {
    j.Uint("pss_kib", m->pss_kib).Uint("pss_anon_kib", m->pss_anon_kib).Uint("rss_kib", m->rss_kib);
  }
  j.Double("uptime_s", NowEpoch() - started_);
  const ClientStats& bs = client_->stats();
  j.Uint("bus_published", bs.published).Uint("bus_dropped", bs.dropped).Uint("bus_reconnects", bs.reconnects);
  for (auto& fn : health_) fn(j);
  return j.Finish();
}

void Worker::PublishHealth() {
  if (rt_.stopping()) return;
  client_->Publish("system." + name() + ".health", "health", HealthJson());
}

}  // namespace decnet::bus
