// storage-bench: rows/s into the repository (SQLite WAL batched; MariaDB when DECNET_BENCH_MYSQL_SOCKET
// and DECNET_STORAGE_PLUGIN are set) and lines/s through the ingester's decode+store path.
// Prints a table; asserts nothing (timings belong in benchmarks, not tests).
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "decnet/storage/ingester.h"
#include "decnet/storage/repository.h"

using namespace decnet::storage;

namespace {

int64_t CacheKib() {
  const char* e = getenv("DECNET_BENCH_CACHE_KIB");
  return e ? atoll(e) : 512;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Attacker IPs: `distinct_ips` active attackers (a deployment sees bursts from a few hundred at a time),
// or every row its own IP when distinct_ips == 0 (the worst case for the attacker index).
std::string Ip(int i, int distinct_ips) {
  unsigned k = distinct_ips ? (static_cast<unsigned>(i) * 2654435761u >> 7) % distinct_ips
                            : static_cast<unsigned>(i);
  return "10." + std::to_string((k >> 16) & 255) + "." + std::to_string((k >> 8) & 255) + "." +
         std::to_string(k & 255);
}

LogRow MakeRow(int i, int distinct_ips) {
  LogRow r;
  r.ts_us = 1795514400000000LL + i * 1000LL;
  r.decky = "decky-" + std::to_string(i % 16);
  r.service = i % 3 ? "ssh" : "http";
  r.event_type = "login_attempt";
  r.attacker_ip = Ip(i, distinct_ips);
  r.raw_line = "<38>1 2026-11-24T10:00:00Z decky ssh login_attempt [relay@55555 user=\"root\"] login";
  r.fields = R"({"username":"root","src_ip":"10.0.0.1"})";
  r.msg = "login attempt";
  return r;
}

void BenchRepo(const char* label, const DbConfig& cfg, int total, int batch, int distinct_ips) {
  auto r = Open(cfg);
  if (!r) {
    printf("%-34s open failed: %s\n", label, r.error().message.c_str());
    return;
  }
  auto& repo = **r;
  std::vector<LogRow> rows(batch);
  double t0 = Now();
  for (int done = 0; done < total; done += batch) {
    for (int i = 0; i < batch; ++i) rows[i] = MakeRow(done + i, distinct_ips);
    if (!repo.Begin() || !repo.InsertLogs(rows) || !repo.Commit()) {
      printf("%-34s write failed\n", label);
      return;
    }
  }
  double dt = Now() - t0;
  printf("%-34s %9d rows  batch %5d  ips %6s  %6.2f s  %9.0f rows/s\n", label, total, batch,
         distinct_ips ? std::to_string(distinct_ips).c_str() : "all", dt, total / dt);
}

void BenchIngest(const std::string& dir, int lines, size_t batch, int distinct_ips) {
  std::string json = dir + "/bench.json";
  FILE* f = fopen(json.c_str(), "w");
  for (int i = 0; i < lines; ++i) {
    fprintf(f,
            "{\"timestamp\":\"2026-11-24T10:00:00.%06dZ\",\"decky\":\"decky-%d\",\"service\":\"ssh\","
            "\"event_type\":\"login_attempt\",\"attacker_ip\":\"%s\",\"fields\":{\"src_ip\":\"10.0.0.1\","
            "\"user\":\"root\"},\"msg\":\"login attempt\",\"raw_line\":\"<38>1 2026-11-24T10:00:00Z d ssh - x\"}\n",
            i % 1000000, i % 16, Ip(i, distinct_ips).c_str());
  }
  fclose(f);
  DbConfig cfg;
  cfg.cache_kib = CacheKib();
  cfg.path = dir + "/ingest.db";
  auto r = Open(cfg);
  if (!r) return;
  IngestTailOptions o;
  o.path = json;
  o.batch_size = batch;
  IngestTail tail(**r, o);
  if (!tail.Start()) return;
  double t0 = Now();
  for (;;) {
    auto b = tail.RunBatch();
    if (!b || !b->more) break;
  }
  double dt = Now() - t0;
  printf("%-34s %9llu lines batch %5zu  ips %6s  %6.2f s  %9.0f lines/s\n", "ingest .json -> SQLite",
         static_cast<unsigned long long>(tail.stats().lines), batch,
         distinct_ips ? std::to_string(distinct_ips).c_str() : "all", dt, tail.stats().lines / dt);
}

}  // namespace

int main(int argc, char** argv) {
  int total = argc > 1 ? atoi(argv[1]) : 500000;
  char tmpl[] = "/tmp/storage-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  printf("storage-bench: %d rows per run, SQLite cache %lld KiB, dir %s\n", total,
         static_cast<long long>(CacheKib()), dir.c_str());
  int run = 0;
  for (int ips : {256, 0}) {
    for (int batch : {1000, 5000, 20000}) {
      DbConfig cfg;
      cfg.cache_kib = CacheKib();
      cfg.path = dir + "/b" + std::to_string(run++) + ".db";
      BenchRepo("SQLite WAL logs insert", cfg, total, batch, ips);
    }
  }
  for (int ips : {256, 0}) {
    std::string sub = dir + "/i" + std::to_string(run++);
    std::string mk = "mkdir -p " + sub;
    if (system(mk.c_str()) != 0) return 1;
    BenchIngest(sub, total, 5000, ips);
  }
  if (const char* sock = getenv("DECNET_BENCH_MYSQL_SOCKET")) {
    DbConfig cfg;
    cfg.type = "mysql";
    cfg.socket = sock;
    cfg.user = "root";
    cfg.name = "decnet_bench";
    BenchRepo("MariaDB logs insert", cfg, total / 5, 5000, 256);
  }
  std::string cmd = "rm -rf " + dir;
  return system(cmd.c_str()) == 0 ? 0 : 1;
}
