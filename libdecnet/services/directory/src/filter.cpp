// The search filter of ldap.h: decoded from BER within its bounds, printed in RFC 4515 form, and
// evaluated against an entry of the fake directory.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "decnet/services/directory/ldap.h"

namespace decnet::services::directory::ldap {
namespace {

struct Budget {
  size_t nodes = 0;
};

bool Parse(const ber::Tlv& t, int depth, Budget* b, Filter* out);

bool ParseSet(const ber::Tlv& t, int depth, Budget* b, Filter* out) {
  ber::Reader r(t.value);
  while (r.ok() && !r.done()) {
    auto c = r.Next();
    if (!c) return false;
    Filter child;
    if (!Parse(*c, depth + 1, b, &child)) return false;
    out->children.push_back(std::move(child));
  }
  return r.ok();
}

bool ParseAva(const ber::Tlv& t, Filter* out) {
  ber::Reader r(t.value);
  auto a = r.Octets();
  auto v = r.Octets();
  if (!r.ok() || !r.done()) return false;
  out->attr = std::string(*a);
  out->value = std::string(*v);
  return true;
}

bool ParseSubstrings(const ber::Tlv& t, Filter* out) {
  ber::Reader r(t.value);
  auto a = r.Octets();
  auto seq = r.Expect(0x30);
  if (!r.ok() || !r.done()) return false;
  out->attr = std::string(*a);
  ber::Reader parts(seq->value);
  while (!parts.done()) {
    auto p = parts.Next();
    if (!p) return false;
    const std::string v(p->value);
    if (p->tag == 0x80 && !out->has_initial && out->any.empty() && !out->has_final) {
      out->has_initial = true;
      out->initial = v;
    } else if (p->tag == 0x81 && !out->has_final) {
      if (out->any.size() >= kMaxFilterNodes) return false;
      out->any.push_back(v);
    } else if (p->tag == 0x82 && !out->has_final) {
      out->has_final = true;
      out->final_ = v;
    } else {
      return false;  // out of order or an unknown choice
    }
  }
  return out->has_initial || out->has_final || !out->any.empty();
}

// MatchingRuleAssertion: [1] rule, [2] type, [3] value, [4] dnAttributes; kept as type and value.
bool ParseExtensible(const ber::Tlv& t, Filter* out) {
  ber::Reader r(t.value);
  if (auto rule = r.Optional(0x81)) out->initial = std::string(rule->value);
  if (auto type = r.Optional(0x82)) out->attr = std::string(type->value);
  auto v = r.Expect(0x83);
  if (!v) return false;
  out->value = std::string(v->value);
  r.Optional(0x84);
  return r.ok() && r.done();
}

bool Parse(const ber::Tlv& t, int depth, Budget* b, Filter* out) {
  if (depth > kMaxFilterDepth || ++b->nodes > kMaxFilterNodes) return false;
  switch (t.tag) {
    case 0xA0:
      out->kind = Filter::kAnd;
      return ParseSet(t, depth, b, out);
    case 0xA1:
      out->kind = Filter::kOr;
      return ParseSet(t, depth, b, out);
    case 0xA2:
      out->kind = Filter::kNot;
      return ParseSet(t, depth, b, out) && out->children.size() == 1;
    case 0xA3:
      out->kind = Filter::kEq;
      return ParseAva(t, out);
    case 0xA4:
      out->kind = Filter::kSub;
      return ParseSubstrings(t, out);
    case 0xA5:
      out->kind = Filter::kGe;
      return ParseAva(t, out);
    case 0xA6:
      out->kind = Filter::kLe;
      return ParseAva(t, out);
    case 0x87:
      out->kind = Filter::kPresent;
      out->attr = std::string(t.value);
      return true;
    case 0xA8:
      out->kind = Filter::kApprox;
      return ParseAva(t, out);
    case 0xA9:
      out->kind = Filter::kExt;
      return ParseExtensible(t, out);
    default:
      return false;
  }
}

// RFC 4515 §3: '*', '(', ')', '\' and NUL are escaped as \XX; so is every non-printable byte, so
// the text is unambiguous in a log line.
std::string Escape(std::string_view v) {
  std::string out;
  for (unsigned char c : v) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7F) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "\\%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const Attribute* Find(const Entry& e, std::string_view name) {
  const std::string n = Lower(name);
  for (const Attribute& a : e.attrs)
    if (Lower(a.name) == n) return &a;
  return nullptr;
}

bool SubMatch(const Filter& f, std::string_view value) {
  const std::string v = Lower(value);
  size_t at = 0;
  if (f.has_initial) {
    const std::string i = Lower(f.initial);
    if (v.compare(0, i.size(), i) != 0) return false;
    at = i.size();
  }
  for (const std::string& any : f.any) {
    const size_t hit = v.find(Lower(any), at);
    if (hit == std::string::npos) return false;
    at = hit + any.size();
  }
  if (f.has_final) {
    const std::string fin = Lower(f.final_);
    return v.size() >= at + fin.size() && v.compare(v.size() - fin.size(), fin.size(), fin) == 0;
  }
  return true;
}

bool ValueMatch(const Filter& f, std::string_view value) {
  const std::string v = Lower(value), a = Lower(f.value);
  switch (f.kind) {
    case Filter::kEq:
    case Filter::kApprox:
    case Filter::kExt:
      return v == a;
    case Filter::kGe:
      return v >= a;
    case Filter::kLe:
      return v <= a;
    case Filter::kSub:
      return SubMatch(f, value);
    default:
      return false;
  }
}

}  // namespace

