// A bounded BSON reader and writer (bsonspec.org 1.1) for the mongodb service: attacker bytes are
// parsed into a small tree with a depth bound and an element budget, so a 10,000-level document or
// a million tiny elements fail cleanly instead of exhausting the stack or the heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::services::db::bson {

enum Type : uint8_t {
  kDouble = 0x01,
  kString = 0x02,
  kDocument = 0x03,
  kArray = 0x04,
  kBinary = 0x05,
  kUndefined = 0x06,
  kObjectId = 0x07,
  kBool = 0x08,
  kDate = 0x09,
  kNull = 0x0A,
  kRegex = 0x0B,
  kDbPointer = 0x0C,
  kCode = 0x0D,
  kSymbol = 0x0E,
  kCodeWScope = 0x0F,
  kInt32 = 0x10,
  kTimestamp = 0x11,
  kInt64 = 0x12,
  kDecimal128 = 0x13,
  kMinKey = 0xFF,
  kMaxKey = 0x7F,
};

struct Elem;

// One value. Scalars live in `i`/`d`/`b`; strings, binaries, ObjectIds and other raw payloads in
// `s` (the exact bytes); documents and arrays in `kids` (array keys are "0", "1", ...).
struct Value {
  uint8_t type = kNull;
  uint8_t subtype = 0;  // binary subtype
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<Elem> kids;

  static Value Str(std::string_view v);
  static Value I32(int32_t v);
  static Value I64(int64_t v);
  static Value Dbl(double v);
  static Value Bool(bool v);
  static Value Null();
  static Value Date(int64_t ms);
  static Value Oid(std::string_view twelve_bytes);
  static Value Bin(std::string_view bytes, uint8_t subtype = 0);
  static Value Doc(std::initializer_list<Elem> elems);
  static Value Arr(std::vector<Value> items);

  // The member named `key` of a document, or nullptr.
  const Value* Get(std::string_view key) const;
  // A number of any numeric type as int64 (truncated), or `def`.
  int64_t AsInt(int64_t def = 0) const;
  bool IsNumber() const;
  bool IsDoc() const { return type == kDocument || type == kArray; }
};

struct Elem {
  std::string key;
  Value val;
};

struct Limits {
  size_t max_depth = 100;       // nesting of documents/arrays (mongod allows 200)
  size_t max_elements = 20000;  // elements in one parse, all levels
};

enum class Error : uint8_t {
  kNone,
  kTruncated,
  kBadLength,
  kBadType,
  kTooDeep,
  kTooMany,
  kBadString
};
const char* ErrorName(Error e);

// Parses one whole document from the start of `in`; `*used` gets its length and `*elements` (when
// given) the documents and elements it counted against limits.max_elements, so a caller parsing
// several documents of one message can share one budget. On failure `*err` says why and `out` is
// unspecified.
bool Parse(std::string_view in, const Limits& limits, Value* out, size_t* used, Error* err,
           size_t* elements = nullptr);

// Encodes a document (or an array) as BSON.
std::string Encode(const Value& doc);

// A relaxed Extended JSON-like text of a value for logs, cut after `max_bytes`.
std::string ToText(const Value& v, size_t max_bytes = 4096);

}  // namespace decnet::services::db::bson
