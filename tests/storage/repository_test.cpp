// The repository suite, run against every backend (SQLite always; MySQL when a server is provided).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "decnet/storage/repository.h"
#include "decnet/storage/ingest.h"
#include "repo_fixture.h"

namespace decnet::storage {
namespace {

class StorageRepository : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql" && !testing::MysqlAvailable())
      GTEST_SKIP() << "no MySQL server (run tests/storage/mysql_test.sh)";
    cfg_ = testing::FreshConfig(GetParam());
    auto r = Open(cfg_);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    repo_ = std::move(*r);
  }
  static LogRow Log(int64_t ts, std::string ip, std::string decky, std::string service,
                    std::string type = "login", std::string msg = "m") {
    LogRow r;
    r.ts_us = ts;
    r.attacker_ip = std::move(ip);
    r.decky = std::move(decky);
    r.service = std::move(service);
    r.event_type = std::move(type);
    r.msg = std::move(msg);
    r.raw_line = "<13>1 raw";
    r.fields = R"({"k":"v"})";
    return r;
  }
  DbConfig cfg_;
  std::unique_ptr<Repository> repo_;
};

TEST_P(StorageRepository, OpensAtLatestSchema) {
  auto v = repo_->SchemaVersion();
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(*v, LatestSchemaVersion());
  EXPECT_EQ(std::string(repo_->backend()), GetParam());
}

TEST_P(StorageRepository, ReopenIsIdempotent) {
  repo_.reset();
  auto again = Open(cfg_);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*(*again)->SchemaVersion(), LatestSchemaVersion());
}

TEST_P(StorageRepository, LogsRoundTripAndCursor) {
  ASSERT_TRUE(repo_->Begin());
  std::vector<LogRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(Log(1000 + i, "1.2.3." + std::to_string(i % 3), "d1", "ssh"));
  ASSERT_TRUE(repo_->InsertLogs(rows));
  ASSERT_TRUE(repo_->Commit());
  auto first = repo_->LogsAfter(0, 4);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_EQ(first->size(), 4u);
  EXPECT_EQ((*first)[0].ts_us, 1000);
  EXPECT_EQ((*first)[0].fields, R"({"k":"v"})");
  EXPECT_EQ((*first)[0].raw_line, "<13>1 raw");
  auto rest = repo_->LogsAfter(first->back().id, 100);
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->size(), 6u);
  EXPECT_GT(rest->front().id, first->back().id);
}

TEST_P(StorageRepository, BulkInsertLogsKeepsEveryRowAndOrder) {
  std::vector<LogRow> rows;
  for (int i = 0; i < 257; ++i) rows.push_back(Log(i, "ip" + std::to_string(i), "d", "s", "e", "m" + std::to_string(i)));
  ASSERT_TRUE(repo_->Begin());
  ASSERT_TRUE(repo_->InsertLogs(rows));
  ASSERT_TRUE(repo_->Commit());
  auto back = repo_->LogsAfter(0, 1000);
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->size(), 257u);
  for (int i = 0; i < 257; ++i) {
    EXPECT_EQ((*back)[i].msg, "m" + std::to_string(i));
    EXPECT_EQ((*back)[i].ts_us, i);
  }
}

TEST_P(StorageRepository, QueryLogsFiltersAndKeysetPages) {
  ASSERT_TRUE(repo_->Begin());
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(repo_->InsertLog(Log(i * 1000000, i % 2 ? "10.0.0.1" : "10.0.0.2", i % 5 ? "alpha" : "beta",
                                     i % 3 ? "ssh" : "http", "login", i == 7 ? "needle 50% here" : "hay")));
  }
  ASSERT_TRUE(repo_->Commit());
  LogQuery q;
  q.attacker_ip = "10.0.0.1";
  q.limit = 5;
  std::vector<int64_t> ids;
  for (int page = 0; page < 10; ++page) {
    auto p = repo_->QueryLogs(q);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    for (auto& r : p->rows) {
      EXPECT_EQ(r.attacker_ip, "10.0.0.1");
      if (!ids.empty()) {
        EXPECT_LT(r.id, ids.back());
      }
      ids.push_back(r.id);
    }
    if (!p->next_before_id) break;
    q.before_id = p->next_before_id;
  }
  EXPECT_EQ(ids.size(), 12u);
  LogQuery s;
  s.search = "50%";
  auto found = repo_->QueryLogs(s);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->rows.size(), 1u);
  EXPECT_EQ(found->rows[0].msg, "needle 50% here");
  LogQuery range;
  range.since_us = 5000000;
  range.until_us = 10000000;
  EXPECT_EQ(*repo_->CountLogs(range), 5);
  LogQuery by;
  by.decky = "beta";
  by.service = "http";
  EXPECT_EQ(*repo_->CountLogs(by), 2);  // i in {0, 15}
}

