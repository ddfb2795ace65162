// decnet-bus: the host-local pub/sub broker (DESIGN.md §5). Wiring only; the broker is libdecnet/bus.
#include "decnet/bus/broker.h"
#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/core/procmem.h"
#include "decnet/core/runtime.h"

#include <unistd.h>

#include <cstdio>

namespace decnet::bus {
std::string DefaultBusSocket(const Config& cfg);
}

int main(int argc, char** argv) {
  using namespace decnet;
  Runtime rt("bus", "host-local pub/sub broker on a UNIX socket (HELLO/PUB/SUB/UNSUB/EVT/BYE frames)");
  rt.config().AddInt("heartbeat", 10, 1, 3600, "seconds between system.bus.health events");
  rt.config().AddInt("queue_limit", 1024, 1, 1 << 20,
                     "outbound frames queued per connection before the oldest is dropped");
  rt.config().AddInt("max_connections", 1024, 1, 65536, "connections beyond this are refused");
  rt.config().AddString("socket_group", "decnet", "group owning the socket (mode 0660)");
  rt.config().AddString("control_uids", "",
                        "users (names or uids, comma list) whose PUB to system.*.control is honoured "
                        "besides root; default: the bus's own uid");
  if (auto code = rt.Init(argc, argv)) return *code;

  bus::BrokerOptions opts;
  opts.socket_path = bus::DefaultBusSocket(rt.config());
  opts.queue_limit = static_cast<size_t>(rt.config().Int("queue_limit"));
  opts.max_connections = static_cast<size_t>(rt.config().Int("max_connections"));
  opts.group = rt.config().String("socket_group");
  for (const std::string& u : SplitCommaList(rt.config().String("control_uids"))) {
    long uid = bus::UserIdFromEtcPasswd(u);
    if (uid < 0) {
      std::fprintf(stderr, "decnet-bus: invalid value '%s' for control_uids (from %s): no such user\n",
                   u.c_str(), rt.config().Source("control_uids").c_str());
      return kExitUsage;
    }
    opts.control_uids.push_back(static_cast<uint32_t>(uid));
  }
  if (Status st = MakeParentDirs(opts.socket_path); !st) {
    DLOG_ERROR("%s", st.error().message.c_str());
    return kExitFailure;
  }
  bus::Broker broker(rt.loop(), opts);
  if (Status st = broker.Listen(); !st) {
    DLOG_ERROR("%s", st.error().message.c_str());
    return st.error().code == Errc::kBusy ? kExitUsage : kExitFailure;
  }
  const double started = NowEpoch();
  auto publish_health = [&] {
    const bus::BrokerStats& s = broker.stats();
    json::JsonWriter j;
    j.Str("worker", "bus").Double("ts", NowEpoch()).Int("pid", getpid());
    if (auto m = ReadProcMem()) j.Uint("pss_kib", m->pss_kib).Uint("pss_anon_kib", m->pss_anon_kib);
    j.Double("uptime_s", NowEpoch() - started)
        .Uint("connections", broker.connection_count())
        .Uint("subscriptions", broker.pattern_count())
        .Uint("published", s.published)
        .Uint("delivered", s.delivered)
        .Uint("dropped", s.dropped)
        .Uint("bad_frames", s.bad_frames)
        .Uint("rejected", s.rejected);
    std::string payload = j.Finish();
    broker.PublishLocal("system.bus.health", "health", payload);
  };
  Timer heartbeat(rt.loop());
  const uint64_t every = static_cast<uint64_t>(rt.config().Int("heartbeat")) * 1000;
  heartbeat.Start(every, every, publish_health);
  broker.OnControl([&](const std::string& payload) {
    rapidjson::Document doc;
    if (json::ParseObject(payload, doc) && json::GetString(doc, "action") == "stop") {
      DLOG_WARN("STOP requested on system.bus.control (a bus message, not the service manager)");
      rt.RequestStop(kExitOk);
    }
  });
  rt.OnStop([&] {
    heartbeat.Stop();
    publish_health();
    broker.Close([&] { heartbeat.Unref(); });
  });
  rt.NotifyReady("listening on " + opts.socket_path);
  DLOG_INFO("listening on %s", opts.socket_path.c_str());
  return rt.Run();
}
