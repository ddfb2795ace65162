// Builds test frames (Ethernet/IPv4/IPv6 + TCP/UDP) byte by byte.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace decnet::capture::testing {

using Buf = std::vector<uint8_t>;

inline void Put16(Buf& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void Put32(Buf& b, uint32_t v) {
  Put16(b, uint16_t(v >> 16));
  Put16(b, uint16_t(v));
}
inline void Append(Buf& b, const Buf& x) { b.insert(b.end(), x.begin(), x.end()); }
inline void Append(Buf& b, const std::string& x) { b.insert(b.end(), x.begin(), x.end()); }

struct TcpSpec {
  uint16_t sport = 40000, dport = 443;
  uint32_t seq = 1000, ack = 0;
  uint8_t flags = 0x18;
  uint16_t window = 64240;
  Buf options;
  Buf payload;
};

inline Buf Tcp(const TcpSpec& t) {
  Buf b;
  Put16(b, t.sport);
  Put16(b, t.dport);
  Put32(b, t.seq);
  Put32(b, t.ack);
  size_t opt = (t.options.size() + 3) / 4 * 4;
  b.push_back(uint8_t(((20 + opt) / 4) << 4));
  b.push_back(t.flags);
  Put16(b, t.window);
  Put16(b, 0);
  Put16(b, 0);
  Append(b, t.options);
  while (b.size() < 20 + opt) b.push_back(0);
  Append(b, t.payload);
  return b;
}

inline Buf Ipv4(const Buf& l4, uint8_t proto = 6, uint32_t src = 0x0A000001, uint32_t dst = 0x0A000002,
                uint8_t ttl = 64, uint16_t id = 1, bool df = true) {
  Buf b = {0x45, 0};
  Put16(b, uint16_t(20 + l4.size()));
  Put16(b, id);
  Put16(b, df ? 0x4000 : 0);
  b.push_back(ttl);
  b.push_back(proto);
  Put16(b, 0);
  Put32(b, src);
  Put32(b, dst);
  Append(b, l4);
  return b;
}

inline Buf Ipv6(const Buf& l4, uint8_t next = 6, const Buf& ext = {}) {
  Buf b;
  Put32(b, 0x60000000);
  Put16(b, uint16_t(l4.size() + ext.size()));
  b.push_back(next);
  b.push_back(64);
  for (int i = 0; i < 15; ++i) b.push_back(0);
  b.push_back(1);
  for (int i = 0; i < 15; ++i) b.push_back(0);
  b.push_back(2);
  Append(b, ext);
  Append(b, l4);
  return b;
}

inline Buf Ether(const Buf& l3, uint16_t type = 0x0800, std::initializer_list<uint16_t> vlans = {}) {
  Buf b(12, 0xAA);
  for (uint16_t v : vlans) {
    Put16(b, 0x8100);
    Put16(b, v);
  }
  Put16(b, type);
  Append(b, l3);
  return b;
}

// A TLS record holding one ClientHello with the given ciphers/extensions.
inline Buf ClientHelloRecord(const std::vector<uint16_t>& ciphers,
                             const std::vector<std::pair<uint16_t, Buf>>& exts,
                             uint16_t version = 0x0303) {
  Buf body;
  Put16(body, version);
  for (int i = 0; i < 32; ++i) body.push_back(uint8_t(i));
  body.push_back(0);  // session id
  Put16(body, uint16_t(ciphers.size() * 2));
  for (uint16_t c : ciphers) Put16(body, c);
  body.push_back(1);
  body.push_back(0);
  Buf e;
  for (const auto& [type, data] : exts) {
    Put16(e, type);
    Put16(e, uint16_t(data.size()));
    Append(e, data);
  }
  Put16(body, uint16_t(e.size()));
  Append(body, e);
  Buf hs = {1, uint8_t(body.size() >> 16), uint8_t(body.size() >> 8), uint8_t(body.size())};
  Append(hs, body);
  Buf rec = {22, 3, 1};
  Put16(rec, uint16_t(hs.size()));
  Append(rec, hs);
  return rec;
}

inline Buf SniExt(const std::string& host) {
  Buf b;
  Put16(b, uint16_t(host.size() + 3));
  b.push_back(0);
  Put16(b, uint16_t(host.size()));
  Append(b, host);
  return b;
}

}  // namespace decnet::capture::testing
