// JSON helpers around RapidJSON (Debian rapidjson-dev, header-only).
//
// Why RapidJSON: its text cost is paid only by the code a worker instantiates, it parses iteratively (no
// recursion, so a nested-bracket bomb cannot blow the stack), and it is the fastest parser Debian ships
// (the ingester's 200 k rows/s goal). Writing is done by JsonWriter below, which always emits valid UTF-8
// JSON even from attacker bytes (invalid sequences become U+FFFD).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "decnet/core/result.h"

namespace decnet::json {

// Appends `s` as a quoted JSON string. Control characters are escaped; invalid UTF-8 bytes are replaced
// by U+FFFD so the output is always valid JSON.
void AppendQuoted(std::string& out, std::string_view s);

// Appends a double in the shortest form that round-trips ("1.5", "1700000000.123456"); NaN/Inf -> null.
void AppendDouble(std::string& out, double v);

// Builds one JSON object in a string. Keys are trusted (ASCII identifiers from our code); values are not.
// Usage: JsonWriter w; w.Str("a", x).Int("n", 3); std::string s = w.Finish();
class JsonWriter {
 public:
  JsonWriter() { out_.push_back('{'); }
  JsonWriter& Str(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, int64_t value);
  JsonWriter& Uint(std::string_view key, uint64_t value);
  JsonWriter& Double(std::string_view key, double value);
  JsonWriter& Bool(std::string_view key, bool value);
  JsonWriter& Null(std::string_view key);
  // `raw_json` must already be valid JSON (an object or array built by us).
  JsonWriter& Raw(std::string_view key, std::string_view raw_json);
  // Closes the object and returns it; the writer is empty afterwards.
  std::string Finish();

 private:
  void Key(std::string_view key);
  std::string out_;
};

struct ParseLimits {
  size_t max_bytes = 1 << 20;  // larger input is rejected before parsing
  int max_depth = 32;          // nesting of objects/arrays
};

// Parses `text` into `doc`. Fails (kInvalidArgument, with the byte offset) on invalid JSON, on input over
// max_bytes and on nesting deeper than max_depth. Never recurses on input depth.
Status Parse(std::string_view text, rapidjson::Document& doc, const ParseLimits& limits = {});

// As Parse, and also requires the top level to be an object.
Status ParseObject(std::string_view text, rapidjson::Document& doc, const ParseLimits& limits = {});

// Member accessors that tolerate absence and wrong types (attacker-written JSON).
std::string_view GetString(const rapidjson::Value& obj, const char* key, std::string_view def = {});
int64_t GetInt(const rapidjson::Value& obj, const char* key, int64_t def = 0);
double GetDouble(const rapidjson::Value& obj, const char* key, double def = 0);

// Serializes any RapidJSON value compactly.
std::string Serialize(const rapidjson::Value& v);

}  // namespace decnet::json
