// The bounded BER subset of ber.h.
#include "decnet/services/directory/ber.h"

namespace decnet::services::directory::ber {

Status ReadTlv(std::string_view in, size_t* pos, Tlv* out, size_t max_len) {
  size_t p = *pos;
  if (p >= in.size()) return Status::kNeedMore;
  const auto tag = static_cast<uint8_t>(in[p++]);
  if ((tag & 0x1F) == 0x1F) return Status::kError;  // high tag numbers: none in LDAP
  if (p >= in.size()) return Status::kNeedMore;
  const auto first = static_cast<uint8_t>(in[p++]);
  size_t len = first;
  if (first & 0x80) {
    const size_t n = first & 0x7F;
    // 0x80 is the indefinite form (forbidden by RFC 4511 §5.1); 0xFF is reserved; more than 4
    // octets cannot describe a message we would accept anyway.
    if (n == 0 || n > 4) return Status::kError;
    if (in.size() - p < n) return Status::kNeedMore;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | static_cast<uint8_t>(in[p++]);
  }
  if (len > max_len) return Status::kError;
  if (in.size() - p < len) return Status::kNeedMore;
  out->tag = tag;
  out->value = in.substr(p, len);
  *pos = p + len;
  return Status::kOk;
}

std::optional<Tlv> Reader::Next() {
  if (!ok_ || done()) {
    ok_ = false;
    return std::nullopt;
  }
  Tlv t;
  // Inside a whole message, "need more" means the inner length overruns its parent: an error.
  if (ReadTlv(in_, &pos_, &t, in_.size()) != Status::kOk) {
    ok_ = false;
    return std::nullopt;
  }
  return t;
}

std::optional<Tlv> Reader::Expect(uint8_t tag) {
  auto t = Next();
  if (t && t->tag != tag) {
    ok_ = false;
    return std::nullopt;
  }
  return t;
}

std::optional<Tlv> Reader::Optional(uint8_t tag) {
  if (!ok_ || done() || static_cast<uint8_t>(in_[pos_]) != tag) return std::nullopt;
  return Next();
}

std::optional<int64_t> DecodeInt(std::string_view v) {
  if (v.empty() || v.size() > 8) return std::nullopt;
  int64_t r = static_cast<int8_t>(v[0]);  // sign-extends the first octet
  for (size_t i = 1; i < v.size(); ++i)
    r = static_cast<int64_t>(static_cast<uint64_t>(r) << 8 | static_cast<uint8_t>(v[i]));
  return r;
}

std::optional<int64_t> Reader::Int(uint8_t tag) {
  auto t = Expect(tag);
  if (!t) return std::nullopt;
  auto v = DecodeInt(t->value);
  if (!v) ok_ = false;
  return v;
}

std::optional<std::string_view> Reader::Octets(uint8_t tag) {
  auto t = Expect(tag);
  if (!t) return std::nullopt;
  return t->value;
}

std::optional<bool> Reader::Bool(uint8_t tag) {
  auto t = Expect(tag);
  if (!t || t->value.size() != 1) {
    ok_ = false;
    return std::nullopt;
  }
  return t->value[0] != 0;
}

std::string Encode(uint8_t tag, std::string_view value) {
  std::string out(1, static_cast<char>(tag));
  const size_t n = value.size();
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
  } else {
    int octets = 0;
    for (size_t x = n; x; x >>= 8) ++octets;
    out.push_back(static_cast<char>(0x80 | octets));
    for (int i = octets - 1; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  }
  out.append(value);
  return out;
}

std::string Seq(uint8_t tag, std::string_view body) {
  std::string out(1, static_cast<char>(tag));
  out.push_back(static_cast<char>(0x84));
  const auto n = static_cast<uint32_t>(body.size());
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out.append(body);
  return out;
}

std::string Int(int64_t v, uint8_t tag) {
  std::string b;
  // Big-endian two's complement, minimal: drop leading octets that only repeat the sign.
  for (int i = 7; i >= 0; --i)
    b.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF));
  size_t skip = 0;
  while (skip < 7) {
    const auto a = static_cast<uint8_t>(b[skip]), n = static_cast<uint8_t>(b[skip + 1]);
    if ((a == 0x00 && !(n & 0x80)) || (a == 0xFF && (n & 0x80)))
      ++skip;
    else
      break;
  }
  return Encode(tag, std::string_view(b).substr(skip));
}

std::optional<std::string> Framer::Next() {
  if (failed_) return std::nullopt;
  size_t pos = 0;
  Tlv t;
  switch (ReadTlv(buf_, &pos, &t, max_)) {
    case Status::kNeedMore:
      return std::nullopt;
    case Status::kError:
      failed_ = true;
      buf_.clear();
      return std::nullopt;
    case Status::kOk:
      break;
  }
  std::string out = buf_.substr(0, pos);
  buf_.erase(0, pos);
  return out;
}

}  // namespace decnet::services::directory::ber
