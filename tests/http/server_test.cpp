#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "decnet/http/server.h"
#include "decnet/http/static_files.h"
#include "test_client.h"

namespace decnet::http {
namespace {

using namespace decnet::http::testing;

// Runs a Server on its own loop thread. Tasks posted with Post() run on the loop thread.
class LoopServer {
 public:
  template <typename H>
  LoopServer(ServerOptions opts, H handler) {
    uv_loop_init(&loop_);
    opts.host = "127.0.0.1";
    opts.port = 0;
    server_ = std::make_unique<Server>(&loop_, opts, std::move(handler));
    auto st = server_->Listen();
    EXPECT_TRUE(st.has_value());
    uv_async_init(&loop_, &async_, [](uv_async_t* a) { static_cast<LoopServer*>(a->data)->RunTasks(); });
    async_.data = this;
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~LoopServer() {
    Post([this] {
      server_->Close([this] { uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr); });
    });
    thread_.join();
    EXPECT_EQ(uv_loop_close(&loop_), 0);  // nothing left running
  }
  int port() const { return server_->port(); }
  Server& server() { return *server_; }
  void Post(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> l(mu_);
      tasks_.push_back(std::move(fn));
    }
    uv_async_send(&async_);
  }
  // Runs fn on the loop thread and waits for it.
  void Sync(std::function<void()> fn) {
    std::atomic<bool> done{false};
    Post([&] {
      fn();
      done = true;
    });
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  void RunTasks() {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> l(mu_);
      tasks.swap(tasks_);
    }
    for (auto& t : tasks) t();
  }
  uv_loop_t loop_;
  uv_async_t async_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::function<void()>> tasks_;
};

Response Echo(Request& r) {
  if (r.path == "/stream") {
    Response s;
    s.sse = true;
    s.body = ": hello\n\n";
    return s;
  }
  return Response::Text(200, r.method + " " + r.path + " " + r.body);
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  LoopServer s({}, Echo);
  int fd = Connect(s.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string a = ReadUntil(fd, "GET /one ");
  EXPECT_NE(a.find("HTTP/1.1 200 OK"), std::string::npos);
  ASSERT_TRUE(SendAll(fd, "POST /two HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"));
  std::string b = ReadUntil(fd, "POST /two hi");
  EXPECT_NE(b.find("POST /two hi"), std::string::npos);
  // Pipelined, last one asks to close.
  ASSERT_TRUE(SendAll(fd, "GET /p1 HTTP/1.1\r\n\r\nGET /p2 HTTP/1.1\r\nConnection: close\r\n\r\n"));
  bool eof = false;
  std::string c = ReadUntil(fd, {}, &eof);
  EXPECT_NE(c.find("GET /p1"), std::string::npos);
  EXPECT_NE(c.find("GET /p2"), std::string::npos);
  EXPECT_TRUE(eof);
  close(fd);
  EXPECT_EQ(s.server().stats().requests, 4u);
}

TEST(HttpServer, OversizedHeadersGet431AndClose) {
  LoopServer s({}, Echo);
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nX: " + std::string(64 * 1024, 'a') + "\r\n\r\n"));
  bool eof = false;
  std::string r = ReadUntil(fd, {}, &eof);
  EXPECT_NE(r.find("HTTP/1.1 431"), std::string::npos) << r.substr(0, 100);
  EXPECT_TRUE(eof);
  close(fd);
}

TEST(HttpServer, InvalidChunkingGets400) {
  LoopServer s({}, Echo);
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nXYZ\r\nabc\r\n"));
  bool eof = false;
  std::string r = ReadUntil(fd, {}, &eof);
  EXPECT_NE(r.find("HTTP/1.1 400"), std::string::npos) << r;
  EXPECT_TRUE(eof);
  close(fd);
}

TEST(HttpServer, SlowlorisIsCutByTheRequestTimeout) {
  ServerOptions o;
  o.request_timeout_ms = 300;
  LoopServer s(o, Echo);
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\n"));
  bool cut = false;
  // Trickle a header byte every 50 ms: progress must not extend the deadline.
  for (int i = 0; i < 60 && !cut; ++i) {
    if (!SendAll(fd, "X")) cut = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    char b[512];
    ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
    if (n > 0) {
      EXPECT_NE(std::string(b, static_cast<size_t>(n)).find("408"), std::string::npos);
      cut = true;
    } else if (n == 0) {
      cut = true;
    }
  }
  EXPECT_TRUE(cut) << "a trickling request kept its connection for 3 s";
  close(fd);
  s.Sync([&] { EXPECT_GE(s.server().stats().timeouts, 1u); });
}

TEST(HttpServer, IdleConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout_ms = 200;
  LoopServer s(o, Echo);
  int fd = Connect(s.port(), 3000);
  bool eof = false;
  ReadUntil(fd, {}, &eof);
  EXPECT_TRUE(eof);
  close(fd);
}

TEST(HttpServer, ConnectionsOverTheBoundGet503) {
  ServerOptions o;
  o.max_connections = 2;
  LoopServer s(o, Echo);
  int a = Connect(s.port()), b = Connect(s.port());
  ASSERT_TRUE(SendAll(a, "GET /a HTTP/1.1\r\n\r\n"));
  ReadUntil(a, "GET /a");
  ASSERT_TRUE(SendAll(b, "GET /b HTTP/1.1\r\n\r\n"));
  ReadUntil(b, "GET /b");
  int c = Connect(s.port());
  std::string r = ReadUntil(c);
  EXPECT_NE(r.find("503"), std::string::npos) << r;
  close(a);
  close(b);
  close(c);
  s.Sync([&] { EXPECT_GE(s.server().stats().connections_rejected, 1u); });
}

TEST(HttpServer, SseStreamReceivesBroadcasts) {
  LoopServer s({}, Echo);
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "GET /stream HTTP/1.1\r\n\r\n"));
  std::string head = ReadUntil(fd, ": hello\n\n");
  EXPECT_NE(head.find("text/event-stream"), std::string::npos);
  s.Sync([&] { s.server().SseBroadcast("attacker.observed", R"({"ip":"1.2.3.4"})"); });
  std::string ev = ReadUntil(fd, "\n\n");
  EXPECT_NE(ev.find("event: attacker.observed\ndata: {\"ip\":\"1.2.3.4\"}\n\n"), std::string::npos) << ev;
  close(fd);
}

