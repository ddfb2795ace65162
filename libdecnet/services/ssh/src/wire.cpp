#include "decnet/services/ssh/wire.h"

namespace decnet::services::ssh {

bool Reader::Take(size_t n, std::string_view* out) {
  if (!ok_ || data_.size() - pos_ < n) {
    ok_ = false;
    return false;
  }
  *out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::U8(uint8_t* out) {
  std::string_view b;
  if (!Take(1, &b)) return false;
  *out = static_cast<uint8_t>(b[0]);
  return true;
}

bool Reader::Bool(bool* out) {
  uint8_t v = 0;
  if (!U8(&v)) return false;
  *out = v != 0;
  return true;
}

bool Reader::U32(uint32_t* out) {
  std::string_view b;
  if (!Take(4, &b)) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  *out = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  return true;
}

bool Reader::Str(std::string_view* out) {
  uint32_t n = 0;
  return U32(&n) && Take(n, out);
}

std::string_view Reader::Rest() {
  if (!ok_) return {};
  std::string_view r = data_.substr(pos_);
  pos_ = data_.size();
  return r;
}

Writer& Writer::U8(uint8_t v) {
  buf_.push_back(static_cast<char>(v));
  return *this;
}

Writer& Writer::U32(uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) buf_.push_back(static_cast<char>((v >> s) & 0xff));
  return *this;
}

Writer& Writer::U64(uint64_t v) {
  U32(static_cast<uint32_t>(v >> 32));
  return U32(static_cast<uint32_t>(v));
}

Writer& Writer::Str(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  buf_.append(s);
  return *this;
}

Writer& Writer::Raw(std::string_view s) {
  buf_.append(s);
  return *this;
}

Writer& Writer::Mpint(std::string_view m) {
  size_t i = 0;
  while (i < m.size() && m[i] == 0) ++i;
  m.remove_prefix(i);
  const bool pad = !m.empty() && (static_cast<uint8_t>(m[0]) & 0x80);
  U32(static_cast<uint32_t>(m.size() + (pad ? 1 : 0)));
  if (pad) buf_.push_back(0);
  buf_.append(m);
  return *this;
}

std::vector<std::string_view> SplitNames(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    const size_t c = list.find(',');
    out.push_back(list.substr(0, c));
    if (c == std::string_view::npos) break;
    list.remove_prefix(c + 1);
  }
  return out;
}

bool HasName(std::string_view list, std::string_view name) {
  for (std::string_view n : SplitNames(list)) {
    if (n == name) return true;
  }
  return false;
}

std::string Negotiate(std::string_view client, std::string_view server) {
  for (std::string_view c : SplitNames(client)) {
    if (!c.empty() && HasName(server, c)) return std::string(c);
  }
  return {};
}

}  // namespace decnet::services::ssh