bool ParseFilter(const ber::Tlv& t, Filter* out) {
  Budget b;
  return Parse(t, 0, &b, out);
}

std::string FilterText(const Filter& f) {
  std::string out = "(";
  switch (f.kind) {
    case Filter::kAnd:
    case Filter::kOr:
    case Filter::kNot:
      out += f.kind == Filter::kAnd ? '&' : f.kind == Filter::kOr ? '|' : '!';
      for (const Filter& c : f.children) out += FilterText(c);
      break;
    case Filter::kEq:
      out += f.attr + "=" + Escape(f.value);
      break;
    case Filter::kGe:
      out += f.attr + ">=" + Escape(f.value);
      break;
    case Filter::kLe:
      out += f.attr + "<=" + Escape(f.value);
      break;
    case Filter::kApprox:
      out += f.attr + "~=" + Escape(f.value);
      break;
    case Filter::kPresent:
      out += f.attr + "=*";
      break;
    case Filter::kSub:
      out += f.attr + "=" + Escape(f.initial) + "*";
      for (const std::string& a : f.any) out += Escape(a) + "*";
      out += Escape(f.final_);
      break;
    case Filter::kExt:
      out += f.attr + (f.initial.empty() ? "" : ":" + f.initial) + ":=" + Escape(f.value);
      break;
  }
  return out + ")";
}

bool Matches(const Filter& f, const Entry& e) {
  switch (f.kind) {
    case Filter::kAnd:
      return std::all_of(f.children.begin(), f.children.end(),
                         [&](const Filter& c) { return Matches(c, e); });
    case Filter::kOr:
      return std::any_of(f.children.begin(), f.children.end(),
                         [&](const Filter& c) { return Matches(c, e); });
    case Filter::kNot:
      return !f.children.empty() && !Matches(f.children[0], e);
    case Filter::kPresent:
      // Every entry has an objectClass, even when the rootDSE lists it only as operational.
      return Lower(f.attr) == "objectclass" || Find(e, f.attr) != nullptr;
    default: {
      const Attribute* a = Find(e, f.attr);
      if (!a) return false;
      return std::any_of(a->values.begin(), a->values.end(),
                         [&](const std::string& v) { return ValueMatch(f, v); });
    }
  }
}

}  // namespace decnet::services::directory::ldap
