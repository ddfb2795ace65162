// A small document tree (maps keep insertion order) that compose.cpp and hash.cpp build once and
// emit as YAML or JSON, so both forms always say the same thing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace decnet::topology::internal {

class Doc {
 public:
  enum class Type : uint8_t { kMap, kList, kString, kInt, kBool };

  static Doc Map() { return Doc(Type::kMap); }
  static Doc List() { return Doc(Type::kList); }
  static Doc Str(std::string s) {
    Doc d(Type::kString);
    d.str_ = std::move(s);
    return d;
  }
  static Doc Int(int64_t v) {
    Doc d(Type::kInt);
    d.int_ = v;
    return d;
  }
  static Doc Bool(bool v) {
    Doc d(Type::kBool);
    d.int_ = v ? 1 : 0;
    return d;
  }
  // Raw JSON scalar text (already valid JSON) kept verbatim in JSON output; quoted in YAML when a
  // string.
  static Doc RawJson(std::string json);

  // Map: appends key (keys must be unique; the caller guarantees it). Returns the new child.
  Doc& Set(std::string key, Doc value);
  // List: appends.
  Doc& Push(Doc value);

  // Compact JSON; with `sort_keys`, map keys in byte order (the canonical form).
  void AppendJson(std::string& out, bool sort_keys = false) const;
  // Block-style YAML; every string scalar double-quoted (JSON escaping is valid YAML).
  void AppendYaml(std::string& out, int indent = 0) const;

 private:
  // The value after "key:" or "-" at `indent`: a non-empty map or list on the next lines, two
  // columns deeper; anything else on the same line.
  void AppendYamlValue(std::string& out, int indent) const;

  explicit Doc(Type t) : type_(t) {}
  Type type_;
  std::string str_;
  int64_t int_ = 0;
  bool raw_ = false;
  std::vector<std::pair<std::string, Doc>> map_;
  std::vector<Doc> list_;
};

}  // namespace decnet::topology::internal
