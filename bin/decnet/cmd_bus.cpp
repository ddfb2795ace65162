// decnet bus pub TOPIC JSON | decnet bus sub PATTERN: watch and poke the bus from a shell.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"
#include "decnet/bus/client.h"
#include "decnet/core/config.h"
#include "decnet/core/json.h"
#include "decnet/core/loop.h"
#include "decnet/core/runtime.h"

namespace decnet::bus {
std::string DefaultBusSocket(const Config& cfg);
}

namespace {

using namespace decnet;

void AddCommon(Config& cfg) {
  cfg.AddString("state_dir", "/var/lib/decnet", "state directory (locates the bus socket)");
  cfg.AddString("bus_socket", "", "bus socket (default: from state_dir, as the workers do)");
  cfg.AddDouble("timeout", 5, 0, 86400, "seconds to wait (sub: 0 waits forever)");
}

int Pub(int argc, char** argv) {
  Config cfg("bus-pub", "decnet bus pub TOPIC [JSON] [--type TYPE]: publish one event");
  AddCommon(cfg);
  cfg.AddString("type", "", "event type field");
  if (Status st = cfg.Load(argc, argv); !st) {
    std::fprintf(stderr, "decnet bus pub: %s\n", st.error().message.c_str());
    return 2;
  }
  if (cfg.help_requested()) return std::fputs(cfg.Usage().c_str(), stdout), 0;
  const auto& pos = cfg.positional();
  if (pos.empty() || pos.size() > 2) {
    std::fprintf(stderr, "usage: decnet bus pub TOPIC [JSON-OBJECT]\n");
    return 2;
  }
  const std::string payload = pos.size() == 2 ? pos[1] : "{}";
  rapidjson::Document doc;
  if (Status st = json::ParseObject(payload, doc); !st) {
    std::fprintf(stderr, "decnet bus pub: payload: %s\n", st.error().message.c_str());
    return 2;
  }
  if (!bus::ValidTopic(pos[0])) {
    std::fprintf(stderr, "decnet bus pub: invalid topic '%s'\n", pos[0].c_str());
    return 2;
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = 1;
  {
    bus::Client client(&loop, bus::DefaultBusSocket(cfg), "decnet-cli");
    Timer timeout(&loop);
    client.OnConnected([&] {
      client.Publish(pos[0], cfg.String("type"), payload);
      rc = 0;
      client.Close([&] { timeout.Stop(); });
    });
    timeout.Start(static_cast<uint64_t>(cfg.Double("timeout") * 1000), 0, [&] {
      std::fprintf(stderr, "decnet bus pub: no broker at %s\n", bus::DefaultBusSocket(cfg).c_str());
      client.Close();
    });
    client.Start();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  CloseAllHandles(&loop);
  uv_loop_close(&loop);
  return rc;
}

int Sub(int argc, char** argv) {
  Config cfg("bus-sub", "decnet bus sub PATTERN [--count N]: print matching events as JSON lines");
  AddCommon(cfg);
  cfg.AddInt("count", 0, 0, 1 << 30, "exit 0 after this many events (0: never)");
  if (Status st = cfg.Load(argc, argv); !st) {
    std::fprintf(stderr, "decnet bus sub: %s\n", st.error().message.c_str());
    return 2;
  }
  if (cfg.help_requested()) return std::fputs(cfg.Usage().c_str(), stdout), 0;
  const auto& pos = cfg.positional();
  if (pos.size() != 1 || !bus::ValidPattern(pos[0])) {
    std::fprintf(stderr, "usage: decnet bus sub PATTERN   (NATS-style: '*' one token, '>' the rest)\n");
    return 2;
  }
  const int64_t want = cfg.Int("count");
  int64_t seen = 0;
  int rc = 0;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    bus::Client client(&loop, bus::DefaultBusSocket(cfg), "decnet-cli-sub");
    Timer timeout(&loop);
    uv_signal_t sigint;
    uv_signal_init(&loop, &sigint);
    sigint.data = &client;
    auto finish = [&](int code) {
      rc = code;
      timeout.Stop();
      if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&sigint))) {
        uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
      }
      client.Close();
    };
    client.Subscribe(pos[0], [&](const bus::Event& ev) {
      std::string line = "{\"topic\":";
      json::AppendQuoted(line, ev.topic);
      line += ",\"type\":";
      json::AppendQuoted(line, ev.type);
      line += ",\"id\":";
      json::AppendQuoted(line, ev.id);
      line += ",\"ts\":";
      json::AppendDouble(line, ev.ts);
      line += ",\"payload\":" + ev.payload_json + "}\n";
      std::fputs(line.c_str(), stdout);
      std::fflush(stdout);
      if (want > 0 && ++seen >= want) finish(0);
    });
    client.OnConnected([] { std::fflush(stdout); });
    if (cfg.Double("timeout") > 0 && cfg.Source("timeout") != "default") {
      timeout.Start(static_cast<uint64_t>(cfg.Double("timeout") * 1000), 0, [&] { finish(1); });
    }
    uv_signal_start(&sigint, [](uv_signal_t* s, int) {
      static_cast<bus::Client*>(s->data)->Close();
      uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
    }, SIGINT);
    client.Start();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  CloseAllHandles(&loop);
  uv_loop_close(&loop);
  return rc;
}

int BusCommand(int argc, char** argv) {
  if (argc >= 2 && !std::strcmp(argv[1], "pub")) return Pub(argc - 1, argv + 1);
  if (argc >= 2 && !std::strcmp(argv[1], "sub")) return Sub(argc - 1, argv + 1);
  std::fprintf(stderr,
               "usage: decnet bus pub TOPIC [JSON] [--type T]   publish one event\n"
               "       decnet bus sub PATTERN [--count N] [--timeout S]   print events as JSON lines\n");
  return argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) ? 0 : 2;
}

}  // namespace

DECNET_COMMAND("bus", "publish to or subscribe on the local bus (pub, sub)", BusCommand);
