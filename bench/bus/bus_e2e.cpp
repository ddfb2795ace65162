// End-to-end bus throughput and latency over the real decnet-bus: 1 publisher -> 1 and -> 5 subscribers,
// payloads of 128 B and 1 KiB. Prints msgs/s delivered per subscriber, p50/p99 latency and the broker's PSS.
// Usage: bus_e2e_bench [BUS_BINARY] [MESSAGES]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "decnet/bus/client.h"
#include "decnet/core/json.h"
#include "decnet/core/loop.h"
#include "decnet/core/procmem.h"

using namespace decnet;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct CaseResult {
  double msgs_per_s;
  double p50_us, p99_us;
  uint64_t lost;
  uint64_t broker_pss;
};

CaseResult RunCase(const std::string& sock, pid_t broker, int subs, size_t payload, int messages) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  CaseResult r{};
  {
    std::vector<std::unique_ptr<bus::Client>> clients;
    std::vector<int64_t> lat;
    lat.reserve(static_cast<size_t>(messages) * subs);
    uint64_t received = 0;
    int64_t last_rx = 0;
    for (int i = 0; i < subs; ++i) {
      auto c = std::make_unique<bus::Client>(&loop, sock, "sub" + std::to_string(i));
      c->Subscribe("bench.>", [&](const bus::Event& e) {
        rapidjson::Document d;
        if (!json::ParseObject(e.payload_json, d)) return;
        last_rx = NowNs();
        lat.push_back(last_rx - json::GetInt(d, "t"));
        ++received;
      });
      c->Start();
      clients.push_back(std::move(c));
    }
    bus::Client pub(&loop, sock, "pub", bus::ClientOptions{1 << 16, 100, 1000});
    pub.Start();
    auto all_connected = [&] {
      if (!pub.connected()) return false;
      for (auto& c : clients) if (!c->connected()) return false;
      return true;
    };
    while (!all_connected()) uv_run(&loop, UV_RUN_ONCE);
    // Let the SUB frames reach the broker.
    for (int i = 0; i < 50; ++i) { uv_run(&loop, UV_RUN_NOWAIT); usleep(1000); }
    const std::string pad(payload > 40 ? payload - 40 : 0, 'x');
    const int64_t start = NowNs();
    int sent = 0;
    while (sent < messages) {
      for (int k = 0; k < 64 && sent < messages; ++k, ++sent) {
        pub.Publish("bench.e2e", "", "{\"t\":" + std::to_string(NowNs()) + ",\"pad\":\"" + pad + "\"}");
      }
      uv_run(&loop, UV_RUN_NOWAIT);
      // Pace to what the subscribers have taken so the run measures delivery, not queue drops.
      while (static_cast<int64_t>(sent) * subs - static_cast<int64_t>(received) > 2000) {
        uv_run(&loop, UV_RUN_ONCE);
      }
    }
    const int64_t deadline = NowNs() + 3'000'000'000LL;
    while (received < static_cast<uint64_t>(messages) * subs && NowNs() < deadline) {
      uv_run(&loop, UV_RUN_NOWAIT);
    }
    const double secs = static_cast<double>(last_rx - start) / 1e9;
    r.msgs_per_s = static_cast<double>(received) / subs / secs;
    std::sort(lat.begin(), lat.end());
    if (!lat.empty()) {
      r.p50_us = static_cast<double>(lat[lat.size() / 2]) / 1000;
      r.p99_us = static_cast<double>(lat[lat.size() * 99 / 100]) / 1000;
    }
    r.lost = static_cast<uint64_t>(messages) * subs - received;
    if (auto m = ReadProcMem(broker)) r.broker_pss = m->pss_kib;
    bool closed = false;
    int pending = subs + 1;
    auto done = [&] { if (--pending == 0) closed = true; };
    pub.Close(done);
    for (auto& c : clients) c->Close(done);
    while (!closed) uv_run(&loop, UV_RUN_ONCE);
  }
  CloseAllHandles(&loop);
  uv_loop_close(&loop);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string bus_bin = argc > 1 ? argv[1] : "build/bin/decnet-bus";
  const int messages = argc > 2 ? std::atoi(argv[2]) : 200000;
  char tmpl[] = "/tmp/decnet-bus-bench.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string sock = dir + "/bus.sock";
  pid_t broker = fork();
  if (broker == 0) {
    setenv("DECNET_CONFIG", "/dev/null", 1);
    execl(bus_bin.c_str(), bus_bin.c_str(), ("--bus-socket=" + sock).c_str(), "--log-level=warning",
          "--queue-limit=65536", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 100 && access(sock.c_str(), F_OK) != 0; ++i) usleep(20000);
  std::printf("| case | payload | msgs/s per subscriber | p50 µs | p99 µs | lost | broker PSS KiB |\n"
              "|---|---:|---:|---:|---:|---:|---:|\n");
  for (int subs : {1, 5}) {
    for (size_t payload : {size_t{128}, size_t{1024}}) {
      CaseResult r = RunCase(sock, broker, subs, payload, messages);
      std::printf("| decnet-bus 1 -> %d | %zu B | %.0f | %.1f | %.1f | %llu | %llu |\n", subs, payload,
                  r.msgs_per_s, r.p50_us, r.p99_us, static_cast<unsigned long long>(r.lost),
                  static_cast<unsigned long long>(r.broker_pss));
      std::fflush(stdout);
    }
  }
  kill(broker, SIGTERM);
  waitpid(broker, nullptr, 0);
  rmdir(dir.c_str());
  return 0;
}
