// Broker and client over a real UNIX socket, all on one libuv loop.
#include "decnet/bus/broker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "decnet/bus/client.h"
#include "decnet/core/json.h"
#include "decnet/core/loop.h"

namespace decnet::bus {
namespace {

template <typename Pred>
bool RunUntil(uv_loop_t* loop, Pred pred, uint64_t timeout_ms = 5000) {
  bool timed_out = false;
  Timer t(loop);
  t.Start(timeout_ms, 0, [&] { timed_out = true; });
  while (!pred() && !timed_out) uv_run(loop, UV_RUN_ONCE);
  return pred();
}

int RawConnect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a {};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::connect(fd, reinterpret_cast<struct sockaddr*>(&a), sizeof a) != 0) return -1;
  return fd;
}

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    char tmpl[] = "/tmp/decnet-bus-test.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/bus.sock";
  }
  void TearDown() override {
    CloseAllHandles(&loop_);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "the loop must end with nothing left running";
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  std::unique_ptr<Broker> MakeBroker(size_t queue_limit = 1024, unsigned mode = 0660) {
    BrokerOptions o;
    o.socket_path = path_;
    o.queue_limit = queue_limit;
    o.socket_mode = mode;
    auto b = std::make_unique<Broker>(&loop_, o);
    EXPECT_TRUE(b->Listen());
    return b;
  }
  void CloseBroker(std::unique_ptr<Broker>& b) {
    bool done = false;
    b->Close([&] { done = true; });
    EXPECT_TRUE(RunUntil(&loop_, [&] { return done; }));
    b.reset();
  }
  void CloseClient(Client& c) {
    bool done = false;
    c.Close([&] { done = true; });
    RunUntil(&loop_, [&] { return done; });
  }
  uv_loop_t loop_;
  std::string dir_, path_;
};

TEST_F(BrokerTest, DeliversOneCopyPerConnectionAndNotToThePublisher) {
  auto broker = MakeBroker();
  Client a(&loop_, path_, "a"), b(&loop_, path_, "b"), p(&loop_, path_, "p");
  int got_a = 0, got_b = 0, got_p = 0;
  std::string payload_seen, type_seen;
  a.Subscribe("a.*", [&](const Event& e) {
    ++got_a;
    payload_seen = e.payload_json;
    type_seen = e.type;
  });
  a.Subscribe("a.>", [&](const Event&) {});  // same connection: still one EVT frame
  b.Subscribe("a.b", [&](const Event&) { ++got_b; });
  p.Subscribe("a.b", [&](const Event&) { ++got_p; });
  a.Start();
  b.Start();
  p.Start();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return a.connected() && b.connected() && p.connected(); }));
  RunUntil(&loop_, [&] { return broker->pattern_count() == 4; });
  p.Publish("a.b", "kind", R"({"n":1})");
  ASSERT_TRUE(RunUntil(&loop_, [&] { return got_a == 1 && got_b == 1; }));
  RunUntil(
      &loop_, [] { return false; }, 100);
  EXPECT_EQ(got_a, 1);
  EXPECT_EQ(got_p, 0);
  EXPECT_EQ(payload_seen, R"({"n":1})");
  EXPECT_EQ(type_seen, "kind");
  EXPECT_EQ(a.stats().received, 1u) << "one frame even with two matching patterns";
  CloseClient(a);
  CloseClient(b);
  CloseClient(p);
  CloseBroker(broker);
}

