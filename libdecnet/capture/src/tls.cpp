#include "decnet/capture/tls.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "decnet/capture/hash.h"

namespace decnet::capture {
namespace {

constexpr uint16_t kExtSni = 0x0000;
constexpr uint16_t kExtGroups = 0x000A;
constexpr uint16_t kExtPointFormats = 0x000B;
constexpr uint16_t kExtSigAlgs = 0x000D;
constexpr uint16_t kExtAlpn = 0x0010;
constexpr uint16_t kExtSessionTicket = 0x0023;
constexpr uint16_t kExtPsk = 0x0029;
constexpr uint16_t kExtEarlyData = 0x002A;
constexpr uint16_t kExtSupportedVersions = 0x002B;

// Reads a list of u16 preceded by a length of `len_bytes` (1 or 2) bytes.
bool ReadU16List(ByteReader& r, int len_bytes, std::vector<uint16_t>& out) {
  size_t n = len_bytes == 1 ? r.U8() : r.U16();
  ByteReader l(r.Take(n));
  if (!r.ok()) return false;
  while (l.remaining() >= 2) out.push_back(l.U16());
  return true;
}

bool ParseClientExtension(uint16_t type, Bytes data, ClientHello& out) {
  ByteReader r(data);
  switch (type) {
    case kExtSni: {
      out.has_sni = true;
      ByteReader list(r.Take(r.U16()));
      while (r.ok() && list.remaining() > 0) {
        uint8_t name_type = list.U8();
        Bytes name = list.Take(list.U16());
        if (!list.ok()) return false;
        if (name_type == 0 && out.sni.empty()) out.sni.assign(AsChars(name));
      }
      return r.ok();
    }
    case kExtGroups:
      return ReadU16List(r, 2, out.groups);
    case kExtPointFormats: {
      Bytes f = r.Take(r.U8());
      out.point_formats.assign(f.begin(), f.end());
      return r.ok();
    }
    case kExtSigAlgs:
      return ReadU16List(r, 2, out.sig_algs);
    case kExtSupportedVersions:
      return ReadU16List(r, 1, out.versions);
    case kExtAlpn: {
      ByteReader list(r.Take(r.U16()));
      while (r.ok() && list.remaining() > 0) {
        Bytes p = list.Take(list.U8());
        if (!list.ok()) return false;
        out.alpn.emplace_back(AsChars(p));
      }
      return r.ok();
    }
    case kExtSessionTicket:
      out.has_session_ticket_data = !data.empty();
      return true;
    case kExtPsk:
      out.has_psk = true;
      return true;
    case kExtEarlyData:
      out.has_early_data = true;
      return true;
    default:
      return true;
  }
}

// Reads type(1) + length(3) and returns the body, or fails.
bool HandshakeBody(Bytes msg, uint8_t want_type, Bytes& body) {
  ByteReader r(msg);
  uint8_t type = r.U8();
  uint32_t len = r.U24();
  body = r.Take(len);
  return r.ok() && type == want_type;
}

// Hot in JA4 (every cipher and extension): no printf.
void AppendHex4(std::string& s, uint16_t v) {
  static const char kHex[] = "0123456789abcdef";
  char b[4] = {kHex[v >> 12], kHex[(v >> 8) & 15], kHex[(v >> 4) & 15], kHex[v & 15]};
  s.append(b, 4);
}

std::string Hex4(uint16_t v) {
  std::string s;
  AppendHex4(s, v);
  return s;
}

template <typename T>
std::string JoinDecimal(const std::vector<T>& v, bool skip_grease) {
  std::string s;
  for (T x : v) {
    if (skip_grease && IsGrease(uint16_t(x))) continue;
    if (!s.empty()) s.push_back('-');
    s += std::to_string(unsigned(x));
  }
  return s;
}

std::string JoinHex(const std::vector<uint16_t>& v) {
  std::string s;
  s.reserve(v.size() * 5);
  for (uint16_t x : v) {
    if (!s.empty()) s.push_back(',');
    AppendHex4(s, x);
  }
  return s;
}

std::vector<uint16_t> WithoutGrease(const std::vector<uint16_t>& v) {
  std::vector<uint16_t> out;
  out.reserve(v.size());
  for (uint16_t x : v)
    if (!IsGrease(x)) out.push_back(x);
  return out;
}

std::string Ja4Version(uint16_t v) {
  switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xFEFF: return "d1";
    case 0xFEFD: return "d2";
    case 0xFEFC: return "d3";
    default: return "00";
  }
}

std::string TwoDigits(size_t n) {
  n = std::min<size_t>(n, 99);
  return {char('0' + n / 10), char('0' + n % 10)};
}

// First and last characters of the ALPN value; hex digits when either is not alphanumeric (FoxIO spec).
std::string Ja4Alpn(const std::string& alpn) {
  if (alpn.empty()) return "00";
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (alnum(alpn.front()) && alnum(alpn.back())) return {alpn.front(), alpn.back()};
  static const char kHex[] = "0123456789abcdef";
  unsigned char f = static_cast<unsigned char>(alpn.front());
  unsigned char l = static_cast<unsigned char>(alpn.back());
  return {kHex[f >> 4], kHex[l & 15]};
}

}  // namespace

