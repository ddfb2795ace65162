#include "decnet/core/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "decnet/core/text.h"

namespace decnet::json {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid (overlongs,
// surrogates and code points above U+10FFFF are invalid).
size_t Utf8SeqLen(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;
    if (c == 0xF4 && b(1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

void AppendQuoted(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      // Fast path: copy the run of plain ASCII at once.
      size_t j = i + 1;
      while (j < s.size()) {
        const unsigned char d = static_cast<unsigned char>(s[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      ++i;
      continue;
    }
    const size_t n = Utf8SeqLen(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for one invalid byte
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  out.push_back('"');
}

void AppendDouble(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  // The shortest text that reads back as the same double (std::to_chars, no locale, no printf).
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void JsonWriter::Key(std::string_view key) {
  if (out_.size() > 1) out_.push_back(',');
  AppendQuoted(out_, key);
  out_.push_back(':');
}

JsonWriter& JsonWriter::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendQuoted(out_, value);
  return *this;
}
JsonWriter& JsonWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}
JsonWriter& JsonWriter::Uint(std::string_view key, uint64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}
JsonWriter& JsonWriter::Double(std::string_view key, double value) {
  Key(key);
  AppendDouble(out_, value);
  return *this;
}
JsonWriter& JsonWriter::Bool(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::Null(std::string_view key) {
  Key(key);
  out_ += "null";
  return *this;
}
JsonWriter& JsonWriter::Raw(std::string_view key, std::string_view raw_json) {
  Key(key);
  out_.append(raw_json);
  return *this;
}
std::string JsonWriter::Finish() {
  out_.push_back('}');
  std::string done = std::move(out_);
  out_.assign(1, '{');
  return done;
}

namespace {

// Forwards rapidjson's SAX events to the Document that builds the DOM, and stops the parse (the
// handler returns false) as soon as objects/arrays nest deeper than the limit: one pass over the
// text instead of a separate scan for the depth first.
class DepthLimitedHandler {
 public:
  DepthLimitedHandler(rapidjson::Document& doc, int limit) : doc_(doc), limit_(limit) {}
  bool too_deep() const { return too_deep_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* str, rapidjson::SizeType len, bool copy) {
    return doc_.RawNumber(str, len, copy);
  }
  bool String(const char* str, rapidjson::SizeType len, bool copy) {
    return doc_.String(str, len, copy);
  }
  bool Key(const char* str, rapidjson::SizeType len, bool copy) { return doc_.Key(str, len, copy); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

 private:
  bool Enter() {
    if (++depth_ <= limit_) return true;
    too_deep_ = true;
    return false;
  }
  rapidjson::Document& doc_;
  int limit_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

Status Parse(std::string_view text, rapidjson::Document& doc, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return MakeError(Errc::kLimit, "JSON input of " + std::to_string(text.size()) +
                                       " bytes exceeds the limit of " +
                                       std::to_string(limits.max_bytes));
  }
  // UTF-8 is checked up front with an ASCII fast path; rapidjson's own check
  // (kParseValidateEncodingFlag) goes byte by byte and was a fifth of a bus client's CPU.
  if (!IsValidUtf8(text)) return MakeError(Errc::kInvalidArgument, "invalid JSON: not UTF-8");
  // The parser reads a NUL-terminated copy (below): a NUL inside would end the input early.
  if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
    return MakeError(Errc::kInvalidArgument,
                     "invalid JSON at byte " +
                         std::to_string(static_cast<const char*>(nul) - text.data()) +
                         ": NUL byte");
  }
  rapidjson::Reader reader;
  bool too_deep = false;
  auto generate = [&](rapidjson::Document& d) {
    DepthLimitedHandler handler(d, limits.max_depth);
    // A NUL-terminated copy: rapidjson's SSE2 string and whitespace scanners serve StringStream
    // only, not the length-bounded MemoryStream. The buffer is kept between calls.
    // 16 NULs, not one: the SSE2 scanner loads whole aligned 16-byte blocks, so the block holding the
    // terminator must lie inside the buffer (ASan flags the read otherwise).
    thread_local std::string terminated;
    terminated.assign(text.data(), text.size());
    terminated.append(16, '\0');
    rapidjson::StringStream is(terminated.c_str());
    reader.Parse<rapidjson::kParseIterativeFlag>(is, handler);
    if (terminated.capacity() > 64 * 1024)
      std::string().swap(terminated);  // no big buffer kept idle
    too_deep = handler.too_deep();
    return !reader.HasParseError();
  };
  doc.SetNull();
  doc.Populate(generate);
  if (too_deep) {
    return MakeError(Errc::kLimit, "JSON nesting deeper than " + std::to_string(limits.max_depth));
  }
  if (reader.HasParseError()) {
    return MakeError(Errc::kInvalidArgument,
                     std::string("invalid JSON at byte ") +
                         std::to_string(reader.GetErrorOffset()) + ": " +
                         rapidjson::GetParseError_En(reader.GetParseErrorCode()));
  }
  return Ok();
}

Status ParseObject(std::string_view text, rapidjson::Document& doc, const ParseLimits& limits) {
  Status st = Parse(text, doc, limits);
  if (!st) return st;
  if (!doc.IsObject()) return MakeError(Errc::kInvalidArgument, "JSON value is not an object");
  return Ok();
}

std::string_view GetString(const rapidjson::Value& obj, const char* key, std::string_view def) {
  if (!obj.IsObject()) return def;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return def;
  return {it->value.GetString(), it->value.GetStringLength()};
}

int64_t GetInt(const rapidjson::Value& obj, const char* key, int64_t def) {
  if (!obj.IsObject()) return def;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return def;
  if (it->value.IsInt64()) return it->value.GetInt64();
  if (it->value.IsDouble()) {
    const double d = it->value.GetDouble();
    if (d > -9.2e18 && d < 9.2e18) return static_cast<int64_t>(d);
  }
  return def;
}

double GetDouble(const rapidjson::Value& obj, const char* key, double def) {
  if (!obj.IsObject()) return def;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsNumber()) return def;
  return it->value.GetDouble();
}

std::string Serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace decnet::json