TEST(HttpServer, SseClientThatDoesNotReadIsDropped) {
  ServerOptions o;
  o.sse_max_pending_bytes = 64 * 1024;
  LoopServer s(o, Echo);
  int fd = Connect(s.port());
  int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(SendAll(fd, "GET /stream HTTP/1.1\r\n\r\n"));
  ReadUntil(fd, ": hello\n\n");
  std::string big(8000, 'x');
  s.Sync([&] {
    for (int i = 0; i < 2000 && s.server().stats().open_sse_streams > 0; ++i) s.server().SseBroadcast("e", big);
  });
  s.Sync([&] {
    EXPECT_EQ(s.server().stats().open_sse_streams, 0u);
    EXPECT_GE(s.server().stats().sse_dropped_streams, 1u);
  });
  close(fd);
}

TEST(HttpServer, OneOversizedEventDoesNotDropEveryStream) {
  ServerOptions o;
  o.sse_max_pending_bytes = 16 * 1024;
  LoopServer s(o, Echo);
  int a = Connect(s.port()), b = Connect(s.port());
  for (int fd : {a, b}) {
    ASSERT_TRUE(SendAll(fd, "GET /stream HTTP/1.1\r\n\r\n"));
    ReadUntil(fd, ": hello\n\n");
  }
  s.Sync([&] {
    s.server().SseBroadcast("e", std::string(8 << 20, 'x'));  // more than a socket buffer and any budget
    s.server().SseBroadcast("e", "after");
  });
  for (int fd : {a, b}) {
    std::string ev = ReadUntil(fd, "after\n\n");
    EXPECT_NE(ev.find("data: after"), std::string::npos);
    EXPECT_EQ(ev.find("xxxx"), std::string::npos);
  }
  s.Sync([&] {
    EXPECT_EQ(s.server().stats().open_sse_streams, 2u);
    EXPECT_EQ(s.server().stats().sse_dropped_streams, 0u);
    EXPECT_EQ(s.server().stats().sse_oversize_events, 1u);
  });
  close(a);
  close(b);
}

