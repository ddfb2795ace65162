// JA4X, JA4L and JA4SSH (FoxIO License 1.1, computed only with foxio_licensed): the pure functions
// on hand-built inputs whose expected values follow from the FoxIO specification (each derivation
// is in a comment), the analyzer wiring on built packets, and hostile DER.
#include <gtest/gtest.h>

#include <random>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/ja4plus.h"
#include "decnet/capture/quic.h"
#include "fuzz_entries.h"
#include "packet_builder.h"

namespace decnet::capture {
namespace {
using namespace testing;

// ---- DER builders
// -------------------------------------------------------------------------------------

Buf Tlv(uint8_t tag, const Buf& value) {
  Buf b = {tag};
  size_t n = value.size();
  if (n < 0x80) {
    b.push_back(uint8_t(n));
  } else if (n < 0x100) {
    b.push_back(0x81);
    b.push_back(uint8_t(n));
  } else {
    b.push_back(0x82);
    Put16(b, uint16_t(n));
  }
  Append(b, value);
  return b;
}
Buf Seq(std::initializer_list<Buf> items) {
  Buf v;
  for (const Buf& i : items) Append(v, i);
  return Tlv(0x30, v);
}
Buf Oid(const Buf& content) { return Tlv(0x06, content); }
Buf Str(const std::string& s) { return Tlv(0x0C, Buf(s.begin(), s.end())); }
Buf Atv(const Buf& oid, const std::string& v) { return Seq({Oid(oid), Str(v)}); }
Buf Rdn(std::initializer_list<Buf> atvs) {
  Buf v;
  for (const Buf& a : atvs) Append(v, a);
  return Tlv(0x31, v);
}
Buf Name(std::initializer_list<Buf> rdns) { return Seq(rdns); }
Buf Ext(const Buf& oid, bool critical, size_t value_len = 4) {
  Buf v = Oid(oid);
  if (critical) Append(v, Tlv(0x01, {0xFF}));
  Append(v, Tlv(0x04, Buf(value_len, 0x30)));
  return Tlv(0x30, v);
}

const Buf kCn = {0x55, 0x04, 0x03}, kC = {0x55, 0x04, 0x06}, kSt = {0x55, 0x04, 0x08},
          kO = {0x55, 0x04, 0x0a};
const Buf kKeyUsage = {0x55, 0x1d, 0x0f}, kExtKeyUsage = {0x55, 0x1d, 0x25},
          kSan = {0x55, 0x1d, 0x11};

Buf Certificate(const Buf& issuer, const Buf& subject, const Buf* extensions, bool v3 = true) {
  Buf tbs_items;
  if (v3) Append(tbs_items, Tlv(0xA0, Tlv(0x02, {2})));
  Append(tbs_items, Tlv(0x02, {0x01, 0x23}));
  Buf alg = Seq({Oid({0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}), Tlv(0x05, {})});
  Append(tbs_items, alg);
  Append(tbs_items, issuer);
  Append(tbs_items, Seq({Tlv(0x17, Buf(13, '0')), Tlv(0x17, Buf(13, '1'))}));
  Append(tbs_items, subject);
  Append(tbs_items, Seq({alg, Tlv(0x03, Buf(140, 0x11))}));  // a 2-byte length inside
  if (extensions) Append(tbs_items, Tlv(0xA3, *extensions));
  return Seq({Tlv(0x30, tbs_items), alg, Tlv(0x03, Buf(64, 0x22))});
}

// The example of technical_details/JA4X.md: issuer and subject CN, C, ST, O; extensions key usage,
// extended key usage, SAN.
Buf SpecExampleCert() {
  Buf name = Name({Rdn({Atv(kCn, "x")}), Rdn({Atv(kC, "US")}), Rdn({Atv(kSt, "CA")}),
                   Rdn({Atv(kO, "Example")})});
  Buf exts = Seq({Ext(kKeyUsage, true), Ext(kExtKeyUsage, false, 300), Ext(kSan, false)});
  return Certificate(name, name, &exts);
}

TEST(CaptureJa4x, SpecExample) {
  // sha256("550403,550406,550408,55040a")[:12] = 96a6439c8f5c and
  // sha256("551d0f,551d25,551d11")[:12] = aae71e8db6d7: the values JA4X.md publishes.
  Ja4x j;
  ASSERT_TRUE(ComputeJa4x(SpecExampleCert(), j));
  EXPECT_EQ(j.ja4x, "96a6439c8f5c_96a6439c8f5c_aae71e8db6d7");
  EXPECT_EQ(j.ja4x_r,
            "550403,550406,550408,55040a_550403,550406,550408,55040a_551d0f,551d25,551d11");
}

TEST(CaptureJa4x, MultiValuedRdnOrderAndV1WithoutExtensions) {
  // One RDN holding CN and O keeps their encoded order: "550403,55040a" -> 711618dec96d. A v1
  // certificate has no extensions: the empty list hashes to twelve zeros, as every JA4 part does.
  Buf issuer = Name({Rdn({Atv(kCn, "a"), Atv(kO, "b")})});
  Buf subject = Name({});
  Ja4x j;
  ASSERT_TRUE(ComputeJa4x(Certificate(issuer, subject, nullptr, false), j));
  EXPECT_EQ(j.ja4x, "711618dec96d_000000000000_000000000000");
  EXPECT_EQ(j.ja4x_r, "550403,55040a__");
}

Buf CertificateMessage(const std::vector<Buf>& certs) {
  Buf list;
  for (const Buf& c : certs) {
    list.push_back(uint8_t(c.size() >> 16));
    Put16(list, uint16_t(c.size()));
    Append(list, c);
  }
  Buf body = {uint8_t(list.size() >> 16)};
  Put16(body, uint16_t(list.size()));
  Append(body, list);
  Buf msg = {11, uint8_t(body.size() >> 16)};
  Put16(msg, uint16_t(body.size()));
  Append(msg, body);
  return msg;
}

TEST(CaptureJa4x, CertificateChainInOrderAndCutShort) {
  Buf a = SpecExampleCert(), b = Certificate(Name({Rdn({Atv(kO, "ca")})}), Name({}), nullptr);
  Buf msg = CertificateMessage({a, b, a});
  std::vector<Bytes> chain = CertificateChain(msg, 8);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_TRUE(std::equal(chain[1].begin(), chain[1].end(), b.begin(), b.end()));
  EXPECT_EQ(CertificateChain(msg, 2).size(), 2u);
  // Cut inside the third certificate: the two whole ones.
  EXPECT_EQ(CertificateChain(Bytes(msg).first(msg.size() - 10), 8).size(), 2u);
  EXPECT_TRUE(CertificateChain(Bytes(msg).subspan(1), 8).empty());  // not a Certificate message
  EXPECT_TRUE(CertificateChain(Bytes(), 8).empty());
}

TEST(CaptureJa4x, HostileDerIsRejectedNotOverread) {
  Buf cert = SpecExampleCert();
  Ja4x j;
  // Every strict prefix: some length runs past the end.
  for (size_t n = 0; n < cert.size(); ++n) {
    std::vector<uint8_t> prefix(cert.begin(), cert.begin() + n);  // its own allocation for ASan
    EXPECT_FALSE(ComputeJa4x(prefix, j)) << n;
  }
  // Length forms DER forbids or we refuse: indefinite (0x80), 5 length bytes, high tag numbers.
  Buf indefinite = cert;
  indefinite[1] = 0x80;
  EXPECT_FALSE(ComputeJa4x(indefinite, j));
  EXPECT_FALSE(ComputeJa4x(Buf{0x30, 0x85, 0, 0, 0, 0, 1, 0}, j));
  EXPECT_FALSE(ComputeJa4x(Buf{0x1F, 0x01, 0x00}, j));
  EXPECT_FALSE(ComputeJa4x(Buf{0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF}, j));
  // An issuer that is not a SEQUENCE OF SET, an OID that is not an OID, garbage extensions.
  Buf bad_name = Certificate(Seq({Seq({Oid(kCn)})}), Name({}), nullptr);
  EXPECT_FALSE(ComputeJa4x(bad_name, j));
  Buf bad_oid = Certificate(Name({Rdn({Seq({Str("x"), Str("y")})})}), Name({}), nullptr);
  EXPECT_FALSE(ComputeJa4x(bad_oid, j));
  Buf bad_exts = Tlv(0x04, {1, 2, 3});
  EXPECT_FALSE(ComputeJa4x(Certificate(Name({}), Name({}), &bad_exts), j));
  // Random mutations of a real certificate and of a chain: any answer, no crash or overread.
  std::mt19937 rng(7);
  Buf msg = CertificateMessage({cert, cert});
  for (int i = 0; i < 2000; ++i) {
    Buf m = i % 2 ? cert : msg;
    for (int k = 0; k < 1 + i % 5; ++k) m[rng() % m.size()] = uint8_t(rng());
    m.resize(m.size() - rng() % 8);
    fuzz::Ja4Plus(m.data(), m.size());
  }
}

// ---- JA4L
// ---------------------------------------------------------------------------------------------

TEST(CaptureJa4l, SpecExampleAndIntegerHalving) {
  // JA4L.md's example: JA4L-C = 11_128, JA4L-S = 1759_42. A = 0 (client TTL 128), B = A + 3518 µs
  // (server TTL 42): (B - A) / 2 = 1759. C = B + 22 µs: (C - B) / 2 = 11.
  Ja4l l;
  EXPECT_EQ(l.Server(), "");
  l.OnTcpPacket(1'000'000, kSyn, true, 128);
  l.OnTcpPacket(1'003'518, kSyn | kAck, false, 42);
  EXPECT_EQ(l.Server(), "1759_42");
  EXPECT_EQ(l.Client(), "");
  l.OnTcpPacket(1'003'540, kAck, true, 128);
  EXPECT_EQ(l.Client(), "11_128");
  // One more microsecond each way: 3519 / 2 and 23 / 2 still give 1759 and 11 (integer division).
  Ja4l odd;
  odd.OnTcpPacket(0, kSyn, true, 64);
  odd.OnTcpPacket(3519, kSyn | kAck, false, 42);
  odd.OnTcpPacket(3542, kAck, true, 64);
  EXPECT_EQ(odd.Server(), "1759_42");
  EXPECT_EQ(odd.Client(), "11_64");
}

TEST(CaptureJa4l, FirstSynFirstSynAckClientAckEcnFlags) {
  Ja4l l;
  l.OnTcpPacket(10, kAck, true, 64);                  // before any SYN: ignored
  l.OnTcpPacket(100, kSyn | kEce | kCwr, true, 64);   // A (an ECN-setup SYN is a SYN)
  l.OnTcpPacket(300, kSyn, true, 64);                 // a retransmitted SYN: A stays 100
  l.OnTcpPacket(500, kSyn | kAck | kEce, false, 50);  // B: (500 - 100) / 2 = 200
  l.OnTcpPacket(700, kSyn | kAck, false, 50);         // a second SYN-ACK: ignored
  l.OnTcpPacket(800, kAck | kPsh, false, 50);         // the server's data is not the client's ACK
  l.OnTcpPacket(1100, kAck, true, 64);                // C: (1100 - 500) / 2 = 300
  l.OnTcpPacket(5000, kAck, true, 64);                // later ACKs: ignored
  EXPECT_EQ(l.Server(), "200_50");
  EXPECT_EQ(l.Client(), "300_64");
}

TEST(CaptureJa4l, QuicInitialsThenLastServerHandshakeBeforeClientHandshake) {
  // A = client Initial at 0 (TTL 128); B = server Initial at 3000 µs (TTL 50): (3000 - 0) / 2 =
  // 1500. Server Handshake packets at 3100 and 3201: C is the last one before the client's
  // Handshake at 3501 = D: (3501 - 3201) / 2 = 150.
  Ja4l l;
  l.OnQuicPacket(0, 0, true, 128);
  l.OnQuicPacket(1000, 0, true, 128);  // a second client Initial: A stays 0
  l.OnQuicPacket(3000, 0, false, 50);
  EXPECT_EQ(l.Server(), "1500_50");
  l.OnQuicPacket(3050, 2, true, 128);  // a client Handshake before any server one: not D
  l.OnQuicPacket(3100, 2, false, 50);
  l.OnQuicPacket(3201, 2, false, 50);
  l.OnQuicPacket(3300, 0, true, 128);  // Initials in between change nothing
  EXPECT_EQ(l.Client(), "");
  l.OnQuicPacket(3501, 2, true, 128);
  EXPECT_EQ(l.Client(), "150_128");
  l.OnQuicPacket(9000, 2, false, 50);
  l.OnQuicPacket(9900, 2, true, 128);
  EXPECT_EQ(l.Client(), "150_128");
  // Long-header types of QUIC v1 only.
  EXPECT_EQ(QuicLongPacketType(Buf{0xC3, 0, 0, 0, 1, 8, 0}), 0);
  EXPECT_EQ(QuicLongPacketType(Buf{0xE1, 0, 0, 0, 1, 8, 0}), 2);
  EXPECT_EQ(QuicLongPacketType(Buf{0x43, 0, 0, 0, 1, 8, 0}), -1);              // short header
  EXPECT_EQ(QuicLongPacketType(Buf{0xC3, 0x6b, 0x33, 0x43, 0xcf, 8, 0}), -1);  // v2
  EXPECT_EQ(QuicLongPacketType(Buf{0xC3, 0, 0, 0}), -1);
}

// ---- JA4SSH
// -------------------------------------------------------------------------------------------

TEST(CaptureJa4Ssh, ModeCountsAndTies) {
  // JA4SSH.md: 36 bytes x20, 128 x10, 200 x15 -> mode 36. Server: 52 x3 and 36 x3 tie -> the
  // smaller,
  // 36. Packets 45 / 6, bare ACKs 2 from the client and none from the server.
  Ja4Ssh s;
  for (int i = 0; i < 20; ++i) s.AddSshPacket(true, 36);
  for (int i = 0; i < 10; ++i) s.AddSshPacket(true, 128);
  for (int i = 0; i < 15; ++i) s.AddSshPacket(true, 200);
  for (int i = 0; i < 3; ++i) s.AddSshPacket(false, 52), s.AddSshPacket(false, 36);
  s.AddBareAck(true);
  s.AddBareAck(true);
  EXPECT_EQ(s.Fingerprint(), "c36s36_c45s6_c2s0");
  EXPECT_EQ(s.ssh_packets(), 51u);
  EXPECT_TRUE(s.exact());
  // A side without SSH packets has mode 0.
  Ja4Ssh server_only;
  server_only.AddSshPacket(false, 1460);
  server_only.AddBareAck(true);
  EXPECT_EQ(server_only.Fingerprint(), "c0s1460_c0s1_c1s0");
  s.Reset();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Fingerprint(), "c0s0_c0s0_c0s0");
}

TEST(CaptureJa4Ssh, FullLengthTableSaysWhenTheModeIsExact) {
  // kSlots distinct lengths fill the table; the 17th distinct length is untracked (1 packet). With
  // every count at 1 an untracked length could be the smaller tied mode: not exact. One more
  // 20-byte packet makes 20 the mode with 2 > 1 untracked: exact again, mode 20.
  Ja4Ssh s;
  for (int i = 0; i < Ja4Ssh::kSlots; ++i) s.AddSshPacket(true, uint16_t(100 + i));
  EXPECT_TRUE(s.exact());
  s.AddSshPacket(true, 20);
  EXPECT_FALSE(s.exact());
  s.AddSshPacket(true, 101);
  EXPECT_TRUE(s.exact());
  EXPECT_EQ(s.Fingerprint(), "c101s0_c18s0_c0s0");
}

// ---- The analyzer
// ------------------------------------------------------------------------------------

struct Flow22 {
  std::vector<Event> events;
  Analyzer a;
  uint32_t cseq = 100, sseq = 500;
  double ts = 100.0;
  explicit Flow22(AnalyzerOptions o) : a(o, [this](const Event& e) { events.push_back(e); }) {}
  void Send(bool client, uint8_t flags, const Buf& payload, uint8_t ttl = 64, double at = 0) {
    TcpSpec t;
    t.sport = client ? 40000 : 22;
    t.dport = client ? 22 : 40000;
    t.seq = client ? cseq : sseq;
    t.ack = client ? sseq : cseq;
    t.flags = flags;
    t.payload = payload;
    Buf ip =
        Ipv4(Tcp(t), 6, client ? 0x0A000001 : 0x0A000002, client ? 0x0A000002 : 0x0A000001, ttl);
    uint32_t& seq = client ? cseq : sseq;
    seq += uint32_t(payload.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
    DecodedPacket p;
    ASSERT_EQ(Decode(kLinkRaw, ip, p), DecodeStatus::kOk);
    ts = at > 0 ? at : ts + 0.001;
    a.OnPacket(ts, p);
  }
  void Retransmit(bool client, const Buf& payload) {
    uint32_t& seq = client ? cseq : sseq;
    seq -= uint32_t(payload.size());
    Send(client, 0x18, payload);
  }
  std::vector<const Event*> All(const std::string& type) const {
    std::vector<const Event*> out;
    for (const Event& e : events)
      if (e.type == type) out.push_back(&e);
    return out;
  }
};

AnalyzerOptions Licensed() {
  AnalyzerOptions o;
  o.foxio_licensed = true;
  return o;
}

Buf Bytes_(size_t n) { return Buf(n, 0x5A); }
Buf Banner(const std::string& s) { return Buf(s.begin(), s.end()); }

TEST(CaptureJa4PlusAnalyzer, SshWindowsOfTwoHundredPackets) {
  Flow22 f(Licensed());
  f.Send(true, kSyn, {});                          // not an ACK
  f.Send(false, kSyn | kAck, {});                  // not a bare ACK (SYN set)
  f.Send(true, kAck, {});                          // client bare ACK 1 (before SSH is known)
  f.Send(false, 0x18, Banner("SSH-2.0-srv\r\n"));  // server SSH packet 1, 13 bytes
  f.Send(true, kAck, {});                          // client bare ACK 2
  f.Send(true, 0x18, Banner("SSH-2.0-cli\r\n"));   // client SSH packet 1, 13 bytes
  f.Send(false, kAck, {});                         // server bare ACK 1
  for (int i = 0; i < 99; ++i) {                   // 99 x (client 36, server 52): 2 + 198 = 200
    f.Send(true, 0x18, Bytes_(36));
    f.Send(false, 0x18, Bytes_(52));
  }
  // Window 1: client {13 x1, 36 x99} -> mode 36, 100 packets; server {13 x1, 52 x99} -> 52, 100;
  // bare ACKs 2 (client) and 1 (server).
  auto fps = f.All("ssh_session_fingerprint");
  ASSERT_EQ(fps.size(), 1u);
  EXPECT_EQ(*fps[0]->Get("ja4ssh"), "c36s52_c100s100_c2s1");
  EXPECT_EQ(*fps[0]->Get("ja4ssh_window"), "1");
  EXPECT_EQ(*fps[0]->Get("src_ip"), "10.0.0.1");
  EXPECT_EQ(*fps[0]->Get("dst_port"), "22");
  // Window 2: 3 client bare ACKs, 10 client 36-byte packets plus a retransmission of the last one
  // (not counted), 5 server 1460-byte packets, then the client's RST (not an ACK) ends the flow:
  // the partial window is "c36s1460_c10s5_c3s0".
  for (int i = 0; i < 3; ++i) f.Send(true, kAck, {});
  for (int i = 0; i < 10; ++i) f.Send(true, 0x18, Bytes_(36));
  f.Retransmit(true, Bytes_(36));
  for (int i = 0; i < 5; ++i) f.Send(false, 0x10, Bytes_(1460));
  f.Send(true, kRst, {});
  fps = f.All("ssh_session_fingerprint");
  ASSERT_EQ(fps.size(), 2u);
  EXPECT_EQ(*fps[1]->Get("ja4ssh"), "c36s1460_c10s5_c3s0");
  EXPECT_EQ(*fps[1]->Get("ja4ssh_window"), "2");
  EXPECT_EQ(fps[1]->Get("ja4ssh_exact"), nullptr);
}

TEST(CaptureJa4PlusAnalyzer, WindowsPerFlowAreBounded) {
  AnalyzerOptions o = Licensed();
  o.ja4ssh_window = 2;
  o.ja4ssh_max_windows = 2;
  Flow22 f(o);
  f.Send(false, 0x18, Banner("SSH-2.0-srv\r\n"));
  for (int i = 0; i < 6; ++i) f.Send(true, 0x18, Bytes_(36));
  // 7 SSH packets: windows close at 2, 4 and 6; the 3rd and the final partial one (1 packet) are
  // over the bound of 2: counted, not emitted.
  f.a.FlushAll();
  EXPECT_EQ(f.All("ssh_session_fingerprint").size(), 2u);
  EXPECT_EQ(f.a.stats().ja4ssh_windows_dropped, 2u);
}

TEST(CaptureJa4PlusAnalyzer, Ja4lOnClientHelloAndFlowTimingOnlyWhenLicensed) {
  for (bool licensed : {true, false}) {
    AnalyzerOptions o;
    o.foxio_licensed = licensed;
    Flow22 f(o);
    // The JA4L.md example again, on the wire: SYN at 100 s (TTL 128), SYN-ACK 3518 µs later (TTL
    // 42), the client's ACK 22 µs after that.
    f.Send(true, kSyn, {}, 128, 100.0);
    f.Send(false, kSyn | kAck, {}, 42, 100.003518);
    f.Send(true, kAck, {}, 128, 100.003540);
    f.Send(true, 0x18, ClientHelloRecord({0x1301}, {{0, SniExt("l.test")}}), 128, 100.004);
    f.Send(false, kAck, {}, 42, 100.2);
    f.Send(true, kAck, {}, 128, 101.5);
    f.Send(true, kRst, {}, 128, 101.6);
    auto hello = f.All("tls_client_hello");
    auto timing = f.All("tcp_flow_timing");
    ASSERT_EQ(hello.size(), 1u);
    ASSERT_EQ(timing.size(), 1u);
    for (const Event* e : {hello[0], timing[0]}) {
      if (licensed) {
        ASSERT_NE(e->Get("ja4l_c"), nullptr) << e->type;
        EXPECT_EQ(*e->Get("ja4l_c"), "11_128") << e->type;
        EXPECT_EQ(*e->Get("ja4l_s"), "1759_42") << e->type;
      } else {
        EXPECT_EQ(e->Get("ja4l_c"), nullptr);
        EXPECT_EQ(e->Get("ja4l_s"), nullptr);
      }
    }
    EXPECT_TRUE(f.All("ssh_session_fingerprint").empty());  // not SSH
  }
}

TEST(CaptureJa4PlusAnalyzer, CertificateChainSpanningSegmentsGivesJa4xChain) {
  Buf leaf = SpecExampleCert();
  Buf ca = Certificate(Name({Rdn({Atv(kO, "ca")})}), Name({Rdn({Atv(kO, "ca")})}), nullptr);
  Buf msg = CertificateMessage({leaf, ca});
  // ServerHello (TLS 1.2) then the Certificate, in one record split over three segments.
  Buf sh_body = {3, 3};
  for (int i = 0; i < 32; ++i) sh_body.push_back(uint8_t(i));
  sh_body.push_back(0);
  Put16(sh_body, 0xc02f);
  sh_body.push_back(0);
  Put16(sh_body, 0);
  Buf hs = {2, 0};
  Put16(hs, uint16_t(sh_body.size()));
  Append(hs, sh_body);
  Append(hs, msg);
  Buf rec = {22, 3, 3};
  Put16(rec, uint16_t(hs.size()));
  Append(rec, hs);
  for (bool licensed : {true, false}) {
    AnalyzerOptions o;
    o.foxio_licensed = licensed;
    Flow22 f(o);
    f.Send(true, kSyn, {});
    f.Send(false, kSyn | kAck, {});
    f.Send(true, kAck, {});
    f.Send(true, 0x18, ClientHelloRecord({0xc02f}, {}));
    size_t cut1 = rec.size() / 3, cut2 = 2 * rec.size() / 3;  // the leaf is whole after cut2
    f.Send(false, 0x10, Buf(rec.begin(), rec.begin() + cut1));
    f.Send(false, 0x10, Buf(rec.begin() + cut1, rec.begin() + cut2));
    if (licensed) {
      EXPECT_TRUE(f.All("tls_certificate").empty()) << "waits for the whole chain";
    }
    f.Send(false, 0x18, Buf(rec.begin() + cut2, rec.end()));
    auto certs = f.All("tls_certificate");
    ASSERT_EQ(certs.size(), 1u);
    if (licensed) {
      Ja4x l, c;
      ASSERT_TRUE(ComputeJa4x(leaf, l));
      ASSERT_TRUE(ComputeJa4x(ca, c));
      EXPECT_EQ(*certs[0]->Get("ja4x"), "96a6439c8f5c_96a6439c8f5c_aae71e8db6d7");
      EXPECT_EQ(*certs[0]->Get("ja4x_r"), l.ja4x_r);
      EXPECT_EQ(*certs[0]->Get("ja4x_chain"), l.ja4x + "," + c.ja4x);
    } else {
      EXPECT_EQ(certs[0]->Get("ja4x"), nullptr);
      EXPECT_EQ(certs[0]->Get("ja4x_chain"), nullptr);
    }
  }
}

Buf QuicDatagram(bool client, const Buf& payload, uint8_t ttl) {
  Buf u;
  Put16(u, client ? 51000 : 443);
  Put16(u, client ? 443 : 51000);
  Put16(u, uint16_t(8 + payload.size()));
  Put16(u, 0);
  Append(u, payload);
  return Ipv4(u, 17, client ? 0x0A000001 : 0x0A000002, client ? 0x0A000002 : 0x0A000001, ttl);
}

TEST(CaptureJa4PlusAnalyzer, QuicSessionCarriesJa4lWhenLicensed) {
  Buf rec = ClientHelloRecord({0x1301}, {{0, SniExt("q.test")}, {0x2b, {2, 3, 4}}});
  Buf frames = {0x06, 0x00, 0x40};  // CRYPTO, offset 0, 2-byte length
  frames.push_back(uint8_t(rec.size() - 5));
  frames.insert(frames.end(), rec.begin() + 5, rec.end());
  frames.resize(frames.size() + 40, 0);
  Buf dcid = {8, 7, 6, 5, 4, 3, 2, 1};
  Buf scid = {1};
  Buf client_initial = ProtectClientInitialForTest(dcid, scid, 0, frames);
  // The server's packets only need their long headers: JA4L reads types and times, not contents.
  Buf server_initial = {0xC0, 0, 0, 0, 1, 1, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x40, 40};
  server_initial.resize(60, 0x33);
  Buf handshake = server_initial;
  handshake[0] = 0xE0;
  for (bool licensed : {true, false}) {
    AnalyzerOptions o;
    o.foxio_licensed = licensed;
    std::vector<Event> events;
    Analyzer a(o, [&](const Event& e) { events.push_back(e); });
    auto feed = [&](bool client, const Buf& payload, uint8_t ttl, double ts) {
      Buf ip = QuicDatagram(client, payload, ttl);
      DecodedPacket p;
      ASSERT_EQ(Decode(kLinkRaw, ip, p), DecodeStatus::kOk);
      a.OnPacket(ts, p);
    };
    // A = 10 s; B = 10.004 s (server TTL 52): 4000 / 2 = 2000. C = the server's second Handshake at
    // 10.0052 s, D = the client's Handshake at 10.0058 s: 600 / 2 = 300, client TTL 117.
    feed(true, client_initial, 117, 10.0);
    feed(false, server_initial, 52, 10.004);
    feed(false, handshake, 52, 10.005);
    feed(false, handshake, 52, 10.0052);
    feed(true, handshake, 117, 10.0058);
    feed(true, handshake, 117, 10.0100);
    int sessions = 0;
    for (const Event& e : events) {
      if (e.type != "quic_session") continue;
      ++sessions;
      EXPECT_EQ(*e.Get("ja4l_s"), "2000_52");
      EXPECT_EQ(*e.Get("ja4l_c"), "300_117");
      EXPECT_EQ(*e.Get("sni"), "q.test");
      EXPECT_EQ(e.Get("ja4")->substr(0, 1), "q");
      EXPECT_EQ(*e.Get("src_ip"), "10.0.0.1");
    }
    EXPECT_EQ(sessions, licensed ? 1 : 0);
    EXPECT_EQ(events[0].type, "quic_client_hello");
  }
}

}  // namespace
}  // namespace decnet::capture