TEST_P(StorageRepository, HistogramAndCounts) {
  ASSERT_TRUE(repo_->Begin());
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(repo_->InsertLog(Log(int64_t{i} * 20 * 1000000, "1.1.1.1", i < 8 ? "a" : "b",
                                     i < 3 ? "ftp" : "ssh")));
  ASSERT_TRUE(repo_->Commit());
  auto h = repo_->LogHistogram(LogQuery{}, 60);
  ASSERT_TRUE(h.has_value()) << h.error().message;
  ASSERT_EQ(h->size(), 4u);
  EXPECT_EQ((*h)[0].bucket_start_us, 0);
  EXPECT_EQ((*h)[0].count, 3);
  EXPECT_EQ((*h)[1].bucket_start_us, 60 * 1000000);
  auto svc = repo_->CountByService(LogQuery{});
  ASSERT_TRUE(svc.has_value());
  ASSERT_EQ(svc->size(), 2u);
  EXPECT_EQ((*svc)[0].key, "ssh");
  EXPECT_EQ((*svc)[0].count, 9);
  auto dk = repo_->CountByDecky(LogQuery{});
  ASSERT_TRUE(dk.has_value());
  EXPECT_EQ((*dk)[0].key, "a");
  EXPECT_EQ((*dk)[0].count, 8);
  auto st = repo_->GetStats();
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->total_logs, 12);
  EXPECT_EQ(st->unique_attackers, 1);
  EXPECT_EQ(st->deckies, 2);
}

TEST_P(StorageRepository, BountyAndCredentials) {
  BountyRow b;
  b.ts_us = 5;
  b.attacker_ip = "9.9.9.9";
  b.decky = "d";
  b.service = "sniffer";
  b.bounty_type = "fingerprint";
  b.payload = R"({"fingerprint_type":"ja3","ja3":"abc"})";
  auto id1 = repo_->InsertBounty(b);
  ASSERT_TRUE(id1.has_value()) << id1.error().message;
  b.attacker_ip = "8.8.8.8";
  ASSERT_TRUE(repo_->InsertBounty(b));
  auto after = repo_->BountyAfter(*id1, 10);
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].attacker_ip, "8.8.8.8");
  auto list = repo_->ListBounty("9.9.9.9", "fingerprint", 0, 10);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].payload, b.payload);

  CredentialRow c;
  c.attacker_ip = "9.9.9.9";
  c.username = "root";
  c.secret = "hunter2";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(repo_->InsertCredential(c));
  c.attacker_ip = "7.7.7.7";
  ASSERT_TRUE(repo_->InsertCredential(c));
  EXPECT_EQ(*repo_->CountCredentials("9.9.9.9"), 3);
  EXPECT_EQ(*repo_->CountCredentials(""), 4);
  std::vector<std::string> ips{"9.9.9.9", "7.7.7.7", "1.1.1.1"};
  auto counts = repo_->CredentialCountsByIp(ips);
  ASSERT_TRUE(counts.has_value());
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].key, "7.7.7.7");
  EXPECT_EQ((*counts)[1].count, 3);
  auto bc = repo_->BountyCountsByIp({});
  ASSERT_TRUE(bc.has_value());
  EXPECT_EQ(bc->size(), 2u);
  auto creds = repo_->ListCredentials("9.9.9.9", 0, 2);
  ASSERT_TRUE(creds.has_value());
  ASSERT_EQ(creds->size(), 2u);
  auto more = repo_->ListCredentials("9.9.9.9", creds->back().id, 2);
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(more->size(), 1u);
}