TEST(HttpServer, StaticFilesRefuseTraversal) {
  char tmpl[] = "/tmp/decnet-http-static-XXXXXX";
  std::string root = mkdtemp(tmpl);
  FILE* f = fopen((root + "/index.html").c_str(), "w");
  fputs("<h1>ok</h1>", f);
  fclose(f);
  StaticFiles files(root);
  LoopServer s({}, [&](Request& r) { return files.Serve(r.path); });
  for (const char* target : {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd",
                             "/a/../../etc/passwd", "/..\\..\\etc\\passwd", "/%00/index.html"}) {
    int fd = Connect(s.port());
    ASSERT_TRUE(SendAll(fd, std::string("GET ") + target + " HTTP/1.1\r\nConnection: close\r\n\r\n"));
    std::string r = ReadUntil(fd);
    EXPECT_EQ(r.find("root:"), std::string::npos) << target;
    EXPECT_TRUE(r.find(" 404 ") != std::string::npos || r.find(" 400 ") != std::string::npos) << target << r;
    close(fd);
  }
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
  std::string r = ReadUntil(fd);
  EXPECT_NE(r.find("<h1>ok</h1>"), std::string::npos);
  EXPECT_NE(r.find("text/html"), std::string::npos);
  close(fd);
  unlink((root + "/index.html").c_str());
  rmdir(root.c_str());
}

// Issue 14, finding 8: the security headers ride on every response, the server's own error answers
// (431 from the parser, 503 over the connection bound) included.
TEST(HttpServer, SecurityHeadersOnEveryResponse) {
  ServerOptions o;
  o.max_connections = 1;
  LoopServer s(o, [](Request& r) {
    return r.path == "/missing" ? Response::Error(404, "no") : Response::Text(200, "ok");
  });
  auto check = [](const std::string& r, const char* what) {
    EXPECT_NE(r.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos) << what << r;
    EXPECT_NE(r.find("X-Frame-Options: DENY\r\n"), std::string::npos) << what;
    EXPECT_NE(r.find("Content-Security-Policy: default-src 'self'"), std::string::npos) << what;
  };
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\n\r\n"));
  check(ReadUntil(fd, "ok"), "200");
  ASSERT_TRUE(SendAll(fd, "GET /missing HTTP/1.1\r\n\r\n"));
  check(ReadUntil(fd, "}"), "404");
  int over = Connect(s.port());  // the second connection: over max_connections
  check(ReadUntil(over), "503");
  close(over);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nX: " + std::string(64 * 1024, 'a') + "\r\n\r\n"));
  std::string r = ReadUntil(fd);
  ASSERT_NE(r.find(" 431 "), std::string::npos);
  check(r, "431");
  close(fd);
}

// Issue 14, finding 9: one source holding idle connections (slowloris) cannot make the server refuse
// another source. Today's server counts only the global bound, so 127.0.0.2 got 503.
TEST(HttpServer, OneSourceCannotTakeEveryConnection) {
  ServerOptions o;
  o.max_connections = 16;
  o.max_connections_per_source = 4;
  LoopServer s(o, Echo);
  std::vector<int> hog;
  for (int i = 0; i < 24; ++i) {
    int fd = Connect(s.port(), 5000, "127.0.0.1");
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, "GET /slow"));  // a request that never completes
    hog.push_back(fd);
  }
  s.Sync([&] {});  // the accepts ran
  int other = Connect(s.port(), 5000, "127.0.0.2");
  ASSERT_GE(other, 0) << "127.0.0.2 not bindable";
  ASSERT_TRUE(SendAll(other, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"));
  std::string r = ReadUntil(other);
  EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos) << r;
  close(other);
  s.Sync([&] {
    EXPECT_GE(s.server().stats().connections_rejected_per_source, 20u);
    EXPECT_EQ(s.server().stats().connections_rejected, 0u);
  });
  for (int fd : hog) close(fd);
}