bool ParseClientHello(Bytes msg, ClientHello& out) {
  Bytes body;
  if (!HandshakeBody(msg, 1, body)) return false;
  ByteReader r(body);
  out.legacy_version = r.U16();
  r.Skip(32);
  out.session_id_len = r.U8();
  r.Skip(out.session_id_len);
  if (!ReadU16List(r, 2, out.ciphers)) return false;
  r.Skip(r.U8());  // compression methods
  if (!r.ok()) return false;
  if (r.remaining() < 2) return true;  // no extensions (SSLv3-style hello)
  ByteReader exts(r.Take(r.U16()));
  if (!r.ok()) return false;
  while (exts.remaining() >= 4) {
    uint16_t type = exts.U16();
    Bytes data = exts.Take(exts.U16());
    if (!exts.ok()) return false;
    out.extensions.push_back(type);
    if (!ParseClientExtension(type, data, out)) return false;
  }
  return true;
}

bool ParseServerHello(Bytes msg, ServerHello& out) {
  Bytes body;
  if (!HandshakeBody(msg, 2, body)) return false;
  ByteReader r(body);
  out.legacy_version = r.U16();
  r.Skip(32);
  r.Skip(r.U8());
  out.cipher = r.U16();
  r.U8();  // compression
  if (!r.ok()) return false;
  if (r.remaining() < 2) return true;
  ByteReader exts(r.Take(r.U16()));
  if (!r.ok()) return false;
  while (exts.remaining() >= 4) {
    uint16_t type = exts.U16();
    ByteReader d(exts.Take(exts.U16()));
    if (!exts.ok()) return false;
    out.extensions.push_back(type);
    if (type == kExtSupportedVersions) {
      out.selected_version = d.U16();
    } else if (type == kExtAlpn) {
      d.U16();
      Bytes p = d.Take(d.U8());
      if (d.ok()) out.alpn.assign(AsChars(p));
    }
  }
  return true;
}

Ja3 ComputeJa3(const ClientHello& ch) {
  Ja3 j;
  j.text = std::to_string(ch.legacy_version) + ',' + JoinDecimal(ch.ciphers, true) + ',' +
           JoinDecimal(ch.extensions, true) + ',' + JoinDecimal(ch.groups, true) + ',' +
           JoinDecimal(ch.point_formats, false);
  j.md5 = Md5Hex(j.text);
  return j;
}

Ja3 ComputeJa3s(const ServerHello& sh) {
  Ja3 j;
  j.text = std::to_string(sh.legacy_version) + ',' + std::to_string(sh.cipher) + ',' +
           JoinDecimal(sh.extensions, true);
  j.md5 = Md5Hex(j.text);
  return j;
}

