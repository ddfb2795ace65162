// The bounded BSON reader/writer of the mongodb service. See bson.h.
#include "decnet/services/db/bson.h"

#include <cstdio>
#include <cstring>

namespace decnet::services::db::bson {

Value Value::Str(std::string_view v) {
  Value x;
  x.type = kString;
  x.s = v;
  return x;
}
Value Value::I32(int32_t v) {
  Value x;
  x.type = kInt32;
  x.i = v;
  return x;
}
Value Value::I64(int64_t v) {
  Value x;
  x.type = kInt64;
  x.i = v;
  return x;
}
Value Value::Dbl(double v) {
  Value x;
  x.type = kDouble;
  x.d = v;
  return x;
}
Value Value::Bool(bool v) {
  Value x;
  x.type = kBool;
  x.b = v;
  return x;
}
Value Value::Null() { return Value{}; }
Value Value::Date(int64_t ms) {
  Value x;
  x.type = kDate;
  x.i = ms;
  return x;
}
Value Value::Oid(std::string_view twelve) {
  Value x;
  x.type = kObjectId;
  x.s = std::string(twelve.substr(0, 12));
  x.s.resize(12, '\0');
  return x;
}
Value Value::Bin(std::string_view bytes, uint8_t subtype) {
  Value x;
  x.type = kBinary;
  x.subtype = subtype;
  x.s = bytes;
  return x;
}
Value Value::Doc(std::initializer_list<Elem> elems) {
  Value x;
  x.type = kDocument;
  x.kids.assign(elems.begin(), elems.end());
  return x;
}
Value Value::Arr(std::vector<Value> items) {
  Value x;
  x.type = kArray;
  for (size_t n = 0; n < items.size(); ++n)
    x.kids.push_back({std::to_string(n), std::move(items[n])});
  return x;
}

const Value* Value::Get(std::string_view key) const {
  if (type != kDocument) return nullptr;
  for (const Elem& e : kids)
    if (e.key == key) return &e.val;
  return nullptr;
}
bool Value::IsNumber() const {
  return type == kInt32 || type == kInt64 || type == kDouble || type == kBool;
}
int64_t Value::AsInt(int64_t def) const {
  if (type == kInt32 || type == kInt64) return i;
  if (type == kBool) return b;
  // Casting a NaN or an out-of-range double is undefined: clamp first.
  if (type == kDouble) return d > -9e18 && d < 9e18 ? static_cast<int64_t>(d) : def;
  return def;
}

const char* ErrorName(Error e) {
  switch (e) {
    case Error::kNone:
      return "none";
    case Error::kTruncated:
      return "truncated";
    case Error::kBadLength:
      return "bad_length";
    case Error::kBadType:
      return "bad_type";
    case Error::kTooDeep:
      return "too_deep";
    case Error::kTooMany:
      return "too_many_elements";
    case Error::kBadString:
      return "bad_string";
  }
  return "?";
}

namespace {

int32_t Le32(const char* p) {
  uint32_t v = 0;
  for (int n = 0; n < 4; ++n) v |= uint32_t(static_cast<unsigned char>(p[n])) << (8 * n);
  return static_cast<int32_t>(v);
}
int64_t Le64(const char* p) {
  uint64_t v = 0;
  for (int n = 0; n < 8; ++n) v |= uint64_t(static_cast<unsigned char>(p[n])) << (8 * n);
  return static_cast<int64_t>(v);
}

class Parser {
 public:
  Parser(const Limits& l, Error* err) : lim_(l), err_(err) {}

  // A document at the start of `in` (its own int32 length bounds everything inside).
  bool Doc(std::string_view in, size_t depth, Value* out, size_t* used) {
    if (depth > lim_.max_depth) return Fail(Error::kTooDeep);
    // The document itself counts: 200,000 empty documents in 1 MiB must not cost 200,000 nodes.
    if (++elements_ > lim_.max_elements) return Fail(Error::kTooMany);
    if (in.size() < 5) return Fail(Error::kTruncated);
    const int32_t len = Le32(in.data());
    if (len < 5) return Fail(Error::kBadLength);
    if (static_cast<size_t>(len) > in.size()) return Fail(Error::kTruncated);
    if (in[len - 1] != '\0') return Fail(Error::kBadLength);
    std::string_view body = in.substr(4, len - 5);
    while (!body.empty()) {
      if (++elements_ > lim_.max_elements) return Fail(Error::kTooMany);
      Elem e;
      if (!Element(&body, depth, &e)) return false;
      out->kids.push_back(std::move(e));
    }
    *used = static_cast<size_t>(len);
    return true;
  }

