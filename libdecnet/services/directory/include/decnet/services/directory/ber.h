// A bounded subset of BER (X.690) as LDAPv3 uses it (RFC 4511 §5.1): single-byte tags, definite
// lengths only (short form, or long form of at most 4 length octets), so every length is checked
// against what is actually there before anything is copied. Indefinite lengths, reserved length
// octets and high tag numbers are errors: RFC 4511 forbids them, and a server answers them with a
// protocolError or a disconnect.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace decnet::services::directory::ber {

// One element: the identifier octet (class, constructed bit and tag number together) and its value.
struct Tlv {
  uint8_t tag = 0;
  std::string_view value;
  bool constructed() const { return (tag & 0x20) != 0; }
};

enum class Status : uint8_t { kOk, kNeedMore, kError };

// Reads the element at `*pos` of `in`; on kOk `*pos` moves past it. kNeedMore: `in` ends inside the
// element (only meaningful for a stream); kError: not BER we accept, or a length above `max_len`.
Status ReadTlv(std::string_view in, size_t* pos, Tlv* out, size_t max_len);

// The elements of a constructed value, one by one; any error sticks (ok() false) and every later
// read fails, so a caller checks once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ >= in_.size(); }
  // The next element, whatever its tag; or one with exactly `tag`.
  std::optional<Tlv> Next();
  std::optional<Tlv> Expect(uint8_t tag);
  // The next element only when its tag is `tag` (OPTIONAL fields); never an error when absent.
  std::optional<Tlv> Optional(uint8_t tag);
  // INTEGER / ENUMERATED (two's complement, at most 8 octets), OCTET STRING, BOOLEAN.
  std::optional<int64_t> Int(uint8_t tag = 0x02);
  std::optional<std::string_view> Octets(uint8_t tag = 0x04);
  std::optional<bool> Bool(uint8_t tag = 0x01);

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Decodes a signed integer value (1..8 octets).
std::optional<int64_t> DecodeInt(std::string_view v);

// Writing: each function returns one encoded element (minimal definite lengths).
std::string Encode(uint8_t tag, std::string_view value);
std::string Int(int64_t v, uint8_t tag = 0x02);
inline std::string Enum(int64_t v) { return Int(v, 0x0A); }
inline std::string Octets(std::string_view v, uint8_t tag = 0x04) { return Encode(tag, v); }
// A constructed element with the 4-octet long-form length (0x84) that OpenLDAP's liblber and Active
// Directory both write, so scanners that match on the exact bytes see a real server.
std::string Seq(uint8_t tag, std::string_view body);
inline std::string Bool(bool v) { return Encode(0x01, v ? "\xff" : std::string_view("\0", 1)); }

// Splits a byte stream into whole top-level elements (LDAPMessages) of at most `max_len` bytes of
// value. Once failed() the stream is unusable (nothing tells where the next element starts).
class Framer {
 public:
  explicit Framer(size_t max_len) : max_(max_len) {}
  void Feed(std::string_view bytes) { buf_.append(bytes); }
  // The next whole element (tag, length and value), or nullopt (need more, or failed()).
  std::optional<std::string> Next();
  bool failed() const { return failed_; }
  size_t buffered() const { return buf_.size(); }

 private:
  size_t max_;
  bool failed_ = false;
  std::string buf_;
};

}  // namespace decnet::services::directory::ber
