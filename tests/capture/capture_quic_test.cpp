// QUIC Initial keys against RFC 9001 Appendix A, and decryption of protected Initials.
#include <gtest/gtest.h>

#include <string>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/quic.h"
#include "packet_builder.h"

namespace decnet::capture {
namespace {
using namespace testing;

template <size_t N>
std::string Hex(const std::array<uint8_t, N>& a) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : a) s += {d[b >> 4], d[b & 15]};
  return s;
}

const Buf kDcid = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

TEST(CaptureQuic, Rfc9001AppendixAClientKeys) {
  QuicKeys k = DeriveInitialKeys(kDcid, false);
  EXPECT_EQ(Hex(k.secret), "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
  EXPECT_EQ(Hex(k.key), "1f369613dd76d5467730efcbe3b1a22d");
  EXPECT_EQ(Hex(k.iv), "fa044b2f42a3fd3b46fb255c");
  EXPECT_EQ(Hex(k.hp), "9f50449e04a0e810283a1e9933adedd2");
}

TEST(CaptureQuic, Rfc9001AppendixAServerKeys) {
  QuicKeys k = DeriveInitialKeys(kDcid, true);
  EXPECT_EQ(Hex(k.secret), "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b");
  EXPECT_EQ(Hex(k.key), "cf3a5331653c364c88f0f379b6067e37");
  EXPECT_EQ(Hex(k.iv), "0ac1493ca1905853b0bba03e");
  EXPECT_EQ(Hex(k.hp), "c206b8d9b9f0f37644430b490eeaa314");
}

Buf CryptoFrame(uint64_t offset, const Buf& data) {
  Buf f = {0x06};
  f.push_back(uint8_t(0x40 | (offset >> 8)));
  f.push_back(uint8_t(offset));
  f.push_back(uint8_t(0x40 | (data.size() >> 8)));
  f.push_back(uint8_t(data.size()));
  Append(f, data);
  return f;
}

Buf Udp(const Buf& payload) {
  Buf u;
  Put16(u, 51000);
  Put16(u, 443);
  Put16(u, uint16_t(8 + payload.size()));
  Put16(u, 0);
  Append(u, payload);
  return Ipv4(u, 17);
}

TEST(CaptureQuic, ClientHelloAcrossTwoInitialsGivesQJa4) {
  Buf rec = ClientHelloRecord({0x1301, 0x1302}, {{0, SniExt("quic.test")}, {0x2b, {2, 3, 4}}});
  Buf hs(rec.begin() + 5, rec.end());
  size_t half = hs.size() / 2;
  Buf f1 = CryptoFrame(half, Buf(hs.begin() + half, hs.end()));  // second half first
  f1.resize(f1.size() + 40, 0);                                   // PADDING
  Buf f2 = CryptoFrame(0, Buf(hs.begin(), hs.begin() + half));
  f2.resize(f2.size() + 40, 0);
  Buf scid = {1, 2, 3, 4};
  std::vector<Event> events;
  Analyzer a({}, [&](const Event& e) { events.push_back(e); });
  for (const Buf& frames : {f1, f2}) {
    Buf pkt = ProtectClientInitialForTest(kDcid, scid, 0, frames);
    QuicInitial qi;
    ASSERT_TRUE(DecryptClientInitial(pkt, qi));
    EXPECT_EQ(qi.plaintext, frames);
    DecodedPacket p;
    Buf ip = Udp(pkt);
    ASSERT_EQ(Decode(kLinkRaw, ip, p), DecodeStatus::kOk);
    a.OnPacket(1.0, p);
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "quic_client_hello");
  EXPECT_EQ(*events[0].Get("sni"), "quic.test");
  EXPECT_EQ(events[0].Get("ja4")->substr(0, 10), "q13d0202" + std::string("00"));
}

TEST(CaptureQuic, HostileInitialsAreRejected) {
  Buf frames = CryptoFrame(0, Buf(30, 1));
  frames.resize(frames.size() + 40, 0);
  Buf pkt = ProtectClientInitialForTest(kDcid, {}, 7, frames);
  for (size_t n = 0; n < pkt.size(); ++n) {
    Buf cut(pkt.begin(), pkt.begin() + n);
    QuicInitial qi;
    EXPECT_FALSE(DecryptClientInitial(cut, qi));
  }
  for (size_t i = 0; i < pkt.size(); ++i) {
    Buf bad = pkt;
    bad[i] ^= 0x40;
    QuicInitial qi;
    EXPECT_FALSE(DecryptClientInitial(bad, qi)) << "byte " << i;
  }
  // Frames: a CRYPTO length past the end, an unknown frame type, a huge ACK range count.
  EXPECT_FALSE(ForEachCryptoFrame(Buf{0x06, 0, 0x40, 0xff, 1}, [](uint64_t, Bytes) {}));
  EXPECT_FALSE(ForEachCryptoFrame(Buf{0x30}, [](uint64_t, Bytes) {}));
  EXPECT_FALSE(ForEachCryptoFrame(Buf{0x02, 1, 0, 0x80, 0xff, 0xff, 0xff, 0}, [](uint64_t, Bytes) {}));
}

}  // namespace
}  // namespace decnet::capture