// An AsyncHandler answers later; the connection's next pipelined request waits for it (answers stay
// in order) while other connections are served meanwhile.
TEST(HttpServer, DeferredResponsesKeepPipelineOrder) {
  std::vector<Responder> parked;
  LoopServer s(ServerOptions{}, [&](Request& r, Responder done) {
    if (r.path == "/later") {
      parked.push_back(done);
      return;
    }
    done(Response::Text(200, "now " + r.path));
  });
  int fd = Connect(s.port());
  ASSERT_TRUE(SendAll(fd, "GET /later HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n"));
  size_t n = 0;
  for (int i = 0; i < 5000 && n == 0; ++i) {  // until the server has read the first request
    s.Sync([&] { n = parked.size(); });
    if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(n, 1u);
  int other = Connect(s.port());
  ASSERT_TRUE(SendAll(other, "GET /other HTTP/1.1\r\nConnection: close\r\n\r\n"));
  EXPECT_NE(ReadUntil(other).find("now /other"), std::string::npos);
  close(other);
  s.Sync([&] {
    parked[0](Response::Text(200, "later done"));
    parked[0](Response::Text(200, "twice"));  // a second answer is a no-op
  });
  std::string r = ReadUntil(fd, "now /after");
  size_t a = r.find("later done"), b = r.find("now /after");
  ASSERT_NE(a, std::string::npos) << r;
  ASSERT_NE(b, std::string::npos) << r;
  EXPECT_LT(a, b);
  EXPECT_EQ(r.find("twice"), std::string::npos);
  close(fd);
  s.Sync([&] { EXPECT_EQ(s.server().stats().deferred, 1u); });
}

// Issue 14, finding 7: a stream ends at its lifetime (the token's expiry), and CloseSseStreams ends
// the streams of one tag (a revoked user) and no other.
TEST(HttpServer, SseStreamsEndAtLifetimeOrByTag) {
  LoopServer s(ServerOptions{}, [](Request& r) {
    Response sse;
    sse.sse = true;
    sse.body = ": hello\n\n";
    sse.sse_tag = r.path.substr(1);
    if (r.path == "/short") sse.sse_lifetime_ms = 200;
    return sse;
  });
  int shortlived = Connect(s.port()), alice = Connect(s.port()), bob = Connect(s.port());
  for (auto [fd, path] : {std::pair{shortlived, "/short"}, {alice, "/alice"}, {bob, "/bob"}}) {
    ASSERT_TRUE(SendAll(fd, std::string("GET ") + path + " HTTP/1.1\r\n\r\n"));
    ReadUntil(fd, ": hello\n\n");
  }
  bool eof = false;
  ReadUntil(shortlived, {}, &eof);
  EXPECT_TRUE(eof) << "a stream outlived its lifetime";
  size_t closed = 0;
  s.Sync([&] { closed = s.server().CloseSseStreams([](const std::string& tag) { return tag == "alice"; }); });
  EXPECT_EQ(closed, 1u);
  ReadUntil(alice, {}, &eof);
  EXPECT_TRUE(eof);
  s.Sync([&] { s.server().SseBroadcast("", "still-here"); });
  EXPECT_NE(ReadUntil(bob, "still-here").find("still-here"), std::string::npos);
  s.Sync([&] {
    EXPECT_EQ(s.server().stats().sse_expired, 1u);
    EXPECT_EQ(s.server().stats().sse_revoked, 1u);
    EXPECT_EQ(s.server().stats().open_sse_streams, 1u);
  });
  close(shortlived);
  close(alice);
  close(bob);
}

}  // namespace
}  // namespace decnet::http
