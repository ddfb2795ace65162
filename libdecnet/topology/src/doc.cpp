#include "doc.h"

#include <algorithm>

#include "decnet/core/json.h"

namespace decnet::topology::internal {

Doc Doc::RawJson(std::string json) {
  Doc d(Type::kString);
  d.str_ = std::move(json);
  d.raw_ = true;
  return d;
}

Doc& Doc::Set(std::string key, Doc value) {
  map_.emplace_back(std::move(key), std::move(value));
  return map_.back().second;
}

Doc& Doc::Push(Doc value) {
  list_.push_back(std::move(value));
  return list_.back();
}

void Doc::AppendJson(std::string& out, bool sort_keys) const {
  switch (type_) {
    case Type::kString:
      if (raw_)
        out += str_;
      else
        json::AppendQuoted(out, str_);
      return;
    case Type::kInt:
      out += std::to_string(int_);
      return;
    case Type::kBool:
      out += int_ ? "true" : "false";
      return;
    case Type::kList: {
      out.push_back('[');
      for (size_t i = 0; i < list_.size(); ++i) {
        if (i) out.push_back(',');
        list_[i].AppendJson(out, sort_keys);
      }
      out.push_back(']');
      return;
    }
    case Type::kMap: {
      std::vector<const std::pair<std::string, Doc>*> order;
      for (const auto& kv : map_) order.push_back(&kv);
      if (sort_keys)
        std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
      out.push_back('{');
      for (size_t i = 0; i < order.size(); ++i) {
        if (i) out.push_back(',');
        json::AppendQuoted(out, order[i]->first);
        out.push_back(':');
        order[i]->second.AppendJson(out, sort_keys);
      }
      out.push_back('}');
      return;
    }
  }
}

namespace {
void Indent(std::string& out, int n) { out.append(static_cast<size_t>(n), ' '); }
}  // namespace

void Doc::AppendYamlValue(std::string& out, int indent) const {
  const bool nested =
      (type_ == Type::kMap && !map_.empty()) || (type_ == Type::kList && !list_.empty());
  if (nested) {
    out.push_back('\n');
    AppendYaml(out, indent + 2);
  } else {
    out.push_back(' ');
    AppendYaml(out, 0);
  }
}

void Doc::AppendYaml(std::string& out, int indent) const {
  if (type_ == Type::kMap) {
    if (map_.empty()) {
      out += "{}\n";
      return;
    }
    for (const auto& [k, v] : map_) {
      Indent(out, indent);
      json::AppendQuoted(out, k);
      out.push_back(':');
      v.AppendYamlValue(out, indent);
    }
    return;
  }
  if (type_ == Type::kList) {
    if (list_.empty()) {
      out += "[]\n";
      return;
    }
    for (const Doc& v : list_) {
      Indent(out, indent);
      out += "-";
      v.AppendYamlValue(out, indent);
    }
    return;
  }
  // Scalars: JSON text is valid YAML flow scalar text.
  AppendJson(out);
  out.push_back('\n');
}

}  // namespace decnet::topology::internal
