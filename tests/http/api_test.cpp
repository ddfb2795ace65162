// The API's routes in-process against a real SQLite DB seeded by http_api_seed. Requests go through the
// real RequestParser, so what is tested is what a client's bytes produce.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>

#include "decnet/api/api.h"
#include "decnet/core/json.h"
#include "decnet/http/request_parser.h"

namespace decnet::api {
namespace {

constexpr char kAdminPw[] = "admin-password-1";
constexpr char kViewerPw[] = "viewer-password-1";
constexpr int kAttackers = 120;

class HttpApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/decnet-api-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string cmd = std::string(DECNET_BINARY_DIR) + "/tests/http/http_api_seed " + dir_ + "/decnet.db --attackers " +
                      std::to_string(kAttackers) + " --user admin " + kAdminPw + " --viewer viewer " + kViewerPw +
                      " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { (void)!std::system(("rm -rf " + dir_).c_str()); }

  void SetUp() override {
    storage::DbConfig cfg;
    cfg.path = dir_ + "/decnet.db";
    auto r = storage::Open(cfg);
    ASSERT_TRUE(r.has_value());
    repo_ = std::move(*r);
    MakeApi({});
  }
  void MakeApi(std::vector<std::string> cors) {
    ApiOptions o;
    o.jwt_secret = "unit-test-secret-0123456789";
    o.token_ttl_s = 3600;
    o.cors_origins = std::move(cors);
    o.login_user_throttle.free_attempts = 5;
    o.login_source_throttle.free_attempts = 10;
    o.known_workers = {"bus", "profiler"};
    api_ = std::make_unique<Api>(
        *repo_, o,
        [this](const std::string& t, const std::string& ty, const std::string& j) { published_.push_back(t + " " + ty + " " + j); },
        [this] { return now_; });
  }

  http::Response Call(const std::string& method, const std::string& target, const std::string& body = "",
                      const std::string& token = "", const std::string& peer = "127.0.0.1",
                      const std::string& extra_headers = "") {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: t\r\n" + extra_headers;
    if (!token.empty()) raw += "Authorization: Bearer " + token + "\r\n";
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    http::RequestParser p;
    p.Feed(raw.data(), raw.size());
    EXPECT_EQ(p.state(), http::RequestParser::State::kComplete) << raw;
    if (p.state() != http::RequestParser::State::kComplete) return http::Response::Error(599, "parse");
    p.request().peer_ip = peer;
    return api_->HandleNow(p.request());
  }
  std::string Login(const std::string& user = "admin", const std::string& pw = kAdminPw) {
    auto r = Call("POST", "/api/v1/auth/login", R"({"username":")" + user + R"(","password":")" + pw + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    rapidjson::Document d;
    EXPECT_TRUE(json::ParseObject(r.body, d).has_value());
    return std::string(json::GetString(d, "access_token"));
  }
  static rapidjson::Document Parse(const std::string& s) {
    rapidjson::Document d;
    EXPECT_TRUE(json::Parse(s, d).has_value()) << s;
    return d;
  }
  static std::string Concrete(std::string pattern) {
    for (auto [from, to] : {std::pair<std::string, std::string>{"{ip}", "10.0.0.1"}, {"{id}", "topo1"},
                            {"{name}", "profiler"}}) {
      size_t at = pattern.find(from);
      if (at != std::string::npos) pattern.replace(at, from.size(), to);
    }
    return pattern;
  }

  static std::string dir_;
  std::unique_ptr<storage::Repository> repo_;
  std::unique_ptr<Api> api_;
  std::vector<std::string> published_;
  double now_ = 1800000000;
};
std::string HttpApiTest::dir_;

TEST_F(HttpApiTest, HealthzIsOpen) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/healthz").status, 200);
}

TEST_F(HttpApiTest, EveryAuthenticatedRouteRefusesWithoutAValidToken) {
  int checked = 0;
  for (const auto& r : api_->routes()) {
    if (!r.auth) continue;
    std::string path = Concrete(r.pattern);
    EXPECT_EQ(Call(r.method, path).status, 401) << r.method << " " << path;
    EXPECT_EQ(Call(r.method, path, "", "not.a.token").status, 401) << path;
    ++checked;
  }
  EXPECT_GE(checked, 18);
}

