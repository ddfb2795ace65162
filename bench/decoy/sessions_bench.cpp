// A closed-loop load generator: `concurrency` connections at a time to HOST:PORT, each connects,
// reads until it has `min_bytes` of the banner (or the peer closes), and closes; a new one starts at
// once. Prints sessions/s over the run. Bounded: stops after `seconds` or `max_sessions`.
//   decky_sessions_bench HOST PORT [concurrency=64] [seconds=5] [min_bytes=1] [max_sessions=5000000]
#include <arpa/inet.h>
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Stats {
  uint64_t done = 0, failed = 0;
  bool stopping = false;
  uint64_t max_sessions = 0;
};

struct Client {
  uv_tcp_t tcp;
  uv_connect_t req;
  size_t got = 0;
};

sockaddr_storage g_addr;
size_t g_min_bytes = 1;
Stats g_stats;
uv_loop_t* g_loop;

void Start();

void Closed(uv_handle_t* h) {
  delete static_cast<Client*>(h->data);
  if (!g_stats.stopping && g_stats.done + g_stats.failed < g_stats.max_sessions) Start();
}

void Finish(Client* c, bool ok) {
  (ok ? g_stats.done : g_stats.failed)++;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), Closed);
}

void Alloc(uv_handle_t*, size_t, uv_buf_t* b) {
  static char buf[4096];
  *b = uv_buf_init(buf, sizeof buf);
}

void OnRead(uv_stream_t* s, ssize_t n, const uv_buf_t*) {
  auto* c = static_cast<Client*>(s->data);
  if (n < 0) return Finish(c, c->got > 0 || g_min_bytes == 0);
  c->got += static_cast<size_t>(n);
  if (c->got >= g_min_bytes) {
    uv_read_stop(s);
    Finish(c, true);
  }
}

void OnConnect(uv_connect_t* req, int status) {
  auto* c = static_cast<Client*>(req->data);
  if (status != 0) return Finish(c, false);
  if (g_min_bytes == 0) return Finish(c, true);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), Alloc, OnRead);
}

void Start() {
  auto* c = new Client;
  uv_tcp_init(g_loop, &c->tcp);
  c->tcp.data = c;
  c->req.data = c;
  if (uv_tcp_connect(&c->req, &c->tcp, reinterpret_cast<sockaddr*>(&g_addr), OnConnect) != 0) {
    g_stats.failed++;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), [](uv_handle_t* h) { delete static_cast<Client*>(h->data); });
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s HOST PORT [concurrency] [seconds] [min_bytes] [max_sessions]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[2]);
  const int conc = argc > 3 ? std::atoi(argv[3]) : 64;
  const double seconds = argc > 4 ? std::atof(argv[4]) : 5;
  g_min_bytes = argc > 5 ? static_cast<size_t>(std::atoll(argv[5])) : 1;
  g_stats.max_sessions = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 5'000'000;
  if (uv_ip4_addr(argv[1], port, reinterpret_cast<sockaddr_in*>(&g_addr)) != 0 &&
      uv_ip6_addr(argv[1], port, reinterpret_cast<sockaddr_in6*>(&g_addr)) != 0) {
    std::fprintf(stderr, "bad address %s\n", argv[1]);
    return 2;
  }
  g_loop = uv_default_loop();
  uv_timer_t stop;
  uv_timer_init(g_loop, &stop);
  const uint64_t t0 = uv_hrtime();
  uv_timer_start(&stop, [](uv_timer_t* t) {
    g_stats.stopping = true;
    uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
  }, static_cast<uint64_t>(seconds * 1000), 0);
  for (int i = 0; i < conc; ++i) Start();
  uv_run(g_loop, UV_RUN_DEFAULT);
  const double el = static_cast<double>(uv_hrtime() - t0) / 1e9;
  std::printf("sessions %llu failed %llu seconds %.2f sessions_per_s %.0f\n",
              static_cast<unsigned long long>(g_stats.done), static_cast<unsigned long long>(g_stats.failed),
              el, static_cast<double>(g_stats.done) / el);
  return g_stats.done > 0 ? 0 : 1;
}