TEST_P(StorageRepository, AttackersUpsertAndPage) {
  for (int i = 0; i < 7; ++i) {
    AttackerRow a;
    a.ip = "10.0.0." + std::to_string(i);
    a.last_seen_us = 100 + (i % 3);  // ties exercise the ip tie-break
    a.score = i * 1.5;
    a.services = R"(["ssh"])";
    a.is_traversal = i == 2;
    ASSERT_TRUE(repo_->UpsertAttacker(a));
  }
  AttackerRow upd;
  upd.ip = "10.0.0.3";
  upd.score = 99;
  upd.event_count = 42;
  ASSERT_TRUE(repo_->UpsertAttacker(upd));
  auto one = repo_->GetAttacker("10.0.0.3");
  ASSERT_TRUE(one.has_value() && one->has_value());
  EXPECT_EQ((*one)->event_count, 42);
  EXPECT_FALSE(repo_->GetAttacker("nope")->has_value());
  EXPECT_TRUE((*repo_->GetAttacker("10.0.0.2"))->is_traversal);

  AttackerQuery q;
  q.order = AttackerOrder::kScore;
  q.limit = 3;
  auto p1 = repo_->QueryAttackers(q);
  ASSERT_TRUE(p1.has_value()) << p1.error().message;
  ASSERT_EQ(p1->rows.size(), 3u);
  EXPECT_TRUE(p1->more);
  EXPECT_EQ(p1->rows[0].ip, "10.0.0.3");
  std::vector<std::string> seen;
  q.order = AttackerOrder::kLastSeen;
  q.after_key.reset();
  for (;;) {
    auto p = repo_->QueryAttackers(q);
    ASSERT_TRUE(p.has_value());
    for (auto& a : p->rows) seen.push_back(a.ip);
    if (!p->more) break;
    q.after_key = static_cast<double>(p->rows.back().last_seen_us);
    q.after_ip = p->rows.back().ip;
  }
  ASSERT_EQ(seen.size(), 7u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());

  AttackerBehaviorRow beh;
  beh.ip = "10.0.0.1";
  beh.os_guess = "linux";
  beh.beacon_interval_s = 30.5;
  ASSERT_TRUE(repo_->UpsertAttackerBehavior(beh));
  auto gb = repo_->GetAttackerBehavior("10.0.0.1");
  ASSERT_TRUE(gb.has_value() && gb->has_value());
  EXPECT_EQ((*gb)->os_guess, "linux");
  EXPECT_DOUBLE_EQ((*gb)->beacon_interval_s, 30.5);
}

TEST_P(StorageRepository, CredentialReuse) {
  auto cred = [&](std::string ip, std::string decky, std::string svc, std::string user, int64_t ts) {
    CredentialRow c;
    c.attacker_ip = std::move(ip);
    c.decky = std::move(decky);
    c.service = std::move(svc);
    c.username = std::move(user);
    c.secret = "admin";
    c.ts_us = ts;
    ASSERT_TRUE(repo_->InsertCredential(c));
  };
  cred("1.1.1.1", "d1", "ssh", "root", 10);
  cred("2.2.2.2", "d2", "ssh", "root", 20);
  cred("2.2.2.2", "d2", "ssh", "root", 30);  // same target again
  cred("3.3.3.3", "d1", "ftp", "root", 40);
  cred("4.4.4.4", "d1", "ssh", "solo", 50);  // one target only
  auto groups = repo_->CredentialReuseGroups(2, 100);
  ASSERT_TRUE(groups.has_value()) << groups.error().message;
  ASSERT_EQ(groups->size(), 1u);
  CredentialReuseRow g = (*groups)[0];
  EXPECT_EQ(g.username, "root");
  EXPECT_EQ(g.target_count, 3);
  EXPECT_EQ(g.attempt_count, 4);
  EXPECT_EQ(g.attacker_ips, R"(["1.1.1.1","2.2.2.2","3.3.3.3"])");
  EXPECT_EQ(g.deckies, R"(["d1","d2"])");
  EXPECT_EQ(g.services, R"(["ftp","ssh"])");
  EXPECT_EQ(g.first_seen_us, 10);
  EXPECT_EQ(g.last_seen_us, 40);
  auto up = repo_->UpsertCredentialReuse(g);
  ASSERT_TRUE(up.has_value()) << up.error().message;
  EXPECT_TRUE(up->inserted);
  up = repo_->UpsertCredentialReuse(g);  // idempotent
  ASSERT_TRUE(up.has_value());
  EXPECT_FALSE(up->inserted);
  EXPECT_FALSE(up->changed);
  g.target_count = 4;
  up = repo_->UpsertCredentialReuse(g);
  ASSERT_TRUE(up.has_value());
  EXPECT_TRUE(up->changed);
  auto l = repo_->ListCredentialReuse(0, 10);
  ASSERT_TRUE(l.has_value());
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].target_count, 4);
  EXPECT_EQ((*l)[0].attempt_count, 4);
  EXPECT_EQ(*repo_->CountBounty(""), 0);
}

