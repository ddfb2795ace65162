// Packet decoding: link layer -> IP (v4/v6 with extension headers, through GRE/VXLAN/Geneve/IP-in-IP
// tunnels) -> TCP/UDP. A pure function over one captured frame; every length is checked before it is read.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

// libpcap DLT_* values we decode (the numbers are the pcap LINKTYPE values).
enum LinkType : int {
  kLinkNull = 0,        // BSD loopback, host-order family
  kLinkEthernet = 1,
  kLinkRaw = 12,        // DLT_RAW on Linux
  kLinkRaw101 = 101,    // LINKTYPE_RAW
  kLinkLoop = 108,      // OpenBSD loopback, network-order family
  kLinkLinuxSll = 113,
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkLinuxSll2 = 276,
};

// An IPv4 address is stored as ::ffff:a.b.c.d so both families share one key type.
struct IpAddr {
  std::array<uint8_t, 16> b{};
  bool v4 = false;
  bool operator==(const IpAddr&) const = default;
  std::string ToString() const;
};

enum class DecodeStatus : uint8_t {
  kOk,            // an IP packet with TCP or UDP decoded
  kNotIp,         // a frame we do not follow (ARP, LLDP, ...)
  kOtherL4,       // IP decoded, the transport is neither TCP nor UDP (ICMP, ...)
  kFragment,      // a non-first fragment, or a first fragment (the transport header is not trusted)
  kTruncated,     // a header runs past the captured bytes
  kMalformed,     // a field is impossible (IHL < 5, TCP offset < 5, ...)
  kUnsupportedLink,
};

struct DecodedPacket {
  // Innermost IP header.
  IpAddr src, dst;
  uint8_t ip_version = 0;
  uint8_t ttl = 0;           // IPv4 TTL or IPv6 hop limit
  uint8_t tos = 0;           // IPv4 TOS or IPv6 traffic class
  uint16_t ip_id = 0;        // IPv4 only
  bool df = false;           // IPv4 don't-fragment
  uint32_t flow_label = 0;   // IPv6 only
  uint16_t ip_header_len = 0;   // bytes of IP header incl. options/extension headers
  uint16_t ip_options_len = 0;  // IPv4 options bytes (p0f olen)
  uint8_t proto = 0;            // 6 TCP, 17 UDP, ...
  uint8_t tunnel_depth = 0;     // how many encapsulations were removed

  uint16_t sport = 0, dport = 0;
  // TCP only.
  uint32_t seq = 0, ack = 0;
  uint8_t tcp_flags = 0;
  uint16_t window = 0;
  uint16_t urgent = 0;
  uint8_t tcp_reserved = 0;  // the 4 reserved bits + NS (p0f quirk)
  Bytes tcp_options;
  // Transport payload (clipped to the captured bytes and to the IP length).
  Bytes payload;
};

enum TcpFlag : uint8_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20, kEce = 0x40, kCwr = 0x80
};

struct DecodeOptions {
  int max_tunnel_depth = 3;
  bool follow_vxlan = true;   // UDP/4789
  bool follow_geneve = true;  // UDP/6081
};

// Decodes one frame of link type `link`. On kOk every field of `out` is set and `out.payload` points into
// `frame`. On any other status `out` is partially filled and must not be used.
DecodeStatus Decode(int link, Bytes frame, DecodedPacket& out, const DecodeOptions& opts = {});

// Decodes from an IP header (version taken from the first nibble). Exposed for tests and fuzzing.
DecodeStatus DecodeIp(Bytes packet, DecodedPacket& out, const DecodeOptions& opts = {}, int depth = 0);

const char* DecodeStatusName(DecodeStatus s);

}  // namespace decnet::capture
