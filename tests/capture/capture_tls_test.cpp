// TLS parsing and JA3/JA4 on built ClientHellos, and hostile handshakes.
#include <gtest/gtest.h>

#include "decnet/capture/hash.h"
#include "decnet/capture/tls.h"
#include "packet_builder.h"

namespace decnet::capture {
namespace {
using namespace testing;

Bytes Msg(const Buf& record) { return Bytes(record).subspan(5); }

TEST(CaptureTls, Grease) {
  EXPECT_TRUE(IsGrease(0x0a0a));
  EXPECT_TRUE(IsGrease(0xfafa));
  EXPECT_FALSE(IsGrease(0x0a1a));
  EXPECT_FALSE(IsGrease(0x1301));
}

TEST(CaptureTls, Ja3AndJa4OfBuiltHello) {
  Buf alpn = {0, 3, 2, 'h', '2'};
  Buf groups = {0, 4, 0x0a, 0x0a, 0, 29};
  Buf sigs = {0, 4, 4, 3, 8, 4};
  Buf versions = {4, 0x0a, 0x0a, 3, 4};
  Buf rec = ClientHelloRecord({0x0a0a, 0x1301, 0xc02b},
                              {{0x0a0a, {}}, {0, SniExt("x.test")}, {0x10, alpn}, {0x0a, groups},
                               {0x0b, {1, 0}}, {0x0d, sigs}, {0x2b, versions}});
  ClientHello ch;
  ASSERT_TRUE(ParseClientHello(Msg(rec), ch));
  EXPECT_EQ(ch.sni, "x.test");
  ASSERT_EQ(ch.alpn.size(), 1u);
  EXPECT_EQ(ch.alpn[0], "h2");
  Ja3 j = ComputeJa3(ch);
  EXPECT_EQ(j.text, "771,4865-49195,0-16-10-11-13-43,29,0");
  EXPECT_EQ(j.md5, Md5Hex(j.text));
  Ja4 f = ComputeJa4(ch, 't');
  EXPECT_EQ(f.ja4_r, "t13d0206h2_1301,c02b_000a,000b,000d,002b_0403,0804");
  EXPECT_EQ(f.ja4_ro, "t13d0206h2_1301,c02b_0000,0010,000a,000b,000d,002b_0403,0804");
  EXPECT_EQ(f.ja4.substr(0, 11), "t13d0206h2_");
  EXPECT_EQ(f.ja4.substr(11, 12), Sha256Hex12("1301,c02b"));
  Ja4 q = ComputeJa4(ch, 'q');
  EXPECT_EQ(q.ja4[0], 'q');
}

TEST(CaptureTls, Ja4NoSniNoAlpnNonAlnumAlpn) {
  Buf alpn = {0, 4, 3, '!', 'x', 0xff};
  ClientHello ch;
  ASSERT_TRUE(ParseClientHello(Msg(ClientHelloRecord({0x002f}, {{0x10, alpn}}, 0x0301)), ch));
  Ja4 f = ComputeJa4(ch, 't');
  EXPECT_EQ(f.ja4.substr(0, 10), "t10i0101" + std::string("2f"));
  ClientHello empty;
  ASSERT_TRUE(ParseClientHello(Msg(ClientHelloRecord({}, {})), empty));
  EXPECT_EQ(ComputeJa4(empty, 't').ja4, "t12i000000_000000000000_000000000000");
}

TEST(CaptureTls, ServerHelloJa3sJa4s) {
  Buf body;
  Put16(body, 0x0303);
  body.resize(body.size() + 32, 7);
  body.push_back(0);
  Put16(body, 0x1301);
  body.push_back(0);
  Buf exts = {0, 0x2b, 0, 2, 3, 4, 0, 0x10, 0, 5, 0, 3, 2, 'h', '2'};
  Put16(body, uint16_t(exts.size()));
  Append(body, exts);
  Buf msg = {2, 0, 0, uint8_t(body.size())};
  Append(msg, body);
  ServerHello sh;
  ASSERT_TRUE(ParseServerHello(msg, sh));
  EXPECT_EQ(sh.selected_version, 0x0304);
  EXPECT_EQ(sh.alpn, "h2");
  EXPECT_EQ(ComputeJa3s(sh).text, "771,4865,43-16");
  Ja4s s = ComputeJa4s(sh, 't');
  EXPECT_EQ(s.ja4s_r, "t1302h2_1301_002b,0010");
}

TEST(CaptureTls, HostileHellosAreRejectedNotOverread) {
  Buf rec = ClientHelloRecord({0x1301, 0x1302}, {{0, SniExt("a.b")}, {0x10, {0, 3, 2, 'h', '2'}}});
  Buf msg(rec.begin() + 5, rec.end());
  // Every truncation.
  for (size_t n = 0; n < msg.size(); ++n) {
    Buf cut(msg.begin(), msg.begin() + n);
    ClientHello ch;
    ParseClientHello(cut, ch);  // must not crash or over-read (ASan)
  }
  // Every single-byte corruption to 0xff.
  for (size_t i = 0; i < msg.size(); ++i) {
    Buf bad = msg;
    bad[i] = 0xff;
    ClientHello ch;
    ParseClientHello(bad, ch);
    ServerHello sh;
    ParseServerHello(bad, sh);
  }
  // Inner lengths larger than the message.
  Buf bad_sni = ClientHelloRecord({1}, {{0, {0xff, 0xff, 0}}});
  ClientHello ch;
  EXPECT_FALSE(ParseClientHello(Msg(bad_sni), ch));
}

TEST(CaptureTls, HandshakeSpanningRecords) {
  Buf rec = ClientHelloRecord({0x1301}, {{0, SniExt("split.test")}});
  Buf hs(rec.begin() + 5, rec.end());
  // Split the handshake message into two records.
  Buf stream = {22, 3, 1, 0, 10};
  stream.insert(stream.end(), hs.begin(), hs.begin() + 10);
  Buf r2 = {22, 3, 1};
  Put16(r2, uint16_t(hs.size() - 10));
  r2.insert(r2.end(), hs.begin() + 10, hs.end());
  Append(stream, r2);
  std::vector<uint8_t> out;
  bool non_hs = false;
  EXPECT_EQ(CollectHandshakeBytes(stream, out, 1 << 16, &non_hs), stream.size());
  bool incomplete = false;
  Bytes m = FindHandshakeMessage(out, 1, &incomplete);
  ASSERT_FALSE(m.empty());
  ClientHello ch;
  ASSERT_TRUE(ParseClientHello(m, ch));
  EXPECT_EQ(ch.sni, "split.test");
  // Only the first record: incomplete.
  out.clear();
  CollectHandshakeBytes(Bytes(stream).first(15), out, 1 << 16, &non_hs);
  EXPECT_TRUE(FindHandshakeMessage(out, 1, &incomplete).empty());
  EXPECT_TRUE(incomplete);
}

}  // namespace
}  // namespace decnet::capture