// Issue 13: two different non-ASCII passwords that print alike ("t??st") are two secrets, not one
// reused credential; the same exact secret on two deckies is. Rows come through the ingest decoder,
// as the ingester writes them.
TEST_P(StorageRepository, ReuseComparesExactSecrets) {
  auto ingest = [&](const std::string& decky, const std::string& b64, const std::string& printable) {
    IngestRecord rec;
    std::string line = R"({"timestamp":"2026-11-24 10:00:00","decky":")" + decky +
                       R"(","service":"ssh","event_type":"auth_attempt","attacker_ip":"10.0.0.5",)"
                       R"("fields":{"username":"root","principal":"root","secret_printable":")" +
                       printable + R"(","secret_b64":")" + b64 + R"("}})";
    ASSERT_EQ(DecodeIngestLine(line, IngestLimits{}, &rec), RejectReason::kNone);
    ASSERT_EQ(rec.credentials.size(), 1u);
    ASSERT_TRUE(repo_->InsertCredential(rec.credentials[0]));
  };
  ingest("d1", "dMOrc3Q=", "t??st");  // tëst
  ingest("d2", "dMOic3Q=", "t??st");  // tâst
  ingest("d3", "dP9zdA==", "t?st");   // t 0xFF s t
  ingest("d4", "NzRmZjczNzQ=", "74ff7374");  // the text "74ff7374": not the bytes above
  auto groups = repo_->CredentialReuseGroups(2, 100);
  ASSERT_TRUE(groups.has_value()) << groups.error().message;
  EXPECT_TRUE(groups->empty()) << (*groups)[0].secret;
  ingest("d5", "dMOrc3Q=", "t??st");  // tëst again, elsewhere: reuse
  ingest("d6", "dP9zdA==", "t?st");   // t 0xFF s t again: reuse
  groups = repo_->CredentialReuseGroups(2, 100);
  ASSERT_TRUE(groups.has_value());
  ASSERT_EQ(groups->size(), 2u);
  std::map<std::string, CredentialReuseRow> by;
  for (auto& g : *groups) by[g.secret_encoding + ":" + g.secret] = g;
  ASSERT_TRUE(by.count("utf8:t\xc3\xabst"));
  EXPECT_EQ(by["utf8:t\xc3\xabst"].deckies, R"(["d1","d5"])");
  ASSERT_TRUE(by.count("hex:74ff7374"));
  EXPECT_EQ(by["hex:74ff7374"].deckies, R"(["d3","d6"])");
  for (auto& [k, g] : by) {
    auto up = repo_->UpsertCredentialReuse(g);
    ASSERT_TRUE(up.has_value()) << up.error().message;
    EXPECT_TRUE(up->inserted) << k;
  }
  auto list = repo_->ListCredentialReuse(0, 10);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  auto creds = repo_->ListCredentials("10.0.0.5", 0, 10);
  ASSERT_TRUE(creds.has_value());
  ASSERT_EQ(creds->size(), 6u);
  EXPECT_EQ((*creds)[5].secret_printable, "t??st");
  EXPECT_EQ((*creds)[5].secret_encoding, "utf8");
}

TEST_P(StorageRepository, AttackerIntelStateNullable) {
  AttackerRow a;
  a.ip = "6.6.6.6";
  ASSERT_TRUE(repo_->UpsertAttacker(a));
  EXPECT_EQ((*repo_->GetAttacker("6.6.6.6"))->intel_state, "");
  a.intel_state = R"({"acc":[1,2]})";
  ASSERT_TRUE(repo_->UpsertAttacker(a));
  EXPECT_EQ((*repo_->GetAttacker("6.6.6.6"))->intel_state, a.intel_state);
}

