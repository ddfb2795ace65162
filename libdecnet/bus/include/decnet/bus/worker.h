// The full worker contract (DESIGN.md §4): the core Runtime plus a bus client, the health heartbeat on
// system.<name>.health every health_interval seconds, and system.<name>.control {"action":"stop"}.
//
// A worker's main() is:
//   decnet::bus::Worker w("ingester", "tail the ingest JSON into the DB");
//   w.config().AddString(...);
//   if (auto code = w.Init(argc, argv)) return *code;
//   ... set up handles on w.loop(), w.OnStop(...) to close them ...
//   w.AddHealth([&](json::JsonWriter& j) { j.Uint("rows", rows); });
//   w.NotifyReady();
//   return w.Run();
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "decnet/bus/client.h"
#include "decnet/core/json.h"
#include "decnet/core/runtime.h"

namespace decnet::bus {

class Worker {
 public:
  Worker(std::string name, std::string summary);
  ~Worker();

  Config& config() { return rt_.config(); }
  const Config& config() const { return rt_.config(); }
  // Loads config (see Runtime::Init), then starts the bus client on bus_socket. Returns an exit code when
  // the process should exit now.
  std::optional<int> Init(int argc, char** argv);
  // See Runtime::SetLockKey (templated workers: one lock per instance). Call before Init().
  void SetLockKey(std::string config_key) { rt_.SetLockKey(std::move(config_key)); }

  uv_loop_t* loop() { return rt_.loop(); }
  Runtime& runtime() { return rt_; }
  Client& bus() { return *client_; }
  const std::string& name() const { return rt_.name(); }

  // Extra fields for the health payload (counters, queue depths).
  void AddHealth(std::function<void(json::JsonWriter&)> fn) { health_.push_back(std::move(fn)); }
  // Runs when the worker must stop; see Runtime::OnStop. The bus client is closed after these run.
  void OnStop(std::function<void()> fn) { rt_.OnStop(std::move(fn)); }
  void RequestStop(int code = kExitOk) { rt_.RequestStop(code); }
  void NotifyReady(std::string_view status = {});
  int Run() { return rt_.Run(); }

  // The health payload now (also what the heartbeat publishes).
  std::string HealthJson();

 private:
  void PublishHealth();
  Runtime rt_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Timer> health_timer_;
  std::vector<std::function<void(json::JsonWriter&)>> health_;
  double started_ = 0;
};

// The bus socket a worker with config `cfg` connects to (bus_socket, else the default for its state dir).
std::string DefaultBusSocket(const Config& cfg);

}  // namespace decnet::bus
