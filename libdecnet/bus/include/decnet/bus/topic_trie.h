// TopicTrie: NATS-style subscription matching. A pattern is dot-separated tokens where `*` matches exactly
// one token and `>` (last token only) matches one or more trailing tokens. Matching costs O(topic tokens x
// wildcard branches), independent of the number of literal patterns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>
#include <absl/strings/string_view.h>

namespace decnet::bus {

class TopicTrie {
 public:
  using SubscriberId = uint32_t;

  // REQUIRES: ValidPattern(pattern). Returns false when (pattern, id) was already present.
  bool Add(std::string_view pattern, SubscriberId id);
  // Returns false when (pattern, id) was not present.
  bool Remove(std::string_view pattern, SubscriberId id);
  // Calls fn(id) for every (pattern, id) matching `topic`; an id holding several matching patterns is
  // reported once per pattern (callers de-duplicate). REQUIRES: ValidTopic(topic).
  template <typename Fn>
  void Match(std::string_view topic, Fn&& fn) const {
    absl::InlinedVector<std::string_view, 8> tokens;
    Split(topic, tokens);
    MatchAt(root_, tokens, 0, fn);
  }
  size_t pattern_count() const { return patterns_; }

 private:
  struct Node {
    absl::flat_hash_map<std::string, std::unique_ptr<Node>> children;
    std::unique_ptr<Node> star;
    std::vector<SubscriberId> exact;  // patterns ending at this node
    std::vector<SubscriberId> tail;   // patterns "<path>.>" ending at this node
    bool Empty() const { return children.empty() && !star && exact.empty() && tail.empty(); }
  };
  static void Split(std::string_view s, absl::InlinedVector<std::string_view, 8>& out);
  bool RemoveAt(Node& node, const absl::InlinedVector<std::string_view, 8>& tokens, size_t i,
                SubscriberId id);

  template <typename Fn>
  static void MatchAt(const Node& node, const absl::InlinedVector<std::string_view, 8>& tokens,
                      size_t i, Fn& fn) {
    if (i == tokens.size()) {
      for (SubscriberId id : node.exact) fn(id);
      return;
    }
    for (SubscriberId id : node.tail) fn(id);
    if (!node.children.empty()) {
      auto it = node.children.find(absl::string_view(tokens[i].data(), tokens[i].size()));
      if (it != node.children.end()) MatchAt(*it->second, tokens, i + 1, fn);
    }
    if (node.star) MatchAt(*node.star, tokens, i + 1, fn);
  }

  Node root_;
  size_t patterns_ = 0;
};

}  // namespace decnet::bus
