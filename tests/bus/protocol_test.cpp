#include "decnet/bus/protocol.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

namespace decnet::bus {
namespace {

std::string Be32(uint32_t n) {
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)};
}

TEST(ProtocolTest, EncodeMatchesThePythonWireFormat) {
  EXPECT_EQ(EncodeFrame(Verb::kSub, "a.>"), "SUB a.>\n" + Be32(0));
  EXPECT_EQ(EncodeFrame(Verb::kBye, ""), "BYE\n" + Be32(0));
  EXPECT_EQ(EncodeFrame(Verb::kPub, "x.y", "{}"), "PUB x.y\n" + Be32(2) + "{}");
}

TEST(ProtocolTest, RoundTripByteByByte) {
  const std::string wire = EncodeFrame(Verb::kHello, "me") + EncodeFrame(Verb::kPub, "t.a", R"({"a":1})") +
                           EncodeFrame(Verb::kUnsub, "t.*");
  FrameReader r;
  std::vector<Frame> got;
  for (char c : wire) {
    ASSERT_TRUE(r.Feed(std::string(1, c)));
    Frame f;
    Error e;
    while (r.Next(&f, &e)) got.push_back(f);
    ASSERT_TRUE(e.message.empty()) << e.message;
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].verb, Verb::kHello);
  EXPECT_EQ(got[0].args, "me");
  EXPECT_EQ(got[1].verb, Verb::kPub);
  EXPECT_EQ(got[1].body, R"({"a":1})");
  EXPECT_EQ(got[2].args, "t.*");
  EXPECT_FALSE(r.HasPartial());
}

TEST(ProtocolTest, CarriageReturnAndExtraSpacesAreTolerated) {
  FrameReader r;
  ASSERT_TRUE(r.Feed("SUB   a.b  \r\n" + Be32(0)));
  Frame f;
  Error e;
  ASSERT_TRUE(r.Next(&f, &e));
  EXPECT_EQ(f.args, "a.b");
}

TEST(ProtocolTest, UnknownVerbFailsAtOnce) {
  FrameReader r;
  Status st = r.Feed("FOO x\n" + Be32(0));
  EXPECT_FALSE(st);
  Frame f;
  Error e;
  EXPECT_FALSE(r.Next(&f, &e));
}

TEST(ProtocolTest, HeaderOver4096BytesFailsBeforeTheNewline) {
  FrameReader r;
  EXPECT_TRUE(r.Feed("PUB " + std::string(4000, 'a')));
  EXPECT_FALSE(r.Feed(std::string(200, 'a')));  // still no LF, already too long
}

TEST(ProtocolTest, BodyOver1MiBFailsFromTheLengthAlone) {
  FrameReader r;
  EXPECT_FALSE(r.Feed("PUB a\n" + Be32((1 << 20) + 1)));
  FrameReader ok;
  EXPECT_TRUE(ok.Feed("PUB a\n" + Be32(1 << 20)));
}

TEST(ProtocolTest, TruncatedFrameIsPartialNotAFrame) {
  FrameReader r;
  ASSERT_TRUE(r.Feed("PUB a\n" + Be32(10) + "{\"a\""));
  Frame f;
  Error e;
  EXPECT_FALSE(r.Next(&f, &e));
  EXPECT_TRUE(e.message.empty());
  EXPECT_TRUE(r.HasPartial());  // early EOF here is a truncated frame
}

TEST(ProtocolTest, BadFrameAfterGoodOnesKeepsTheGoodOnes) {
  FrameReader r;
  ASSERT_TRUE(r.Feed(EncodeFrame(Verb::kSub, "a") + "NOPE\n" + Be32(0)));
  Frame f;
  Error e;
  ASSERT_TRUE(r.Next(&f, &e));
  EXPECT_EQ(f.args, "a");
  EXPECT_FALSE(r.Next(&f, &e));
  EXPECT_FALSE(e.message.empty());
}

TEST(ProtocolTest, TopicAndPatternValidity) {
  EXPECT_TRUE(ValidTopic("system.bus.health"));
  EXPECT_FALSE(ValidTopic("a..b"));
  EXPECT_FALSE(ValidTopic("a.*"));
  EXPECT_FALSE(ValidTopic(""));
  EXPECT_FALSE(ValidTopic("a b"));
  EXPECT_TRUE(ValidPattern("a.*.c"));
  EXPECT_TRUE(ValidPattern(">"));
  EXPECT_FALSE(ValidPattern("a.>.c"));
  EXPECT_FALSE(ValidPattern("a."));
}

TEST(ProtocolTest, EventBodyHasTheEnvelopeFields) {
  const std::string body = MakeEventBody("a.b", "t", R"({"k":"v"})", 12.5);
  EXPECT_NE(body.find(R"("v":1)"), std::string::npos);
  EXPECT_NE(body.find(R"("topic":"a.b")"), std::string::npos);
  EXPECT_NE(body.find(R"("ts":12.5)"), std::string::npos);
  EXPECT_NE(body.find(R"("payload":{"k":"v"})"), std::string::npos);
  const std::string id = NewEventId();
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id[12], '4');  // uuid4
  EXPECT_NE(id, NewEventId());
}

// Ids come from a generator seeded once per process: they must not repeat within a process, and a
// forked child (the fleet launcher forks workers) must not replay its parent's sequence.
TEST(ProtocolTest, EventIdsAreUniqueAndAForkedChildDoesNotRepeatItsParent) {
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(seen.insert(NewEventId()).second);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string c = NewEventId();
    (void)!write(fds[1], c.data(), c.size());
    _exit(0);
  }
  close(fds[1]);
  char buf[32];
  ASSERT_EQ(read(fds[0], buf, sizeof buf), 32);
  close(fds[0]);
  waitpid(child, nullptr, 0);
  const std::string from_child(buf, 32);
  EXPECT_EQ(seen.count(from_child), 0u);
  EXPECT_NE(from_child, NewEventId());  // the parent's next id
  EXPECT_EQ(from_child[12], '4');
}

}  // namespace
}  // namespace decnet::bus
