// RFC 6587 (octet counting + LF), RFC 5425 and datagram framing, including frames split across
// reads and the bounds on over-long frames.
#include "decnet/syslog/framing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace decnet::syslog {
namespace {

struct Got {
  std::vector<std::string> frames;
  std::vector<bool> truncated;
};

// Feeds `input` in chunks of `chunk` bytes and collects every frame.
Got Feed(StreamFramer& f, const std::string& input, size_t chunk, bool* error = nullptr) {
  Got g;
  Frame fr;
  for (size_t i = 0; i < input.size(); i += chunk) {
    f.Append(std::string_view(input).substr(i, chunk));
    for (;;) {
      auto r = f.Next(&fr);
      if (!r) {
        if (error) *error = true;
        return g;
      }
      if (!*r) break;
      g.frames.emplace_back(fr.data);
      g.truncated.push_back(fr.truncated);
    }
  }
  if (f.Finish(&fr)) {
    g.frames.emplace_back(fr.data);
    g.truncated.push_back(fr.truncated);
  }
  return g;
}

TEST(SyslogFraming, LfAndOctetCountingMixedAtEveryChunkSize) {
  const std::string input =
      "<14>1 - a b - c - one\n"
      "23 <14>1 - a b - c - two\nX"  // octet counted, LF inside the count
      "<14>1 - a b - c - three\r\n"
      "\n"
      "<14>1 - a b - c - four";  // unterminated, delivered by Finish()
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    StreamFramer f(1024);
    Got g = Feed(f, input, chunk);
    ASSERT_EQ(g.frames.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(g.frames[0], "<14>1 - a b - c - one");
    EXPECT_EQ(g.frames[1], "<14>1 - a b - c - two\nX");
    EXPECT_EQ(g.frames[2], "<14>1 - a b - c - three");
    EXPECT_EQ(g.frames[3], "<14>1 - a b - c - four");
  }
}

TEST(SyslogFraming, OverlongLfLineIsTruncatedAndTheRestDiscarded) {
  StreamFramer f(16);
  std::string input = std::string(100, 'x') + "\nshort\n";
  for (size_t chunk : {1u, 7u, 200u}) {
    StreamFramer g(16);
    Got got = Feed(g, input, chunk);
    ASSERT_EQ(got.frames.size(), 2u);
    EXPECT_EQ(got.frames[0], std::string(16, 'x'));
    EXPECT_TRUE(got.truncated[0]);
    EXPECT_EQ(got.frames[1], "short");
    EXPECT_FALSE(got.truncated[1]);
    EXPECT_EQ(g.truncated_frames(), 1u);
    EXPECT_LE(g.buffered(), 16u + chunk);
  }
}

TEST(SyslogFraming, OverlongOctetCountedFrameIsTruncated) {
  std::string input = "40 " + std::string(40, 'y') + "5 hello";
  for (size_t chunk : {1u, 3u, 100u}) {
    StreamFramer f(10);
    Got g = Feed(f, input, chunk);
    ASSERT_EQ(g.frames.size(), 2u);
    EXPECT_EQ(g.frames[0], std::string(10, 'y'));
    EXPECT_TRUE(g.truncated[0]);
    EXPECT_EQ(g.frames[1], "hello");
  }
}

TEST(SyslogFraming, DigitLineThatIsNotACountFallsBackToLf) {
  StreamFramer f(1024);
  Got g = Feed(f, "12345678901234 is not a length\n123abc\n", 5);
  ASSERT_EQ(g.frames.size(), 2u);
  EXPECT_EQ(g.frames[0], "12345678901234 is not a length");
  EXPECT_EQ(g.frames[1], "123abc");
}

TEST(SyslogFraming, Rfc5425OctetCountingOnly) {
  std::string input;
  AppendOctetCounted(&input, "<14>1 - a b - c - one");
  AppendOctetCounted(&input, "<14>1 - a b - c - two\nwith LF");
  StreamFramer f(1024, StreamFramer::Mode::kOctetCounting);
  bool error = false;
  Got g = Feed(f, input, 3, &error);
  EXPECT_FALSE(error);
  ASSERT_EQ(g.frames.size(), 2u);
  EXPECT_EQ(g.frames[1], "<14>1 - a b - c - two\nwith LF");

  StreamFramer bad(1024, StreamFramer::Mode::kOctetCounting);
  Feed(bad, "<14>1 - a b - c - lf framed\n", 100, &error);
  EXPECT_TRUE(error);
  error = false;
  StreamFramer bad2(1024, StreamFramer::Mode::kOctetCounting);
  Feed(bad2, "12x <14>", 100, &error);
  EXPECT_TRUE(error);
}

TEST(SyslogFraming, Datagrams) {
  EXPECT_EQ(TrimDatagram("<14>1 - a b - c - x\n"), "<14>1 - a b - c - x");
  EXPECT_EQ(TrimDatagram(std::string("abc\r\n\0", 6)), "abc");
  EXPECT_EQ(TrimDatagram(""), "");
}

}  // namespace
}  // namespace decnet::syslog

namespace decnet::syslog {
namespace {
TEST(SyslogFraming, LfModeNeverCountsOctets) {
  StreamFramer f(1024, StreamFramer::Mode::kLf);
  Got g = Feed(f, "12 abc\n<14>1 - a b - c - x\n", 4);
  ASSERT_EQ(g.frames.size(), 2u);
  EXPECT_EQ(g.frames[0], "12 abc");
}
}  // namespace
}  // namespace decnet::syslog