TEST_F(HttpApiTest, OpenApiDocumentMatchesTheRouteTable) {
  auto r = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = Parse(r.body);
  std::set<std::string> documented, routed;
  for (auto& p : doc["paths"].GetObject()) {
    for (auto& m : p.value.GetObject()) {
      std::string method = m.name.GetString();
      for (auto& c : method) c = static_cast<char>(toupper(c));
      documented.insert(method + " " + p.name.GetString());
    }
  }
  for (const auto& rt : api_->routes()) routed.insert(rt.method + " " + rt.pattern);
  EXPECT_EQ(documented, routed);
  // And every documented operation answers (not 404/405) with a valid token.
  std::string token = Login();
  for (const auto& op : documented) {
    std::string method = op.substr(0, op.find(' ')), path = Concrete(op.substr(op.find(' ') + 1));
    if (path.find("/auth/") != std::string::npos) continue;  // exercised below; would change state
    auto resp = Call(method, path, "", token);
    EXPECT_NE(resp.status, 404) << op << " " << resp.body;
    EXPECT_NE(resp.status, 405) << op;
    EXPECT_LT(resp.status, 500) << op << " " << resp.body;
  }
}

TEST_F(HttpApiTest, LoginLogoutAndMe) {
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"wrong-password"})").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"nobody","password":"wrong-password"})").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", "not json").status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"admin"})").status, 400);
  std::string t = Login();
  auto me = Call("GET", "/api/v1/auth/me", "", t);
  ASSERT_EQ(me.status, 200);
  EXPECT_NE(me.body.find(R"("username":"admin")"), std::string::npos);
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "", t).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", t).status, 401);
}

// Issue 14, finding 6. Today's limiter was per IP and reset by any success from it: a viewer's login
// reopened guessing of the admin's password, and a second address had a fresh budget.
TEST_F(HttpApiTest, LoginIsThrottledPerUsernameAndPerSource) {
  const std::string admin_ok = std::string(R"({"username":"admin","password":")") + kAdminPw + "\"}";
  const std::string viewer_ok = std::string(R"({"username":"viewer","password":")") + kViewerPw + "\"}";
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"nope-nope"})", "", "203.0.113.9").status, 401);
  }
  // The viewer's success from the same source forgives the viewer, not the admin's count.
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", viewer_ok, "", "203.0.113.9").status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"ADMIN","password":"nope-nope"})", "", "203.0.113.9").status, 401);
  // Five attempts on "admin" (in any case): every source now waits, the right password included.
  auto r = Call("POST", "/api/v1/auth/login", admin_ok, "", "198.51.100.20");
  EXPECT_EQ(r.status, 429);
  bool retry_after = false;
  for (auto& [k, v] : r.headers) retry_after |= k == "Retry-After" && v == "1";
  EXPECT_TRUE(retry_after);
  // The viewer is not locked out by the attack on the admin.
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", viewer_ok, "", "198.51.100.20").status, 200);
  // Backoff: after its wait, one more try; a miss doubles the wait.
  now_ += 1;
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"nope-nope"})", "", "198.51.100.21").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", admin_ok, "", "198.51.100.21").status, 429);
  now_ += 2;
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", admin_ok, "", "198.51.100.21").status, 200);
  // Per source: ten attempts from one IPv6 /64 (any usernames, successes included), then it waits;
  // another address in the same /64 shares the budget, another /64 does not.
  for (int i = 0; i < 10; ++i) {
    std::string body = R"({"username":"nobody)" + std::to_string(i) + R"(","password":"nope-nope"})";
    EXPECT_EQ(Call("POST", "/api/v1/auth/login", body, "", "2001:db8:1:2::" + std::to_string(i + 1)).status, 401);
  }
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", viewer_ok, "", "2001:db8:1:2:ffff::7").status, 429);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", viewer_ok, "", "2001:db8:1:3::1").status, 200);
  EXPECT_GE(api_->login_refused(), 3u);
}

TEST_F(HttpApiTest, ExpiredAndTamperedTokensAreRefused) {
  std::string t = Login();
  EXPECT_EQ(Call("GET", "/api/v1/stats", "", t).status, 200);
  std::string tampered = t;
  tampered[t.find('.') + 5] ^= 1;
  auto r = Call("GET", "/api/v1/stats", "", tampered);
  EXPECT_EQ(r.status, 401);
  now_ += 3601;
  r = Call("GET", "/api/v1/stats", "", t);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expired"), std::string::npos);
}

