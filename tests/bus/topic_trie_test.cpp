#include "decnet/bus/topic_trie.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "decnet/bus/protocol.h"

namespace decnet::bus {
namespace {

std::multiset<uint32_t> MatchIds(const TopicTrie& t, const std::string& topic) {
  std::multiset<uint32_t> ids;
  t.Match(topic, [&](uint32_t id) { ids.insert(id); });
  return ids;
}

TEST(TopicTrieTest, NatsWildcardSemantics) {
  TopicTrie t;
  t.Add("topology.*.mutation.applied", 1);
  t.Add("topology.>", 2);
  t.Add("topology.abc.mutation.*", 3);
  t.Add("system.bus.health", 4);
  t.Add(">", 5);
  EXPECT_EQ(MatchIds(t, "topology.abc.mutation.applied"), (std::multiset<uint32_t>{1, 2, 3, 5}));
  EXPECT_EQ(MatchIds(t, "topology"), (std::multiset<uint32_t>{5}));  // '>' needs at least one token
  EXPECT_EQ(MatchIds(t, "topology.x"), (std::multiset<uint32_t>{2, 5}));
  EXPECT_EQ(MatchIds(t, "system.bus.health"), (std::multiset<uint32_t>{4, 5}));
  EXPECT_EQ(MatchIds(t, "system.bus"), (std::multiset<uint32_t>{5}));
}

TEST(TopicTrieTest, RemoveAndDuplicates) {
  TopicTrie t;
  EXPECT_TRUE(t.Add("a.*", 1));
  EXPECT_FALSE(t.Add("a.*", 1));
  EXPECT_TRUE(t.Add("a.*", 2));
  EXPECT_EQ(t.pattern_count(), 2u);
  EXPECT_TRUE(t.Remove("a.*", 1));
  EXPECT_FALSE(t.Remove("a.*", 1));
  EXPECT_FALSE(t.Remove("b.c", 2));
  EXPECT_EQ(MatchIds(t, "a.b"), (std::multiset<uint32_t>{2}));
  EXPECT_TRUE(t.Remove("a.*", 2));
  EXPECT_TRUE(MatchIds(t, "a.b").empty());
  EXPECT_EQ(t.pattern_count(), 0u);
}

// The trie must agree with the one-pattern reference matcher on every combination.
TEST(TopicTrieTest, AgreesWithReferenceMatcher) {
  const std::vector<std::string> patterns = {"a", "a.b", "a.*", "*.b", "a.>", ">", "*", "*.*.c",
                                             "a.b.c", "a.*.>", "b.>", "*.>"};
  const std::vector<std::string> topics = {"a", "b", "a.b", "a.c", "b.b", "a.b.c", "a.x.c", "b.x.y.z"};
  TopicTrie t;
  for (uint32_t i = 0; i < patterns.size(); ++i) ASSERT_TRUE(t.Add(patterns[i], i));
  for (const auto& topic : topics) {
    std::multiset<uint32_t> want;
    for (uint32_t i = 0; i < patterns.size(); ++i) {
      if (PatternMatches(patterns[i], topic)) want.insert(i);
    }
    EXPECT_EQ(MatchIds(t, topic), want) << topic;
  }
}

}  // namespace
}  // namespace decnet::bus
