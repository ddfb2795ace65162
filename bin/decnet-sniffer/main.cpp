// decnet-sniffer: passive fingerprints of everyone who touches a decky (see service.h), or with
// --read FILE an offline fingerprinting of a capture file (see offline_main.cpp).
#include "decnet/bus/worker.h"
#include "service.h"
#include "sniffer.h"

int main(int argc, char** argv) {
  using namespace decnet;
  if (sniffer::WantsOffline(argc, argv)) return sniffer::RunOfflineMode(argc, argv);
  sniffer::DropCapabilities();
  bus::Worker w("sniffer", "passive TCP/TLS/SSH/HTTP/QUIC fingerprints of traffic to deckies");
  sniffer::DeclareCaptureKeys(w.config());
  sniffer::DeclareLiveKeys(w.config());
  if (auto code = w.Init(argc, argv)) return *code;
  sniffer::SnifferService svc(w);
  w.OnStop([&] { svc.Stop(); });
  w.AddHealth([&](json::JsonWriter& j) { svc.Health(j); });
  svc.Start();
  // READY is sent at once: waiting for an interface or deckies is a normal, healthy state.
  w.NotifyReady("started");
  return w.Run();
}
