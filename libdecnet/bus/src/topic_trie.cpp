#include "decnet/bus/topic_trie.h"

#include <algorithm>

namespace decnet::bus {

void TopicTrie::Split(std::string_view s, absl::InlinedVector<std::string_view, 8>& out) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      out.push_back(s.substr(start));
      return;
    }
    out.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

bool TopicTrie::Add(std::string_view pattern, SubscriberId id) {
  absl::InlinedVector<std::string_view, 8> tokens;
  Split(pattern, tokens);
  Node* node = &root_;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string_view tok = tokens[i];
    if (tok == ">") {
      if (std::find(node->tail.begin(), node->tail.end(), id) != node->tail.end()) return false;
      node->tail.push_back(id);
      ++patterns_;
      return true;
    }
    std::unique_ptr<Node>* next;
    if (tok == "*") {
      next = &node->star;
    } else {
      next = &node->children[std::string(tok)];
    }
    if (!*next) *next = std::make_unique<Node>();
    node = next->get();
  }
  if (std::find(node->exact.begin(), node->exact.end(), id) != node->exact.end()) return false;
  node->exact.push_back(id);
  ++patterns_;
  return true;
}

bool TopicTrie::RemoveAt(Node& node, const absl::InlinedVector<std::string_view, 8>& tokens,
                         size_t i, SubscriberId id) {
  const auto erase = [&](std::vector<SubscriberId>& v) {
    auto it = std::find(v.begin(), v.end(), id);
    if (it == v.end()) return false;
    *it = v.back();
    v.pop_back();
    return true;
  };
  if (i == tokens.size()) return erase(node.exact);
  const std::string_view tok = tokens[i];
  if (tok == ">") return erase(node.tail);
  std::unique_ptr<Node>* child = nullptr;
  if (tok == "*") {
    child = &node.star;
  } else {
    auto it = node.children.find(absl::string_view(tok.data(), tok.size()));
    if (it == node.children.end()) return false;
    child = &it->second;
  }
  if (!*child || !RemoveAt(**child, tokens, i + 1, id)) return false;
  if ((*child)->Empty()) {  // prune so an unsubscribe storm does not leave dead nodes behind
    if (tok == "*") {
      node.star.reset();
    } else {
      node.children.erase(node.children.find(absl::string_view(tok.data(), tok.size())));
    }
  }
  return true;
}

bool TopicTrie::Remove(std::string_view pattern, SubscriberId id) {
  absl::InlinedVector<std::string_view, 8> tokens;
  Split(pattern, tokens);
  if (!RemoveAt(root_, tokens, 0, id)) return false;
  --patterns_;
  return true;
}

}  // namespace decnet::bus