TEST_F(HttpApiTest, ChangePassword) {
  std::string t = Login("viewer", kViewerPw);
  std::string other = Login("viewer", kViewerPw);  // the same user in another browser
  EXPECT_EQ(Call("POST", "/api/v1/auth/change-password", R"({"old_password":"wrong-one!","new_password":"new-password-2"})", t).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/change-password", std::string(R"({"old_password":")") + kViewerPw + R"(","new_password":"short"})", t).status, 400);
  auto r = Call("POST", "/api/v1/auth/change-password", std::string(R"({"old_password":")") + kViewerPw + R"(","new_password":"new-password-2"})", t);
  ASSERT_EQ(r.status, 200) << r.body;
  // Issue 14, finding 7: every token of the user ends, not only the one that asked; the answer has a new one.
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", t).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", other).status, 401);
  std::string fresh(json::GetString(Parse(r.body), "access_token"));
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", fresh).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", std::string(R"({"username":"viewer","password":")") + kViewerPw + "\"}").status, 401);
  std::string t2 = Login("viewer", "new-password-2");
  // Put it back for the other tests.
  EXPECT_EQ(Call("POST", "/api/v1/auth/change-password", std::string(R"({"old_password":"new-password-2","new_password":")") + kViewerPw + "\"}", t2).status, 200);
}

// Issue 14, finding 9: password changes are rate limited per user (each costs two Argon2id hashes).
TEST_F(HttpApiTest, PasswordChangeIsRateLimited) {
  std::string t = Login("viewer", kViewerPw);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/auth/change-password", R"({"old_password":"wrong-one!","new_password":"new-password-2"})", t).status, 401);
  }
  auto r = Call("POST", "/api/v1/auth/change-password", std::string(R"({"old_password":")") + kViewerPw + R"(","new_password":"new-password-3"})", t);
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", t).status, 200);  // nothing changed
}

TEST_F(HttpApiTest, BadParametersAre400WithAMessage) {
  std::string t = Login();
  for (const char* target :
       {"/api/v1/logs?limit=0", "/api/v1/logs?limit=abc", "/api/v1/logs?limit=1001", "/api/v1/logs?since=yesterday",
        "/api/v1/logs?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "/api/v1/logs?attacker=not-an-ip",
        "/api/v1/logs?bogus=1", "/api/v1/logs?before_id=-5", "/api/v1/logs?q=%01", "/api/v1/logs/histogram?bucket=1",
        "/api/v1/attackers?order=name", "/api/v1/attackers?cursor=garbage", "/api/v1/attackers?cursor=1,notip",
        "/api/v1/attackers?limit=-1", "/api/v1/attackers/not-an-ip", "/api/v1/attackers/export?format=xml",
        "/api/v1/credentials?attacker=1.2.3", "/api/v1/credential-reuse?limit=x", "/api/v1/bounty?before_id=z",
        "/api/v1/stats?x=1", "/api/v1/deckies?topology=%7f", "/api/v1/workers/BAD!/stop"}) {
    std::string method = std::string(target).find("/stop") != std::string::npos ? "POST" : "GET";
    auto r = Call(method, target, "", t);
    EXPECT_EQ(r.status, 400) << target << " " << r.body;
    auto d = Parse(r.body);
    EXPECT_FALSE(json::GetString(d, "error").empty()) << target;
  }
}

TEST_F(HttpApiTest, AttackerPagingIsStableAndComplete) {
  std::string t = Login();
  for (const char* order : {"last_seen", "score"}) {
    std::set<std::string> seen;
    std::string cursor;
    double prev = 1e300;
    int pages = 0;
    for (;;) {
      std::string target = std::string("/api/v1/attackers?limit=7&order=") + order;
      if (!cursor.empty()) target += "&cursor=" + cursor;
      auto r = Call("GET", target, "", t);
      ASSERT_EQ(r.status, 200) << r.body;
      auto d = Parse(r.body);
      for (auto& a : d["items"].GetArray()) {
        EXPECT_TRUE(seen.insert(a["ip"].GetString()).second) << "duplicate " << a["ip"].GetString();
        if (std::string(order) == "score") {
          EXPECT_LE(a["score"].GetDouble(), prev);
          prev = a["score"].GetDouble();
        }
      }
      ++pages;
      if (d["next_cursor"].IsNull()) break;
      cursor = d["next_cursor"].GetString();
      ASSERT_LT(pages, 100);
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(kAttackers)) << order;
  }
  auto r = Call("GET", "/api/v1/attackers?search=10.0.0.1&limit=1000", "", t);
  auto d = Parse(r.body);
  EXPECT_GE(d["items"].Size(), 1u);
  for (auto& a : d["items"].GetArray()) EXPECT_NE(std::string(a["ip"].GetString()).find("10.0.0.1"), std::string::npos);
}

