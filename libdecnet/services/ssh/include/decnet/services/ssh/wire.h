// SSH wire encodings (RFC 4251 §5): byte, boolean, uint32, uint64, string, mpint, name-list.
// Reader never reads past its input: a short or malformed field sets ok() false and every later
// read fails too, so a parser checks once at the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::services::ssh {

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool U8(uint8_t* out);
  bool Bool(bool* out);
  bool U32(uint32_t* out);
  bool Str(std::string_view* out);
  // The rest of the input (e.g. an opaque tail).
  std::string_view Rest();
  bool ok() const { return ok_; }
  bool empty() const { return pos_ >= data_.size(); }

 private:
  bool Take(size_t n, std::string_view* out);
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

class Writer {
 public:
  Writer& U8(uint8_t v);
  Writer& Bool(bool v) { return U8(v ? 1 : 0); }
  Writer& U32(uint32_t v);
  Writer& U64(uint64_t v);
  Writer& Str(std::string_view s);
  Writer& Raw(std::string_view s);
  // An unsigned big-endian magnitude as mpint (leading zeros dropped, a 0x00 added when the top bit
  // is set).
  Writer& Mpint(std::string_view magnitude);
  const std::string& data() const { return buf_; }
  std::string Take() { return std::move(buf_); }

 private:
  std::string buf_;
};

// Comma-separated name-list helpers.
std::vector<std::string_view> SplitNames(std::string_view list);
bool HasName(std::string_view list, std::string_view name);
// The first name of the client's list that the server's list also holds (RFC 4253 §7.1), or "".
std::string Negotiate(std::string_view client, std::string_view server);

}  // namespace decnet::services::ssh