TEST_P(StorageRepository, StateAndTransactions) {
  EXPECT_FALSE(repo_->GetState("k")->has_value());
  ASSERT_TRUE(repo_->PutState("k", R"({"position":1})"));
  ASSERT_TRUE(repo_->PutState("k", R"({"position":2})"));
  EXPECT_EQ(**repo_->GetState("k"), R"({"position":2})");
  {
    Transaction tx(*repo_);
    ASSERT_TRUE(tx.Begin());
    ASSERT_TRUE(repo_->PutState("k", R"({"position":3})"));
    ASSERT_TRUE(repo_->InsertLog(Log(1, "a", "b", "c")));
    // no commit: rolled back
  }
  EXPECT_EQ(**repo_->GetState("k"), R"({"position":2})");
  EXPECT_EQ(*repo_->CountLogs(LogQuery{}), 0);
}

TEST_P(StorageRepository, Users) {
  UserRow u;
  u.uuid = "u1";
  u.username = "admin";
  u.password_hash = "h1";
  u.role = "admin";
  u.must_change_password = true;
  ASSERT_TRUE(repo_->CreateUser(u));
  auto dup = repo_->CreateUser(UserRow{"u2", "admin", "x", "viewer", false, 0});
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code, Errc::kBusy);
  auto got = repo_->GetUserByName("admin");
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_TRUE((*got)->must_change_password);
  ASSERT_TRUE(repo_->UpdatePasswordHash("u1", "h2", false));
  EXPECT_EQ((*repo_->GetUserByUuid("u1"))->password_hash, "h2");
  EXPECT_FALSE((*repo_->GetUserByUuid("u1"))->must_change_password);
  auto missing = repo_->UpdatePasswordHash("nobody", "h", false);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_EQ(repo_->ListUsers()->size(), 1u);
  ASSERT_TRUE(repo_->DeleteUser("u1"));
  EXPECT_FALSE(repo_->GetUserByName("admin")->has_value());
}

TEST_P(StorageRepository, TopologiesAndDeckies) {
  ASSERT_TRUE(repo_->UpsertTopology(TopologyRow{"t1", "lab", "h", "{}", 10, "pending"}));
  ASSERT_TRUE(repo_->UpsertTopology(TopologyRow{"t2", "lab2", "h2", "{}", 20, "active"}));
  ASSERT_TRUE(repo_->SetTopologyStatus("t1", "active"));
  EXPECT_EQ((*repo_->GetTopology("t1"))->status, "active");
  auto all = repo_->ListTopologies();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "t2");
  ASSERT_TRUE(repo_->UpsertDecky(DeckyRow{"web1", "t1", "10.1.1.1", "{}", "running", 1}));
  ASSERT_TRUE(repo_->UpsertDecky(DeckyRow{"db1", "t1", "10.1.1.2", "{}", "running", 1}));
  ASSERT_TRUE(repo_->UpsertDecky(DeckyRow{"x", "t2", "10.2.1.1", "{}", "running", 1}));
  ASSERT_TRUE(repo_->SetDeckyState("web1", "stopped"));
  EXPECT_EQ((*repo_->GetDecky("web1"))->state, "stopped");
  auto t1 = repo_->ListDeckies("t1");
  ASSERT_TRUE(t1.has_value());
  ASSERT_EQ(t1->size(), 2u);
  EXPECT_EQ((*t1)[0].name, "db1");
  ASSERT_TRUE(repo_->DeleteTopology("t1"));
  EXPECT_EQ(repo_->ListDeckies("")->size(), 1u);
  ASSERT_TRUE(repo_->DeleteDecky("x"));
  EXPECT_FALSE(repo_->GetDecky("x")->has_value());
}

TEST_P(StorageRepository, HostileStringsRoundTrip) {
  LogRow r = Log(1, "::1", "d'; DROP TABLE logs; --", "s\"v");
  r.msg = std::string("nul\0byte and \xe2\x82\xac", 17);
  auto id = repo_->InsertLog(r);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  auto back = repo_->LogsAfter(0, 1);
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].decky, r.decky);
  EXPECT_EQ((*back)[0].msg, r.msg);
  EXPECT_EQ((*back)[0].attacker_ip, "::1");
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageRepository, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace decnet::storage
