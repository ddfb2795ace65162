// The same end-to-end cases as bus_e2e.cpp, against Debian's nats-server through the C client libnats:
// 1 publisher -> 1 and -> 5 subscribers, 128 B and 1 KiB payloads, msgs/s, p50/p99 and the server's PSS.
// Usage: nats_e2e_bench [MESSAGES]. Starts its own nats-server on a loopback port and stops it.
#include <nats/nats.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "decnet/core/procmem.h"

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Shared {
  std::atomic<uint64_t> received{0};
  std::atomic<int64_t> last_rx{0};
  std::mutex mu;
  std::vector<int64_t> lat;
};

void OnMsg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* s = static_cast<Shared*>(closure);
  const int64_t now = NowNs();
  int64_t t = std::strtoll(natsMsg_GetData(msg), nullptr, 10);
  {
    std::lock_guard<std::mutex> g(s->mu);
    s->lat.push_back(now - t);
  }
  s->last_rx = now;
  ++s->received;
  natsMsg_Destroy(msg);
}

}  // namespace

int main(int argc, char** argv) {
  const int messages = argc > 1 ? std::atoi(argv[1]) : 200000;
  const std::string port = std::to_string(42000 + getpid() % 1000);
  pid_t server = fork();
  if (server == 0) {
    execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", port.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string url = "nats://127.0.0.1:" + port;
  natsConnection* pub = nullptr;
  for (int i = 0; i < 100 && natsConnection_ConnectTo(&pub, url.c_str()) != NATS_OK; ++i) usleep(50000);
  if (!pub) {
    std::fprintf(stderr, "nats_e2e_bench: cannot reach nats-server on %s\n", url.c_str());
    kill(server, SIGTERM);
    return 1;
  }
  for (int subs : {1, 5}) {
    for (size_t payload : {size_t{128}, size_t{1024}}) {
      Shared sh;
      sh.lat.reserve(static_cast<size_t>(messages) * subs);
      std::vector<natsConnection*> conns(subs);
      std::vector<natsSubscription*> subscriptions(subs);
      for (int i = 0; i < subs; ++i) {
        natsConnection_ConnectTo(&conns[i], url.c_str());
        natsConnection_Subscribe(&subscriptions[i], conns[i], "bench.e2e", OnMsg, &sh);
        natsSubscription_SetPendingLimits(subscriptions[i], -1, -1);
        natsConnection_Flush(conns[i]);
      }
      std::string body(payload, 'x');
      const int64_t start = NowNs();
      for (int sent = 0; sent < messages; ++sent) {
        std::string t = std::to_string(NowNs());
        std::memcpy(body.data(), t.data(), t.size());
        body[t.size()] = ' ';
        natsConnection_Publish(pub, "bench.e2e", body.data(), static_cast<int>(body.size()));
        while (static_cast<int64_t>(sent) * subs - static_cast<int64_t>(sh.received.load()) > 2000) {
          natsConnection_Flush(pub);
          usleep(50);
        }
      }
      natsConnection_Flush(pub);
      const int64_t deadline = NowNs() + 3'000'000'000LL;
      while (sh.received < static_cast<uint64_t>(messages) * subs && NowNs() < deadline) usleep(1000);
      const double secs = static_cast<double>(sh.last_rx - start) / 1e9;
      std::vector<int64_t> lat;
      {
        std::lock_guard<std::mutex> g(sh.mu);
        lat = sh.lat;
      }
      std::sort(lat.begin(), lat.end());
      uint64_t pss = 0;
      if (auto m = decnet::ReadProcMem(server)) pss = m->pss_kib;
      std::printf("| nats-server 1 -> %d | %zu B | %.0f | %.1f | %.1f | %llu | %llu |\n", subs, payload,
                  static_cast<double>(sh.received) / subs / secs,
                  lat.empty() ? 0.0 : static_cast<double>(lat[lat.size() / 2]) / 1000,
                  lat.empty() ? 0.0 : static_cast<double>(lat[lat.size() * 99 / 100]) / 1000,
                  static_cast<unsigned long long>(static_cast<uint64_t>(messages) * subs - sh.received),
                  static_cast<unsigned long long>(pss));
      std::fflush(stdout);
      for (int i = 0; i < subs; ++i) {
        natsSubscription_Unsubscribe(subscriptions[i]);
        natsSubscription_Destroy(subscriptions[i]);
        natsConnection_Destroy(conns[i]);
      }
    }
  }
  natsConnection_Destroy(pub);
  nats_Close();
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  return 0;
}
