#include "decnet/decoy/event_log.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "decnet/core/loop.h"
#include "decnet/core/text.h"
#include "decnet/decoy/service.h"
#include "decnet/decoy/testing.h"
#include "decnet/syslog/decnet.h"

namespace decnet::decoy {
namespace {

using testing::ParamOf;

struct LogFixture : ::testing::Test {
  Limits limits;
  Counters counters;
  MemorySink* sink = new MemorySink();
  EventLog log{"mail-02", std::unique_ptr<LineSink>(sink), limits, counters};
  void SetUp() override { log.SetClockForTest(1'780'000'000'000'000); }
};

TEST_F(LogFixture, LineIsTheDecnetDialectTheCollectorParses) {
  log.New("ftp", "login").From(Endpoint{"2001:db8::7", 51000}, 21).Add("username", "root").Emit();
  ASSERT_EQ(sink->lines.size(), 1u);
  syslog::DecnetParser parser;
  syslog::DecnetRecord rec;
  ASSERT_TRUE(parser.Parse(sink->lines[0], &rec)) << sink->lines[0];
  EXPECT_EQ(rec.decky, "mail-02");
  EXPECT_EQ(rec.service, "ftp");
  EXPECT_EQ(rec.event_type, "login");
  EXPECT_EQ(rec.attacker_ip, "2001:db8::7");  // bare IPv6 survives
  EXPECT_EQ(rec.Field("dst_port"), "21");
  EXPECT_EQ(rec.Field("username"), "root");
  EXPECT_EQ(counters.events, 1u);
}

TEST_F(LogFixture, SecretTravelsExactlyInB64AndAsPrintable) {
  const std::string secret = "t\xc3\xabst\x01\xff";
  log.New("ssh", "login").Secret("root", secret, "plaintext").Emit();
  const std::string& l = sink->lines.at(0);
  EXPECT_EQ(ParamOf(l, "principal"), "root");
  EXPECT_EQ(ParamOf(l, "secret_printable"), "t??st??");
  EXPECT_EQ(ParamOf(l, "secret_kind"), "plaintext");
  std::string decoded;
  ASSERT_TRUE(Base64Decode(ParamOf(l, "secret_b64"), &decoded));
  EXPECT_EQ(decoded, secret);
}

TEST_F(LogFixture, AttackerBytesCannotSplitOrForgeAnEvent) {
  log.New("http", "request")
      .Add("path", "/a\r\n<134>1 2026-01-01T00:00:00Z evil x - login [relay@55555 src_ip=\"1.2.3.4\"]")
      .Add("quote", "a\"b]c\\d")
      .Add("bad_utf8", "\xc3(\xff ok \xe2\x82\xac")
      .Emit();
  const std::string& l = sink->lines.at(0);
  EXPECT_EQ(l.find('\n'), std::string::npos);
  EXPECT_EQ(l.find('\r'), std::string::npos);
  EXPECT_TRUE(IsValidUtf8(l));
  syslog::DecnetParser parser;
  syslog::DecnetRecord rec;
  ASSERT_TRUE(parser.Parse(l, &rec));
  EXPECT_EQ(rec.decky, "mail-02");
  EXPECT_EQ(rec.Field("quote"), "a\"b]c\\d");
  EXPECT_EQ(rec.Field("bad_utf8"), "\\xc3(\\xff ok \xe2\x82\xac");
  EXPECT_EQ(rec.attacker_ip, "Unknown");  // the forged src_ip stayed inside the path value
}

TEST_F(LogFixture, LongValuesAreCutAndNamed) {
  limits.max_field_bytes = 16;
  log.New("http", "request").Add("path", std::string(100, 'x')).Add("ok", "short").Emit();
  const std::string& l = sink->lines.at(0);
  EXPECT_EQ(ParamOf(l, "path"), std::string(16, 'x'));
  EXPECT_EQ(ParamOf(l, "truncated"), "path");
  EXPECT_EQ(counters.fields_truncated, 1u);
}

TEST(OpenSink, RejectsBadSpecsWithTheirReason) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  for (const char* spec : {"tcp:1.2.3.4:5", "udp:localhost:514", "udp:127.0.0.1:0", "unix:", "udp:1.2.3.4"}) {
    auto s = OpenSink(&loop, spec, 8);
    EXPECT_FALSE(s) << spec;
    if (!s) EXPECT_NE(s.error().message.find(spec), std::string::npos) << s.error().message;
  }
  uv_loop_close(&loop);
}

TEST(OpenSink, UnixDatagramQueuesWhileTheCollectorIsAwayThenDelivers) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  char dir[] = "/tmp/decoy-sink-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/syslog.sock";
  auto sink = OpenSink(&loop, "unix:" + path, 2);
  ASSERT_TRUE(sink);
  EXPECT_TRUE((*sink)->Send("one"));
  EXPECT_TRUE((*sink)->Send("two"));
  EXPECT_FALSE((*sink)->Send("three"));  // the bound: refused, the caller counts it
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  {
    Timer wait(&loop);  // the sink's retry timer (200 ms, unreferenced) runs while this one keeps the loop up
    wait.Start(700, 0, [] {});
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  char buf[64];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  ASSERT_EQ(std::string(buf, n > 0 ? n : 0), "one");
  n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  ASSERT_EQ(std::string(buf, n > 0 ? n : 0), "two");
  close(fd);
  sink->reset();
  CloseAllHandles(&loop);
  uv_loop_close(&loop);
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace decnet::decoy
