// Decoding of every layer, including truncated and malformed frames at each of them.
#include <gtest/gtest.h>

#include "decnet/capture/decode.h"
#include "packet_builder.h"

namespace decnet::capture {
namespace {
using namespace testing;

TEST(CaptureDecode, EthernetIpv4Tcp) {
  TcpSpec t;
  t.payload = {'h', 'i'};
  Buf f = Ether(Ipv4(Tcp(t)));
  DecodedPacket p;
  ASSERT_EQ(Decode(kLinkEthernet, f, p), DecodeStatus::kOk);
  EXPECT_EQ(p.src.ToString(), "10.0.0.1");
  EXPECT_EQ(p.dst.ToString(), "10.0.0.2");
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 443);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_TRUE(p.df);
  ASSERT_EQ(p.payload.size(), 2u);
  EXPECT_EQ(p.payload[0], 'h');
}

TEST(CaptureDecode, VlanStackAndLimit) {
  Buf ip = Ipv4(Tcp({}));
  DecodedPacket p;
  EXPECT_EQ(Decode(kLinkEthernet, Ether(ip, 0x0800, {1, 2}), p), DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkEthernet, Ether(ip, 0x0800, {1, 2, 3, 4, 5}), p), DecodeStatus::kMalformed);
}

TEST(CaptureDecode, SllSll2RawNullLoop) {
  Buf ip = Ipv4(Tcp({}));
  DecodedPacket p;
  Buf sll(14, 0);
  Put16(sll, 0x0800);
  Append(sll, ip);
  EXPECT_EQ(Decode(kLinkLinuxSll, sll, p), DecodeStatus::kOk);
  Buf sll2;
  Put16(sll2, 0x0800);
  sll2.resize(20, 0);
  Append(sll2, ip);
  EXPECT_EQ(Decode(kLinkLinuxSll2, sll2, p), DecodeStatus::kOk);
  EXPECT_EQ(Decode(kLinkRaw, ip, p), DecodeStatus::kOk);
  Buf null = {2, 0, 0, 0};
  Append(null, ip);
  EXPECT_EQ(Decode(kLinkNull, null, p), DecodeStatus::kOk);
  Buf loop = {0, 0, 0, 2};
  Append(loop, ip);
  EXPECT_EQ(Decode(kLinkLoop, loop, p), DecodeStatus::kOk);
  Buf null6 = {30, 0, 0, 0};
  Append(null6, Ipv6(Tcp({})));
  EXPECT_EQ(Decode(kLinkNull, null6, p), DecodeStatus::kOk);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(Decode(999, ip, p), DecodeStatus::kUnsupportedLink);
}