 private:
  bool Fail(Error e) {
    *err_ = e;
    return false;
  }

  bool Element(std::string_view* body, size_t depth, Elem* e) {
    const auto type = static_cast<uint8_t>((*body)[0]);
    const size_t nul = body->find('\0', 1);
    if (nul == std::string_view::npos) return Fail(Error::kTruncated);
    e->key = std::string(body->substr(1, nul - 1));
    body->remove_prefix(nul + 1);
    e->val.type = type;
    return Payload(body, depth, &e->val);
  }

  bool Take(std::string_view* b, size_t n, std::string_view* out) {
    if (b->size() < n) return Fail(Error::kTruncated);
    *out = b->substr(0, n);
    b->remove_prefix(n);
    return true;
  }

  // A length-prefixed string: int32 length including the NUL, then the bytes and a NUL.
  bool LenStr(std::string_view* b, std::string* out) {
    std::string_view head;
    if (!Take(b, 4, &head)) return false;
    const int32_t n = Le32(head.data());
    if (n < 1) return Fail(Error::kBadString);
    std::string_view s;
    if (!Take(b, static_cast<size_t>(n), &s)) return false;
    if (s.back() != '\0') return Fail(Error::kBadString);
    *out = std::string(s.substr(0, s.size() - 1));
    return true;
  }

  bool CStr(std::string_view* b, std::string* out) {
    const size_t nul = b->find('\0');
    if (nul == std::string_view::npos) return Fail(Error::kTruncated);
    *out = std::string(b->substr(0, nul));
    b->remove_prefix(nul + 1);
    return true;
  }

  bool Fixed(std::string_view* b, size_t n, Value* v) {
    std::string_view raw;
    if (!Take(b, n, &raw)) return false;
    if (v->type == kDouble)
      std::memcpy(&v->d, raw.data(), 8);
    else if (v->type == kInt32)
      v->i = Le32(raw.data());
    else if (v->type == kBool)
      v->b = raw[0] != 0;
    else if (n == 8)
      v->i = Le64(raw.data());
    else
      v->s = std::string(raw);
    return true;
  }

  bool Sub(std::string_view* b, size_t depth, Value* v) {
    size_t used = 0;
    if (!Doc(*b, depth + 1, v, &used)) return false;
    b->remove_prefix(used);
    return true;
  }

  bool Payload(std::string_view* b, size_t depth, Value* v) {
    switch (v->type) {
      case kDouble:
      case kDate:
      case kTimestamp:
      case kInt64:
        return Fixed(b, 8, v);
      case kInt32:
        return Fixed(b, 4, v);
      case kBool:
        return Fixed(b, 1, v);
      case kObjectId:
        return Fixed(b, 12, v);
      case kDecimal128:
        return Fixed(b, 16, v);
      case kString:
      case kCode:
      case kSymbol:
        return LenStr(b, &v->s);
      case kDocument:
      case kArray:
        return Sub(b, depth, v);
      case kUndefined:
      case kNull:
      case kMinKey:
      case kMaxKey:
        return true;
      case kBinary: {
        std::string_view head, data;
        if (!Take(b, 5, &head)) return false;
        const int32_t n = Le32(head.data());
        if (n < 0) return Fail(Error::kBadLength);
        v->subtype = static_cast<uint8_t>(head[4]);
        if (!Take(b, static_cast<size_t>(n), &data)) return false;
        v->s = std::string(data);
        return true;
      }
      case kRegex: {
        std::string opts;
        return CStr(b, &v->s) && CStr(b, &opts);
      }
      case kDbPointer: {
        std::string_view oid;
        return LenStr(b, &v->s) && Take(b, 12, &oid);
      }
      case kCodeWScope: {
        std::string_view head;
        if (!Take(b, 4, &head)) return false;
        return LenStr(b, &v->s) && Sub(b, depth, v);
      }
      default:
        return Fail(Error::kBadType);
    }
  }

  const Limits& lim_;
  Error* err_;

 public:
  size_t elements_ = 0;
};

void Put32(std::string* o, int32_t v) {
  for (int n = 0; n < 4; ++n)
    o->push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * n)) & 0xFF));
}
void Put64(std::string* o, int64_t v) {
  for (int n = 0; n < 8; ++n)
    o->push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * n)) & 0xFF));
}