TEST_F(BrokerTest, StalledSubscriberLosesTheOldestAndTheDropsAreCounted) {
  auto broker = MakeBroker(/*queue_limit=*/16);
  int fd = RawConnect(path_);
  ASSERT_GE(fd, 0);
  const std::string sub = EncodeFrame(Verb::kSub, "flood.>");
  ASSERT_EQ(::write(fd, sub.data(), sub.size()), static_cast<ssize_t>(sub.size()));
  ASSERT_TRUE(RunUntil(&loop_, [&] { return broker->pattern_count() == 1; }));
  Client p(&loop_, path_, "p");
  p.Start();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return p.connected(); }));
  const std::string pad(2048, 'x');
  const int kEvents = 5000;  // ~10 MB: far more than the socket buffers hold
  for (int i = 0; i < kEvents; ++i) {
    p.Publish("flood.x", "", R"({"seq":)" + std::to_string(i) + R"(,"pad":")" + pad + "\"}");
    if (i % 64 == 0) uv_run(&loop_, UV_RUN_NOWAIT);
  }
  ASSERT_TRUE(RunUntil(
      &loop_, [&] { return broker->stats().published == kEvents; }, 20000));
  EXPECT_GT(broker->stats().dropped, 0u);
  EXPECT_EQ(broker->stats().delivered, static_cast<uint64_t>(kEvents));
  // Now drain the subscriber: it must end with the newest event (drop-OLDEST), and get far fewer.
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  FrameReader reader;
  int frames = 0;
  std::string last_body;
  int quiet_rounds = 0;
  while (quiet_rounds < 20) {
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      ASSERT_TRUE(reader.Feed({buf, static_cast<size_t>(n)}));
      Frame f;
      Error e;
      while (reader.Next(&f, &e)) {
        ++frames;
        last_body = f.body;
      }
      quiet_rounds = 0;
    } else {
      ++quiet_rounds;
      RunUntil(
          &loop_, [] { return false; }, 10);
    }
  }
  EXPECT_LT(frames, kEvents);
  EXPECT_EQ(static_cast<uint64_t>(frames) + broker->stats().dropped,
            static_cast<uint64_t>(kEvents));
  rapidjson::Document doc;
  ASSERT_TRUE(json::ParseObject(last_body, doc));
  EXPECT_EQ(doc["payload"]["seq"].GetInt(), kEvents - 1);
  ::close(fd);
  CloseClient(p);
  CloseBroker(broker);
}

TEST_F(BrokerTest, MalformedFrameClosesOnlyThatConnection) {
  auto broker = MakeBroker();
  Client good(&loop_, path_, "good");
  int got = 0;
  good.Subscribe("x", [&](const Event&) { ++got; });
  good.Start();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return good.connected() && broker->pattern_count() == 1; }));
  const std::string zero(3, '\0');
  for (const std::string bad : {"BOGUS\n" + zero + '\0', "PUB x\n" + zero + "\x03[1]",
                                "PUB x\n" + zero + "\x02{x", "EVT x\n" + zero + '\0'}) {
    int fd = RawConnect(path_);
    ASSERT_GE(fd, 0);
    const uint64_t before = broker->stats().bad_frames;
    ASSERT_EQ(::write(fd, bad.data(), bad.size()), static_cast<ssize_t>(bad.size()));
    ASSERT_TRUE(RunUntil(&loop_, [&] { return broker->stats().bad_frames == before + 1; })) << bad;
    char c;
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    RunUntil(
        &loop_, [] { return false; }, 20);
    EXPECT_EQ(::read(fd, &c, 1), 0) << "the broker closed the bad connection";
    ::close(fd);
  }
  Client pub(&loop_, path_, "pub");
  pub.Start();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return pub.connected(); }));
  pub.Publish("x", "", "{}");
  EXPECT_TRUE(RunUntil(&loop_, [&] { return got == 1; })) << "the good connection still works";
  CloseClient(good);
  CloseClient(pub);
  CloseBroker(broker);
}

TEST_F(BrokerTest, SecondBrokerRefusesALiveSocketButReplacesAStaleOne) {
  auto broker = MakeBroker();
  BrokerOptions o;
  o.socket_path = path_;
  Broker second(&loop_, o);
  Status st = second.Listen();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::kBusy);
  CloseBroker(broker);
  // A stale socket file (bound, nobody listening) is removed and replaced.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a {};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<struct sockaddr*>(&a), sizeof a), 0);
  ::close(fd);
  auto again = MakeBroker();
  CloseBroker(again);
}