Ja4 ComputeJa4(const ClientHello& ch, char transport) {
  std::vector<uint16_t> ciphers = WithoutGrease(ch.ciphers);
  std::vector<uint16_t> exts = WithoutGrease(ch.extensions);
  std::vector<uint16_t> sigs = WithoutGrease(ch.sig_algs);
  uint16_t version = ch.legacy_version;
  std::vector<uint16_t> versions = WithoutGrease(ch.versions);
  if (!versions.empty()) version = *std::max_element(versions.begin(), versions.end());

  std::string a;
  a.push_back(transport);
  a += Ja4Version(version);
  a.push_back(ch.has_sni ? 'd' : 'i');
  a += TwoDigits(ciphers.size());
  a += TwoDigits(exts.size());
  a += Ja4Alpn(ch.alpn.empty() ? std::string() : ch.alpn.front());

  std::string sig_part = sigs.empty() ? std::string() : '_' + JoinHex(sigs);
  auto ext_part = [&](std::vector<uint16_t> e) {
    return e.empty() ? std::string() : JoinHex(e) + sig_part;
  };
  std::vector<uint16_t> sorted_ciphers = ciphers;
  std::sort(sorted_ciphers.begin(), sorted_ciphers.end());
  std::vector<uint16_t> sorted_exts;
  for (uint16_t e : exts)
    if (e != kExtSni && e != kExtAlpn) sorted_exts.push_back(e);
  std::sort(sorted_exts.begin(), sorted_exts.end());

  std::string b_sorted = JoinHex(sorted_ciphers), c_sorted = ext_part(sorted_exts);
  std::string b_orig = JoinHex(ciphers), c_orig = ext_part(exts);
  Ja4 j;
  j.ja4 = a + '_' + Sha256Hex12(b_sorted) + '_' + Sha256Hex12(c_sorted);
  j.ja4_r = a + '_' + b_sorted + '_' + c_sorted;
  j.ja4_o = a + '_' + Sha256Hex12(b_orig) + '_' + Sha256Hex12(c_orig);
  j.ja4_ro = a + '_' + b_orig + '_' + c_orig;
  return j;
}

Ja4s ComputeJa4s(const ServerHello& sh, char transport) {
  std::vector<uint16_t> exts = WithoutGrease(sh.extensions);
  std::string a;
  a.push_back(transport);
  a += Ja4Version(sh.selected_version ? sh.selected_version : sh.legacy_version);
  a += TwoDigits(exts.size());
  a += Ja4Alpn(sh.alpn);
  a += '_' + Hex4(sh.cipher);
  std::string e = JoinHex(exts);
  return Ja4s{a + '_' + Sha256Hex12(e), a + '_' + e};
}

std::string TlsVersionName(uint16_t v) {
  switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1.0";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: return "0x" + Hex4(v);
  }
}

size_t CollectHandshakeBytes(Bytes stream, std::vector<uint8_t>& handshake, size_t max_bytes,
                             bool* non_handshake, size_t* ccs_at) {
  *non_handshake = false;
  if (ccs_at) *ccs_at = SIZE_MAX;
  size_t used = 0;
  while (stream.size() - used >= 5) {
    const uint8_t* h = &stream[used];
    if (h[0] == 20 && stream.size() - used - 5 >= Load16(h + 3)) {
      if (ccs_at && *ccs_at == SIZE_MAX) *ccs_at = handshake.size();
      used += 5 + Load16(h + 3);
      continue;
    }
    if (h[0] != 22) {
      *non_handshake = true;
      break;
    }
    size_t len = Load16(h + 3);
    if (stream.size() - used - 5 < len) break;
    size_t room = max_bytes > handshake.size() ? max_bytes - handshake.size() : 0;
    handshake.insert(handshake.end(), h + 5, h + 5 + std::min(len, room));
    used += 5 + len;
  }
  return used;
}

Bytes FindHandshakeMessage(Bytes handshake, uint8_t type, bool* incomplete) {
  *incomplete = false;
  size_t pos = 0;
  while (handshake.size() - pos >= 4) {
    size_t len = size_t(handshake[pos + 1]) << 16 | size_t(handshake[pos + 2]) << 8 |
                 handshake[pos + 3];
    if (handshake.size() - pos - 4 < len) {
      *incomplete = true;
      return {};
    }
    if (handshake[pos] == type) return handshake.subspan(pos, 4 + len);
    pos += 4 + len;
  }
  *incomplete = pos < handshake.size() || handshake.empty();
  return {};
}

}  // namespace decnet::capture
