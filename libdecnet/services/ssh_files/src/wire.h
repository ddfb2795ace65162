// Big-endian fields of the SFTP wire (uint32, uint64, string = uint32 length + bytes), read with
// bounds: every read fails instead of passing the end of the packet.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace decnet::services::ssh_files {

inline uint32_t LoadU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

inline void StoreU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (24 - 8 * i));
}

class WireReader {
 public:
  explicit WireReader(std::string_view data) : rest_(data) {}
  bool U8(uint8_t* v) {
    if (rest_.empty()) return false;
    *v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (rest_.size() < 4) return false;
    *v = LoadU32(rest_.data());
    rest_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    uint32_t hi, lo;
    if (rest_.size() < 8 || !U32(&hi) || !U32(&lo)) return false;
    *v = (uint64_t{hi} << 32) | lo;
    return true;
  }
  bool Str(std::string_view* s) {
    uint32_t len;
    if (rest_.size() < 4) return false;
    len = LoadU32(rest_.data());
    if (len > rest_.size() - 4) return false;
    *s = rest_.substr(4, len);
    rest_.remove_prefix(4 + static_cast<size_t>(len));
    return true;
  }
  size_t left() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

// Builds one packet: Finish() prefixes the uint32 length.
class WireWriter {
 public:
  WireWriter() : buf_(4, '\0') {}
  void U8(uint8_t v) { buf_ += static_cast<char>(v); }
  void U32(uint32_t v) {
    char b[4];
    StoreU32(b, v);
    buf_.append(b, 4);
  }
  void U64(uint64_t v) {
    U32(static_cast<uint32_t>(v >> 32));
    U32(static_cast<uint32_t>(v));
  }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    buf_.append(s);
  }
  // The bytes after the length (for strings made of fields).
  std::string Body() const { return buf_.substr(4); }
  const std::string& Finish() {
    StoreU32(buf_.data(), static_cast<uint32_t>(buf_.size() - 4));
    return buf_;
  }

 private:
  std::string buf_;
};

}  // namespace decnet::services::ssh_files