TEST_F(BrokerTest, ClientReconnectsAndResubscribesAfterTheBrokerRestarts) {
  auto broker = MakeBroker();
  Client sub(&loop_, path_, "sub", ClientOptions{1024, 20, 200});
  Client pub(&loop_, path_, "pub", ClientOptions{1024, 20, 200});
  int got = 0;
  sub.Subscribe("x.>", [&](const Event&) { ++got; });
  sub.Start();
  pub.Start();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return sub.connected() && pub.connected(); }));
  CloseBroker(broker);
  ASSERT_TRUE(RunUntil(&loop_, [&] { return !sub.connected() && !pub.connected(); }));
  // Publishing while the broker is away neither blocks nor crashes.
  for (int i = 0; i < 100; ++i) pub.Publish("x.y", "", "{}");
  RunUntil(
      &loop_, [] { return false; }, 300);
  broker = MakeBroker();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return sub.connected() && pub.connected(); }));
  ASSERT_TRUE(RunUntil(&loop_, [&] { return broker->pattern_count() == 1; })) << "re-subscribed";
  got = 0;
  pub.Publish("x.z", "", "{}");
  EXPECT_TRUE(RunUntil(&loop_, [&] { return got >= 1; }));
  EXPECT_GE(sub.stats().reconnects, 1u);
  CloseClient(sub);
  CloseClient(pub);
  CloseBroker(broker);
}

TEST(BrokerControlTopic, OnlySystemOneTokenControl) {
  EXPECT_TRUE(IsControlTopic("system.collector.control"));
  EXPECT_TRUE(IsControlTopic("system.decky-web1.control"));
  EXPECT_TRUE(IsControlTopic("system.bus.control"));
  EXPECT_FALSE(IsControlTopic("system.collector.health"));
  EXPECT_FALSE(IsControlTopic("system.control"));
  EXPECT_FALSE(IsControlTopic("system.a.b.control"));
  EXPECT_FALSE(IsControlTopic("attacker.x.control"));
}

// Issue 14, finding 4: a peer on the bus socket whose uid is neither root nor an allowed control
// uid (here: a child that became nobody before connecting) cannot stop a worker; an allowed peer
// can, and the receiver learns who it was from the broker.
TEST_F(BrokerTest, ControlTopicsOnlyFromControlUids) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  auto broker = MakeBroker(1024, 0666);
  Client worker(&loop_, path_, "worker");
  std::vector<Event> got;
  worker.Subscribe("system.collector.control", [&](const Event& e) { got.push_back(e); });
  worker.Subscribe("attacker.>", [&](const Event& e) { got.push_back(e); });
  worker.Start();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return worker.connected() && broker->pattern_count() == 2; }));

  int release[2];
  ASSERT_EQ(::pipe(release), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(release[1]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    int fd = RawConnect(path_);
    if (fd < 0) ::_exit(4);
    std::string out =
        EncodeFrame(Verb::kHello, "evil") +
        EncodeFrame(Verb::kPub, "system.collector.control",
                    R"({"type":"control","payload":{"action":"stop"}})") +
        EncodeFrame(Verb::kPub, "attacker.observed", R"({"payload":{"ip":"1.2.3.4"}})");
    if (::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) ::_exit(5);
    char c;
    (void)::read(release[0], &c, 1);  // hold the connection until the parent has looked
    ::_exit(0);
  }
  ::close(release[0]);
  // The ordinary event from the same peer arrives; the control frame before it does not.
  ASSERT_TRUE(RunUntil(&loop_, [&] { return !got.empty(); }));
  RunUntil(
      &loop_, [] { return false; }, 50);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, "attacker.observed");
  EXPECT_EQ(broker->stats().control_refused, 1u);
  ::close(release[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  got.clear();
  Client admin(&loop_, path_, "admin-cli");
  admin.Start();
  ASSERT_TRUE(RunUntil(&loop_, [&] { return admin.connected(); }));
  admin.Publish("system.collector.control", "control", R"({"action":"stop"})");
  ASSERT_TRUE(RunUntil(&loop_, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0].payload_json, R"({"action":"stop"})");
  EXPECT_EQ(got[0].sender, "admin-cli (uid 0, pid " + std::to_string(::getpid()) + ")");
  EXPECT_EQ(broker->stats().control_refused, 1u);
  CloseClient(admin);
  CloseClient(worker);
  CloseBroker(broker);
}

TEST(BrokerControlTopic, UserIdFromEtcPasswd) {
  EXPECT_EQ(UserIdFromEtcPasswd("root"), 0);
  EXPECT_EQ(UserIdFromEtcPasswd("1234"), 1234);
  EXPECT_EQ(UserIdFromEtcPasswd("no-such-user-here"), -1);
  EXPECT_EQ(UserIdFromEtcPasswd(""), -1);
}

}  // namespace
}  // namespace decnet::bus
