// decnet-decky: one decky (a fake host) serving all of its services on one loop. Wiring only: the
// runtime is libdecnet/decoy, the protocols libdecnet/services/<family>. Start-up order matters:
// enter the network namespace, bind every port, then drop every privilege before the first byte from
// an attacker is read.

#include <unistd.h>

#include "decnet/bus/worker.h"
#include "decnet/core/log.h"
#include "decnet/decoy/app.h"
#include "services.h"

int main(int argc, char** argv) {
  using namespace decnet;
  bus::Worker w("decky", "one decky: every service of one fake host on one loop");
  decoy::DeclareDeckyConfig(w.config());
  w.SetLockKey("decky");
  if (auto code = w.Init(argc, argv)) return *code;

  decoy::ServiceRegistry registry;
  RegisterAllServices(registry);
  auto app = decoy::DeckyApp::Start(w.loop(), w.config(), registry, bus::DefaultBusSocket(w.config()));
  if (!app) {
    DLOG_ERROR("%s", app.error().message.c_str());
    return app.error().code == Errc::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  decoy::DeckyApp& d = **app;
  w.AddHealth([&d](json::JsonWriter& j) {
    j.Str("decky", d.persona().decky()).Raw("counters", d.HealthJson());
  });
  w.OnStop([&d] { d.Stop(); });
  w.NotifyReady();
  DLOG_INFO("decky %s up: %s", d.persona().decky().c_str(), d.Describe().c_str());
  return w.Run();
}