TEST_F(HttpApiTest, LogPagingAndFilters) {
  std::string t = Login();
  std::set<int64_t> ids;
  std::string before;
  for (int pages = 0; pages < 100; ++pages) {
    auto r = Call("GET", "/api/v1/logs?limit=50" + (before.empty() ? "" : "&before_id=" + before), "", t);
    ASSERT_EQ(r.status, 200);
    auto d = Parse(r.body);
    for (auto& l : d["items"].GetArray()) EXPECT_TRUE(ids.insert(l["id"].GetInt64()).second);
    if (d["next_before_id"].IsNull()) break;
    before = std::to_string(d["next_before_id"].GetInt64());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kAttackers * 3));
  auto r = Call("GET", "/api/v1/logs?attacker=10.0.0.5&service=ssh", "", t);
  auto d = Parse(r.body);
  ASSERT_EQ(d["items"].Size(), 1u);
  EXPECT_STREQ(d["items"][0]["event_type"].GetString(), "login_attempt");
  r = Call("GET", "/api/v1/logs?q=failed%20password&limit=1000", "", t);
  EXPECT_EQ(Parse(r.body)["items"].Size(), static_cast<size_t>(kAttackers));
  r = Call("GET", "/api/v1/logs/histogram?bucket=3600", "", t);
  ASSERT_EQ(r.status, 200);
  d = Parse(r.body);
  int64_t total = 0;
  for (auto& b : d["buckets"].GetArray()) total += b["count"].GetInt64();
  EXPECT_EQ(total, kAttackers * 3);
}

TEST_F(HttpApiTest, StatsDetailCredentialsBountyDeckies) {
  std::string t = Login();
  auto d = Parse(Call("GET", "/api/v1/stats", "", t).body);
  EXPECT_EQ(d["attackers"].GetInt64(), kAttackers);
  EXPECT_EQ(d["total_logs"].GetInt64(), kAttackers * 3);
  EXPECT_EQ(d["total_credentials"].GetInt64(), kAttackers);
  EXPECT_EQ(d["deckies"].GetInt64(), 3);
  auto r = Call("GET", "/api/v1/attackers/10.0.0.1", "", t);
  ASSERT_EQ(r.status, 200) << r.body;
  d = Parse(r.body);
  EXPECT_STREQ(d["behavior"]["os_guess"].GetString(), "Linux");
  EXPECT_EQ(d["credentials"].Size(), 1u);
  EXPECT_EQ(d["commands"].Size(), 2u);
  EXPECT_EQ(d["bounty"].Size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/attackers/10.9.9.9", "", t).status, 404);
  EXPECT_EQ(Parse(Call("GET", "/api/v1/credentials?attacker=10.0.0.2", "", t).body)["items"].Size(), 1u);
  EXPECT_EQ(Parse(Call("GET", "/api/v1/bounty?type=fingerprint&limit=5", "", t).body)["items"].Size(), 5u);
  EXPECT_EQ(Parse(Call("GET", "/api/v1/deckies", "", t).body)["items"].Size(), 3u);
  EXPECT_EQ(Parse(Call("GET", "/api/v1/topologies", "", t).body)["items"].Size(), 1u);
  EXPECT_EQ(Parse(Call("GET", "/api/v1/topologies/topo1", "", t).body)["deckies"].Size(), 3u);
  EXPECT_EQ(Call("GET", "/api/v1/topologies/nope", "", t).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/credential-reuse", "", t).status, 200);
}

TEST_F(HttpApiTest, ExportsJsonAndCsv) {
  std::string t = Login();
  auto j = Call("GET", "/api/v1/attackers/export?format=json", "", t);
  ASSERT_EQ(j.status, 200);
  EXPECT_EQ(Parse(j.body).Size(), static_cast<size_t>(kAttackers));
  auto c = Call("GET", "/api/v1/attackers/export?format=csv", "", t);
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(c.content_type, "text/csv; charset=utf-8");
  size_t lines = 0;
  for (char ch : c.body) lines += ch == '\n';
  EXPECT_EQ(lines, static_cast<size_t>(kAttackers + 1));
  EXPECT_EQ(c.body.rfind("ip,first_seen,", 0), 0u);
}

TEST_F(HttpApiTest, WorkersRegistryAndStop) {
  std::string t = Login();
  api_->OnHealth("system.bus.health", R"({"worker":"bus","pid":42,"pss_kib":512})");
  api_->OnHealth("system.collector.health", R"({"worker":"collector","pid":43,"pss_kib":900})");
  auto d = Parse(Call("GET", "/api/v1/workers", "", t).body);
  std::map<std::string, std::string> status;
  for (auto& w : d["workers"].GetArray()) status[w["name"].GetString()] = w["status"].GetString();
  EXPECT_EQ(status["bus"], "ok");
  EXPECT_EQ(status["collector"], "ok");
  EXPECT_EQ(status["profiler"], "unknown");
  EXPECT_EQ(d["fleet_pss_kib"].GetInt64(), 1412);
  now_ += 91;
  api_->OnHealth("system.collector.health", R"({"worker":"collector","pid":43,"pss_kib":901})");
  d = Parse(Call("GET", "/api/v1/workers", "", t).body);
  for (auto& w : d["workers"].GetArray()) status[w["name"].GetString()] = w["status"].GetString();
  EXPECT_EQ(status["bus"], "stale");
  EXPECT_EQ(status["collector"], "ok");
  std::string viewer = Login("viewer", kViewerPw);
  EXPECT_EQ(Call("POST", "/api/v1/workers/profiler/stop", "", viewer).status, 403);
  EXPECT_TRUE(published_.empty());
  EXPECT_EQ(Call("POST", "/api/v1/workers/profiler/stop", "", t).status, 202);
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0], R"(system.profiler.control control {"action":"stop"})");
}

