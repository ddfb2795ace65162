// intel_bench: events/s through the engine, end-to-end rows/s from a SQLite logs table, and PSS
// idle and after many events from many IPs (it must plateau at the configured bounds). Prints a
// table.
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "decnet/core/json.h"
#include "decnet/core/procmem.h"
#include "decnet/intel/engine.h"
#ifdef INTEL_BENCH_DB
#include "decnet/intel/profiler.h"
#include "decnet/storage/repository.h"
#endif

using namespace decnet;
using namespace decnet::intel;

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
uint64_t Pss() {
  auto m = ReadProcMem();
  return m ? m->pss_kib : 0;
}

// Discards saves (but pays their serialization), loads nothing: the engine's own cost.
class NullStore : public ProfileStore {
 public:
  Result<std::optional<std::string>> LoadState(std::string_view) override {
    return std::optional<std::string>();
  }
  Status SaveProfile(const AttackerProfile& p) override {
    bytes += p.StateJson().size();
    return Ok();
  }
  uint64_t bytes = 0;
};

// A realistic mix: connections, logins, commands, HTTP requests with headers, sniffer SYN rows.
struct Gen {
  uint64_t burst = 1;  // consecutive events from one IP
  char ip[64];
  char decky[32];
  char svc[16];
  char cmd[48];
  Field f[4];
  Event Make(uint64_t i, uint64_t ips) {
    const uint64_t a = ((i / burst) * 2654435761u) % ips;
    std::snprintf(ip, sizeof ip, "10.%u.%u.%u", unsigned(a >> 16 & 255), unsigned(a >> 8 & 255),
                  unsigned(a & 255));
    std::snprintf(decky, sizeof decky, "decky-%02u", unsigned(i % 7));
    static const char* kSvc[] = {"ssh", "http", "ftp", "smb", "mysql"};
    std::snprintf(svc, sizeof svc, "%s", kSvc[i % 5]);
    static const char* kTypes[] = {"connection", "login_attempt", "command", "request",
                                   "tcp_syn_fingerprint"};
    Event e;
    e.log_id = static_cast<int64_t>(i + 1);
    e.ts = 1.7e9 + static_cast<double>(i) * 0.01;
    e.decky = decky;
    e.service = svc;
    e.event_type = kTypes[i % 5];
    e.attacker_ip = ip;
    size_t nf = 0;
    switch (i % 5) {
      case 1:
        f[nf++] = {"username", "root"};
        f[nf++] = {"password", "123456"};
        break;
      case 2:
        std::snprintf(cmd, sizeof cmd, "cat /etc/passwd #%u", unsigned(i % 100));
        f[nf++] = {"cmd", cmd};
        break;
      case 3:
        f[nf++] = {"headers", R"({"User-Agent":"Mozilla/5.0 zgrab/0.x","Accept":"*/*"})"};
        break;
      case 4:
        f[nf++] = {"os_guess", "Linux 3.11 and newer"};
        f[nf++] = {"ttl", "64"};
        f[nf++] = {"hop_distance", "7"};
        break;
      default:
        break;
    }
    e.fields = std::span<const Field>(f, nf);
    return e;
  }
};

struct Args {
  uint64_t events = 1000000, ips = 100000, max_ips = 10000, db_rows = 200000, batch = 500;
};

}  // namespace

int main(int argc, char** argv) {
  mallopt(M_ARENA_MAX, 1);
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--events"))
      a.events = v;
    else if (!std::strcmp(argv[i], "--ips"))
      a.ips = v;
    else if (!std::strcmp(argv[i], "--max-ips"))
      a.max_ips = v;
    else if (!std::strcmp(argv[i], "--db-rows"))
      a.db_rows = v;
    else if (!std::strcmp(argv[i], "--batch"))
      a.batch = v;
  }
  std::printf("%-58s %14s\n", "measure", "value");
  const uint64_t pss_idle = Pss();
  std::printf("%-58s %11llu KiB\n", "PSS idle (engine not built)", (unsigned long long)pss_idle);

  // 1. Engine throughput, few IPs (no eviction): the per-event fold.
  {
    Engine e(nullptr, {});
    Gen g;
    const uint64_t n = a.events;
    const double t0 = Now();
    for (uint64_t i = 0; i < n; ++i) e.Ingest(g.Make(i, 1000));
    const double dt = Now() - t0;
    std::printf("%-58s %11.0f ev/s\n", "engine: 1 M events, 1 k IPs (in memory, no eviction)",
                n / dt);
  }
  // 2. Engine with many IPs over the bound: evictions serialize state (store discards it).
  {
    NullStore store;
    EngineOptions o;
    o.max_ips = a.max_ips;
    Engine e(&store, o);
    Gen g;
    std::vector<uint64_t> pss_at;
    const double t0 = Now();
    for (uint64_t i = 0; i < a.events; ++i) {
      e.Ingest(g.Make(i, a.ips));
      if ((i + 1) % (a.events / 4) == 0) pss_at.push_back(Pss());
    }
    const double dt = Now() - t0;
    char label[96];
    std::snprintf(label, sizeof label, "engine: %llu events, %llu IPs, max_ips %llu (evicting)",
                  (unsigned long long)a.events, (unsigned long long)a.ips,
                  (unsigned long long)a.max_ips);
    std::printf("%-58s %11.0f ev/s\n", label, a.events / dt);
    for (size_t k = 0; k < pss_at.size(); ++k) {
      std::snprintf(label, sizeof label, "PSS after %llu%% of them (%zu profiles held)",
                    (unsigned long long)(25 * (k + 1)), e.size());
      std::printf("%-58s %11llu KiB\n", label, (unsigned long long)pss_at[k]);
    }
    std::printf("%-58s %11llu\n", "  evictions", (unsigned long long)e.stats().evicted);
  }
#ifdef INTEL_BENCH_DB
  for (uint64_t burst : {uint64_t{1}, uint64_t{20}}) {
    // 3. End to end: logs rows in SQLite -> Profiler -> attackers rows, in transactions of 500.
    {
      char dir[] = "/tmp/intel_bench.XXXXXX";
      if (!mkdtemp(dir)) return 1;
      storage::DbConfig cfg;
      cfg.path = std::string(dir) + "/decnet.db";
      auto repo = storage::Open(cfg);
      if (!repo) {
        std::fprintf(stderr, "open: %s\n", repo.error().message.c_str());
        return 1;
      }
      Gen g;
      g.burst = burst;
      std::vector<storage::LogRow> rows;
      for (uint64_t i = 0; i < a.db_rows; ++i) {
        Event e = g.Make(i, 2000);
        storage::LogRow r;
        r.ts_us = static_cast<int64_t>(e.ts * 1e6);
        r.decky = e.decky;
        r.service = e.service;
        r.event_type = e.event_type;
        r.attacker_ip = e.attacker_ip;
        r.raw_line = "-";
        std::string f = "{";
        for (size_t k = 0; k < e.fields.size(); ++k) {
          if (k) f += ",";
          json::AppendQuoted(f, e.fields[k].key);
          f += ":";
          json::AppendQuoted(f, e.fields[k].value);
        }
        r.fields = f + "}";
        rows.push_back(std::move(r));
        if (rows.size() == 10000) {
          (void)(*repo)->Begin();
          (void)(*repo)->InsertLogs(rows);
          (void)(*repo)->Commit();
          rows.clear();
        }
      }
      if (!rows.empty()) {
        (void)(*repo)->Begin();
        (void)(*repo)->InsertLogs(rows);
        (void)(*repo)->Commit();
      }
      rows.clear();
      rows.shrink_to_fit();
      ProfilerOptions po;
      po.max_batches_per_run = 1000000;
      po.batch_rows = static_cast<int>(a.batch);
      Profiler p(**repo, po, nullptr);
      const double t0 = Now();
      auto n = p.RunOnce();
      const double dt = Now() - t0;
      if (!n) {
        std::fprintf(stderr, "profiler: %s\n", n.error().message.c_str());
        return 1;
      }
      char label[96];
      std::snprintf(label, sizeof label, "end to end: %llu SQLite rows, 2 k IPs, bursts of %llu",
                    (unsigned long long)*n, (unsigned long long)burst);
      std::printf("%-58s %11.0f rows/s\n", label, *n / dt);
      std::printf("%-58s %11llu\n", "  profiles written (one per changed IP per commit)",
                  (unsigned long long)p.stats().profiles_written);
      std::string rm = std::string("rm -rf ") + dir;
      (void)std::system(rm.c_str());
    }
  }
#endif
  return 0;
}