TEST(CaptureDecode, Ipv6ExtensionHeaders) {
  Buf hop = {43, 0, 0, 0, 0, 0, 0, 0};          // hop-by-hop -> routing
  Buf rt = {60, 0, 0, 0, 0, 0, 0, 0};           // routing -> dest opts
  Buf dst = {6, 0, 0, 0, 0, 0, 0, 0};           // dest opts -> TCP
  Buf ext = hop;
  Append(ext, rt);
  Append(ext, dst);
  DecodedPacket p;
  ASSERT_EQ(Decode(kLinkRaw, Ipv6(Tcp({}), 0, ext), p), DecodeStatus::kOk);
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.ip_header_len, 40 + 24);
  Buf frag = {6, 0, 0, 8, 0, 0, 0, 1};  // fragment header, offset 1
  EXPECT_EQ(Decode(kLinkRaw, Ipv6(Tcp({}), 44, frag), p), DecodeStatus::kFragment);
  // A chain of 9 extension headers is refused.
  Buf many;
  for (int i = 0; i < 9; ++i) Append(many, Buf{0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(Decode(kLinkRaw, Ipv6(Tcp({}), 0, many), p), DecodeStatus::kMalformed);
}

TEST(CaptureDecode, GreVxlanGeneve) {
  Buf inner = Ipv4(Tcp({}), 6, 0xC0A80001, 0xC0A80002);
  Buf gre = {0x20, 0x00, 0x08, 0x00, 0, 0, 0, 7};  // key present
  Append(gre, inner);
  DecodedPacket p;
  ASSERT_EQ(Decode(kLinkRaw, Ipv4(gre, 47), p), DecodeStatus::kOk);
  EXPECT_EQ(p.src.ToString(), "192.168.0.1");
  EXPECT_EQ(p.tunnel_depth, 1);

  Buf vx = {0x08, 0, 0, 0, 0, 0, 1, 0};
  Append(vx, Ether(inner));
  Buf udp;
  Put16(udp, 5555);
  Put16(udp, 4789);
  Put16(udp, uint16_t(8 + vx.size()));
  Put16(udp, 0);
  Append(udp, vx);
  ASSERT_EQ(Decode(kLinkRaw, Ipv4(udp, 17), p), DecodeStatus::kOk);
  EXPECT_EQ(p.src.ToString(), "192.168.0.1");
  EXPECT_EQ(p.proto, 6);

  Buf gen = {0, 0, 0x08, 0x00, 0, 0, 1, 0};  // no options, IPv4 payload
  Append(gen, inner);
  Buf udp2;
  Put16(udp2, 5555);
  Put16(udp2, 6081);
  Put16(udp2, uint16_t(8 + gen.size()));
  Put16(udp2, 0);
  Append(udp2, gen);
  ASSERT_EQ(Decode(kLinkRaw, Ipv4(udp2, 17), p), DecodeStatus::kOk);
  EXPECT_EQ(p.src.ToString(), "192.168.0.1");

  // Tunnels nested deeper than the limit stop being followed.
  Buf nested = inner;
  for (int i = 0; i < 5; ++i) {
    Buf g = {0, 0, 0x08, 0x00};
    Append(g, nested);
    nested = Ipv4(g, 47);
  }
  EXPECT_EQ(Decode(kLinkRaw, nested, p), DecodeStatus::kOtherL4);
}

TEST(CaptureDecode, TruncatedAtEveryByteNeverReadsPast) {
  TcpSpec t;
  t.options = {2, 4, 5, 0xb4, 1, 3, 3, 7};
  t.payload = {1, 2, 3};
  for (const Buf& full : {Ether(Ipv4(Tcp(t))), Ether(Ipv6(Tcp(t)), 0x86DD),
                          Ether(Ipv4(Tcp(t)), 0x0800, {5})}) {
    for (size_t n = 0; n < full.size(); ++n) {
      Buf cut(full.begin(), full.begin() + n);  // a fresh allocation: ASan catches any over-read
      DecodedPacket p;
      DecodeStatus s = Decode(kLinkEthernet, cut, p);
      if (s == DecodeStatus::kOk) {
        EXPECT_LE(p.payload.data() + p.payload.size(), cut.data() + cut.size());
      }
    }
  }
}

TEST(CaptureDecode, MalformedHeaders) {
  DecodedPacket p;
  Buf ip = Ipv4(Tcp({}));
  Buf bad_ihl = ip;
  bad_ihl[0] = 0x44;  // IHL 16 bytes
  EXPECT_EQ(Decode(kLinkRaw, bad_ihl, p), DecodeStatus::kMalformed);
  Buf bad_total = ip;
  bad_total[2] = 0, bad_total[3] = 10;  // total length < IHL
  EXPECT_EQ(Decode(kLinkRaw, bad_total, p), DecodeStatus::kMalformed);
  Buf bad_off = ip;
  bad_off[20 + 12] = 0x40;  // TCP data offset 16 bytes
  EXPECT_EQ(Decode(kLinkRaw, bad_off, p), DecodeStatus::kMalformed);
  Buf big_off = ip;
  big_off[20 + 12] = 0xF0;  // TCP data offset 60 bytes, only 20 present
  EXPECT_EQ(Decode(kLinkRaw, big_off, p), DecodeStatus::kTruncated);
  Buf frag = ip;
  frag[6] = 0x20;  // MF
  EXPECT_EQ(Decode(kLinkRaw, frag, p), DecodeStatus::kFragment);
  Buf udp = {0, 1, 0, 2, 0, 4, 0, 0};  // UDP length 4 < 8
  EXPECT_EQ(Decode(kLinkRaw, Ipv4(udp, 17), p), DecodeStatus::kMalformed);
  EXPECT_EQ(Decode(kLinkRaw, Buf{0x75}, p), DecodeStatus::kNotIp);
  EXPECT_EQ(Decode(kLinkEthernet, Ether(Buf{1, 2, 3}, 0x0806), p), DecodeStatus::kNotIp);
  EXPECT_EQ(Decode(kLinkRaw, Ipv4(Buf{8, 0, 0, 0}, 1), p), DecodeStatus::kOtherL4);
}

TEST(CaptureDecode, IpLengthClipsPayload) {
  TcpSpec t;
  t.payload = {1, 2, 3, 4};
  Buf ip = Ipv4(Tcp(t));
  ip.push_back(0xEE);  // Ethernet padding after the IP packet
  ip.push_back(0xEE);
  DecodedPacket p;
  ASSERT_EQ(Decode(kLinkRaw, ip, p), DecodeStatus::kOk);
  EXPECT_EQ(p.payload.size(), 4u);
}

// Issue 14, finding 13: Ethernet in Ethernet (0x6558) counts as a tunnel level, so a frame nested
// hundreds of times stops at the tunnel limit instead of recursing once per 14 bytes.
TEST(CaptureDecode, TransparentEthernetNestingCountsTunnelDepth) {
  Buf inner = Ipv4(Tcp({}), 6, 0xC0A80001, 0xC0A80002);
  DecodedPacket p;
  ASSERT_EQ(Decode(kLinkEthernet, Ether(Ether(inner), 0x6558), p), DecodeStatus::kOk);
  EXPECT_EQ(p.src.ToString(), "192.168.0.1");
  EXPECT_EQ(p.tunnel_depth, 1);

  Buf nested = Ether(inner);
  for (int i = 0; i < 500; ++i) nested = Ether(nested, 0x6558);
  EXPECT_EQ(Decode(kLinkEthernet, nested, p), DecodeStatus::kNotIp);
  DecodeOptions opts;
  Buf three = Ether(inner);
  for (int i = 0; i < opts.max_tunnel_depth; ++i) three = Ether(three, 0x6558);
  ASSERT_EQ(Decode(kLinkEthernet, three, p, opts), DecodeStatus::kOk);
  EXPECT_EQ(p.tunnel_depth, opts.max_tunnel_depth);
  EXPECT_EQ(Decode(kLinkEthernet, Ether(three, 0x6558), p, opts), DecodeStatus::kNotIp);
}

}  // namespace
}  // namespace decnet::capture
