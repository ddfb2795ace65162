// The runtime's bounds on real loopback sockets, with a trivial line-echo protocol.
#include "decnet/decoy/decky.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "decnet/decoy/testing.h"

namespace decnet::decoy {
namespace {

struct EchoSession : Session {
  Connection& c;
  explicit EchoSession(Connection& conn) : c(conn) {}
  void OnOpen() override { c.Write("hello\n"); }
  void OnData(std::string_view b) override {
    if (b.substr(0, 4) == "quit") return c.Close();
    if (b.substr(0, 5) == "flood") {
      // A peer that does not read: the output bound must close it, not buffer without end.
      for (int i = 0; i < 4096; ++i) c.Write(std::string(4096, 'x'));
      return;
    }
    c.Write(b);
  }
};

struct Echo : Service {
  std::string_view name() const override { return "echo"; }
  std::unique_ptr<Session> NewSession(Connection& c) override { return std::make_unique<EchoSession>(c); }
  void OnDatagram(Datagrams& s, const Endpoint& from, std::string_view b) override { s.SendTo(from, b); }
};

int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads what is there after the loop ran; "" on EOF, "<none>" when nothing came.
std::string ReadNow(int fd) {
  char buf[256];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n == 0) return "";
  if (n < 0) return "<none>";
  return std::string(buf, static_cast<size_t>(n));
}

struct DeckyTest : ::testing::Test {
  testing::TestDecky t;
  uint16_t port = 0;
  void Start() {
    ASSERT_TRUE(t.decky->AddService(std::make_unique<Echo>(), {{0, Transport::kTcp}, {0, Transport::kUdp}}));
    port = t.decky->bound()[0].second.port;
  }
  void Spin(uint64_t ms) {
    const uint64_t end = uv_now(&t.loop) + ms;
    t.RunUntil([&] { return uv_now(&t.loop) >= end; }, ms + 100);
  }
};

TEST_F(DeckyTest, ServesAndLogsConnectAndDisconnect) {
  Start();
  int fd = Connect(port);
  ASSERT_GE(fd, 0);
  t.RunUntil([&] { return t.decky->open_connections() == 1; });
  Spin(20);
  EXPECT_EQ(ReadNow(fd), "hello\n");
  ASSERT_EQ(send(fd, "ping", 4, 0), 4);
  Spin(20);
  EXPECT_EQ(ReadNow(fd), "ping");
  ASSERT_EQ(send(fd, "quit", 4, 0), 4);
  t.RunUntil([&] { return t.decky->open_connections() == 0; });
  EXPECT_EQ(ReadNow(fd), "");  // FIN after the flush
  close(fd);
  ASSERT_EQ(t.Events("connect").size(), 1u);
  auto disc = t.Events("disconnect");
  ASSERT_EQ(disc.size(), 1u);
  EXPECT_EQ(testing::ParamOf(disc[0], "reason"), "service");
  EXPECT_EQ(testing::ParamOf(disc[0], "bytes_in"), "8");
  EXPECT_EQ(testing::ParamOf(disc[0], "src_ip"), "127.0.0.1");
  EXPECT_EQ(testing::ParamOf(disc[0], "dst_port"), std::to_string(port));
}

TEST_F(DeckyTest, PerSourceAndPerDeckyCapsRefuseAndCount) {
  t.limits.max_connections_per_ip = 2;
  Start();
  int a = Connect(port), b = Connect(port), c = Connect(port);
  t.RunUntil([&] { return t.counters.refused_ip_cap == 1; });
  EXPECT_EQ(t.counters.accepted, 2u);
  EXPECT_EQ(t.decky->open_connections(), 2u);
  Spin(20);
  EXPECT_EQ(ReadNow(c), "");  // refused: closed at once, no banner
  close(a);
  t.RunUntil([&] { return t.decky->open_connections() == 1; });
  int d = Connect(port);  // a slot is free again
  t.RunUntil([&] { return t.decky->open_connections() == 2; });
  EXPECT_EQ(t.counters.accepted, 3u);
  t.limits.max_connections = 2;
  t.limits.max_connections_per_ip = 100;
  int e = Connect(port);
  t.RunUntil([&] { return t.counters.refused_decky_cap == 1; });
  EXPECT_EQ(t.counters.refused_decky_cap, 1u);
  for (int fd : {b, c, d, e}) close(fd);
}

TEST_F(DeckyTest, IdlePeerIsClosedAndCounted) {
  t.limits.idle_timeout_ms = 100;
  Start();
  int fd = Connect(port);
  t.RunUntil([&] { return t.counters.closed_idle == 1; });
  EXPECT_EQ(t.counters.closed_idle, 1u);
  EXPECT_EQ(testing::ParamOf(t.Events("disconnect").at(0), "reason"), "idle");
  close(fd);
}

TEST_F(DeckyTest, SessionDurationIsCapped) {
  t.limits.max_session_ms = 150;
  Start();
  int fd = Connect(port);
  for (int i = 0; i < 10 && t.counters.closed_duration == 0; ++i) {
    (void)!send(fd, "x", 1, MSG_NOSIGNAL);  // busy, never idle
    Spin(40);
  }
  EXPECT_EQ(t.counters.closed_duration, 1u);
  close(fd);
}

TEST_F(DeckyTest, PeerThatDoesNotReadIsClosedAtTheOutputBound) {
  t.limits.max_output_bytes = 1 << 20;
  Start();
  int fd = Connect(port);
  int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_EQ(send(fd, "flood", 5, 0), 5);
  t.RunUntil([&] { return t.counters.closed_output_limit == 1; });
  EXPECT_EQ(t.counters.closed_output_limit, 1u);
  EXPECT_EQ(t.decky->open_connections(), 0u);
  close(fd);
}

TEST_F(DeckyTest, UdpAndOneShotListener) {
  Start();
  const uint16_t uport = t.decky->bound()[1].second.port;
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uport);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(sendto(u, "dgram", 5, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 5);
  t.RunUntil([&] { return t.counters.datagrams == 1; });
  Spin(10);
  EXPECT_EQ(ReadNow(u), "dgram");
  close(u);

  auto extra = t.decky->ListenTcp("127.0.0.1", 0, 1, [](Connection& c) { return std::make_unique<EchoSession>(c); });
  ASSERT_TRUE(extra);
  const uint16_t eport = (*extra)->local().port;
  int first = Connect(eport);
  ASSERT_GE(first, 0);
  t.RunUntil([&] { return t.decky->open_connections() == 1; });
  Spin(20);
  EXPECT_EQ(Connect(eport), -1);  // one accept, then the listener is gone
  close(first);
}

TEST_F(DeckyTest, StopClosesEverythingAndTheLoopEnds) {
  Start();
  int fd = Connect(port);
  t.RunUntil([&] { return t.decky->open_connections() == 1; });
  t.decky->Stop();
  EXPECT_EQ(uv_run(&t.loop, UV_RUN_DEFAULT), 0);  // nothing left running
  EXPECT_EQ(testing::ParamOf(t.Events("disconnect").at(0), "reason"), "shutdown");
  close(fd);
}

TEST_F(DeckyTest, BindFailureNamesThePortAndKeepsNothing) {
  Start();
  auto st = t.decky->AddService(std::make_unique<Echo>(), {{0, Transport::kTcp}, {port, Transport::kTcp}});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find(std::to_string(port)), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace decnet::decoy