void EncodeInto(const Value& doc, std::string* o);

void EncodeValue(const Value& v, std::string* o) {
  switch (v.type) {
    case kDouble: {
      char raw[8];
      std::memcpy(raw, &v.d, 8);
      o->append(raw, 8);
      return;
    }
    case kString:
    case kCode:
    case kSymbol:
      Put32(o, static_cast<int32_t>(v.s.size() + 1));
      *o += v.s;
      o->push_back('\0');
      return;
    case kDocument:
    case kArray:
      return EncodeInto(v, o);
    case kBinary:
      Put32(o, static_cast<int32_t>(v.s.size()));
      o->push_back(static_cast<char>(v.subtype));
      *o += v.s;
      return;
    case kObjectId:
    case kDecimal128:
      *o += v.s;
      return;
    case kBool:
      o->push_back(v.b ? 1 : 0);
      return;
    case kInt32:
      Put32(o, static_cast<int32_t>(v.i));
      return;
    case kDate:
    case kTimestamp:
    case kInt64:
      Put64(o, v.i);
      return;
    default:
      return;  // null, undefined, min/max key: no payload (others are never written)
  }
}

void EncodeInto(const Value& doc, std::string* o) {
  const size_t start = o->size();
  Put32(o, 0);
  for (const Elem& e : doc.kids) {
    const bool writable =
        e.val.type != kRegex && e.val.type != kDbPointer && e.val.type != kCodeWScope;
    o->push_back(static_cast<char>(writable ? e.val.type : uint8_t{kNull}));
    *o += e.key;
    o->push_back('\0');
    if (writable) EncodeValue(e.val, o);
  }
  o->push_back('\0');
  const auto len = static_cast<uint32_t>(o->size() - start);
  for (int n = 0; n < 4; ++n) (*o)[start + n] = static_cast<char>((len >> (8 * n)) & 0xFF);
}

void Quote(std::string_view s, std::string* o) {
  o->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') o->push_back('\\');
    o->push_back(c);
  }
  o->push_back('"');
}

void TextInto(const Value& v, std::string* o, size_t max) {
  if (o->size() > max) return;
  char num[64];
  switch (v.type) {
    case kString:
    case kCode:
    case kSymbol:
    case kRegex:
      return Quote(v.s, o);
    case kInt32:
    case kInt64:
      *o += std::to_string(v.i);
      return;
    case kDouble:
      std::snprintf(num, sizeof num, "%.17g", v.d);
      *o += num;
      return;
    case kBool:
      *o += v.b ? "true" : "false";
      return;
    case kDate:
      *o += "{\"$date\":" + std::to_string(v.i) + "}";
      return;
    case kObjectId:
      *o += "{\"$oid\":\"";
      for (unsigned char c : v.s) {
        std::snprintf(num, sizeof num, "%02x", c);
        *o += num;
      }
      *o += "\"}";
      return;
    case kBinary:
      *o += "{\"$binary\":" + std::to_string(v.s.size()) + "}";
      return;
    case kDocument:
    case kArray: {
      const bool arr = v.type == kArray;
      o->push_back(arr ? '[' : '{');
      for (size_t n = 0; n < v.kids.size() && o->size() <= max; ++n) {
        if (n) o->push_back(',');
        if (!arr) {
          Quote(v.kids[n].key, o);
          o->push_back(':');
        }
        TextInto(v.kids[n].val, o, max);
      }
      o->push_back(arr ? ']' : '}');
      return;
    }
    default:
      *o += "null";
      return;
  }
}

}  // namespace

bool Parse(std::string_view in, const Limits& limits, Value* out, size_t* used, Error* err,
           size_t* elements) {
  *err = Error::kNone;
  *out = Value{};
  out->type = kDocument;
  Parser p(limits, err);
  const bool ok = p.Doc(in, 1, out, used);
  if (elements) *elements = p.elements_;
  return ok;
}

std::string Encode(const Value& doc) {
  std::string o;
  EncodeInto(doc, &o);
  return o;
}

std::string ToText(const Value& v, size_t max_bytes) {
  std::string o;
  TextInto(v, &o, max_bytes);
  if (o.size() > max_bytes) o.resize(max_bytes);
  return o;
}

}  // namespace decnet::services::db::bson