#include "decnet/capture/x509.h"

namespace decnet::capture {
namespace {
using namespace testing;

TEST(CaptureX509, HostileDerNeverOverreads) {
  // A minimal certificate-shaped DER: SEQ { SEQ { INT, SEQ{}, SEQ{SET{SEQ{OID CN, "x"}}}, SEQ{t,t},
  // SEQ{SET{SEQ{OID CN, "x"}}} } }.
  Buf name = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'x'};
  Buf validity = {0x30, 0x04, 0x17, 0x00, 0x17, 0x00};
  Buf tbs_body = {0x02, 0x01, 0x01, 0x30, 0x00};
  Append(tbs_body, name);
  Append(tbs_body, validity);
  Append(tbs_body, name);
  Buf tbs = {0x30, uint8_t(tbs_body.size())};
  Append(tbs, tbs_body);
  Buf cert = {0x30, uint8_t(tbs.size())};
  Append(cert, tbs);
  CertSummary c;
  ASSERT_TRUE(ParseCertificate(cert, c));
  EXPECT_EQ(c.subject, "CN=x");
  EXPECT_TRUE(c.self_signed);
  for (size_t n = 0; n < cert.size(); ++n) {
    Buf cut(cert.begin(), cert.begin() + n);
    CertSummary x;
    EXPECT_FALSE(ParseCertificate(cut, x));
  }
  for (size_t i = 0; i < cert.size(); ++i) {
    Buf bad = cert;
    bad[i] = 0x84;  // long-form lengths that point far past the end
    CertSummary x;
    ParseCertificate(bad, x);
  }
  EXPECT_TRUE(FirstCertificate(Buf{11, 0, 0, 9, 0, 0, 6, 0, 0, 0xff}).empty());
}

}  // namespace
}  // namespace decnet::capture
