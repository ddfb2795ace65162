#include "decnet/decoy/line_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace decnet::decoy {
namespace {

std::vector<std::string> Feed(LineReader& r, std::string_view bytes) {
  std::vector<std::string> out;
  r.Feed(bytes, [&](LineReader::Verdict v, std::string_view line) {
    out.push_back(v == LineReader::Verdict::kTooLong ? "<too long>" : std::string(line));
    return true;
  });
  return out;
}

TEST(LineReader, SplitsOnLfAndStripsCr) {
  LineReader r(64);
  EXPECT_EQ(Feed(r, "USER a\r\nPASS b\nNO"), (std::vector<std::string>{"USER a", "PASS b"}));
  EXPECT_EQ(r.pending(), 2u);
  EXPECT_EQ(Feed(r, "OP\r\n"), (std::vector<std::string>{"NOOP"}));
  EXPECT_EQ(r.pending(), 0u);
}

TEST(LineReader, EveryByteBoundaryGivesTheSameLines) {
  const std::string input = "first line\r\nsecond\n\nthird\r\n";
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    LineReader r(64);
    auto a = Feed(r, std::string_view(input).substr(0, cut));
    auto b = Feed(r, std::string_view(input).substr(cut));
    a.insert(a.end(), b.begin(), b.end());
    EXPECT_EQ(a, (std::vector<std::string>{"first line", "second", "", "third"})) << cut;
  }
}

TEST(LineReader, OverlongLineReportedOnceAndSkippedNotBuffered) {
  LineReader r(8);
  EXPECT_EQ(Feed(r, std::string(5000, 'A')), (std::vector<std::string>{"<too long>"}));
  EXPECT_EQ(r.pending(), 0u);  // nothing of it is held
  EXPECT_TRUE(Feed(r, std::string(5000, 'B')).empty());
  // The line after it is served normally.
  EXPECT_EQ(Feed(r, "tail\nok\n"), (std::vector<std::string>{"ok"}));
  EXPECT_EQ(Feed(r, "123456789\nshort\n"), (std::vector<std::string>{"<too long>", "short"}));
}

TEST(LineReader, StopsWhenTheCallbackSaysSo) {
  LineReader r(64);
  std::vector<std::string> seen;
  r.Feed("a\nb\nc\n", [&](LineReader::Verdict, std::string_view l) {
    seen.emplace_back(l);
    return seen.size() < 2;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace decnet::decoy