// Issue 14, finding 7: the stream takes a single-use ticket; a token in the URL is refused.
TEST_F(HttpApiTest, StreamTakesASingleUseTicketNotATokenInTheUrl) {
  std::string t = Login();
  EXPECT_EQ(Call("GET", "/api/v1/stream?access_token=" + t).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/stream").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/stats?access_token=" + t).status, 401);
  auto tk = Call("POST", "/api/v1/stream/ticket", "", t);
  ASSERT_EQ(tk.status, 200) << tk.body;
  std::string ticket(json::GetString(Parse(tk.body), "ticket"));
  auto r = Call("GET", "/api/v1/stream?ticket=" + ticket);
  EXPECT_TRUE(r.sse);
  EXPECT_GT(r.sse_lifetime_ms, 0u);
  EXPECT_LE(r.sse_lifetime_ms, 3600u * 1000);  // ends with the token
  EXPECT_TRUE(api_->StreamStillValid(r.sse_tag));
  EXPECT_EQ(Call("GET", "/api/v1/stream?ticket=" + ticket).status, 401);  // used
  std::string stale(json::GetString(Parse(Call("POST", "/api/v1/stream/ticket", "", t).body), "ticket"));
  now_ += 31;
  EXPECT_EQ(Call("GET", "/api/v1/stream?ticket=" + stale).status, 401);  // expired
  // Logout: the open stream is told to close and no longer passes the sweep.
  std::vector<std::string> revoked;
  api_->OnRevoked([&](const std::string& uuid) { revoked.push_back(uuid); });
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "", t).status, 200);
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(Api::StreamTagUser(r.sse_tag), revoked[0]);
  EXPECT_FALSE(api_->StreamStillValid(r.sse_tag));
}

TEST_F(HttpApiTest, CorsIsClosedUnlessConfigured) {
  std::string t = Login();
  auto r = Call("GET", "/api/v1/stats", "", t, "127.0.0.1", "Origin: https://evil.example\r\n");
  for (auto& [k, v] : r.headers) EXPECT_NE(k, "Access-Control-Allow-Origin");
  EXPECT_EQ(Call("OPTIONS", "/api/v1/stats", "", "", "127.0.0.1", "Origin: https://evil.example\r\n").status, 405);
  MakeApi({"https://ops.example"});
  t = Login();
  r = Call("GET", "/api/v1/stats", "", t, "127.0.0.1", "Origin: https://ops.example\r\n");
  bool found = false;
  for (auto& [k, v] : r.headers) found = found || (k == "Access-Control-Allow-Origin" && v == "https://ops.example");
  EXPECT_TRUE(found);
  EXPECT_EQ(Call("OPTIONS", "/api/v1/stats", "", "", "127.0.0.1", "Origin: https://ops.example\r\n").status, 204);
}

TEST_F(HttpApiTest, UnknownApiRouteIs404) {
  EXPECT_EQ(Call("GET", "/api/v1/nope").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/stats").status, 405);
}

}  // namespace
}  // namespace decnet::api
