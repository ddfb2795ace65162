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
  LoopServer(ServerOptions opts, Server::Handler handler) {
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

}  // namespace
}  // namespace decnet::http
