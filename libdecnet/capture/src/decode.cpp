#include "decnet/capture/decode.h"

#include <arpa/inet.h>

#include <cstring>

namespace decnet::capture {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint16_t kEtherVlan9100 = 0x9100;
constexpr uint16_t kEtherTransparent = 0x6558;  // Ethernet inside GRE/Geneve
constexpr int kMaxVlanTags = 4;
constexpr int kMaxIpv6ExtHeaders = 8;

DecodeStatus DecodeEthernet(Bytes frame, DecodedPacket& out, const DecodeOptions& opts, int depth);

DecodeStatus DecodeByEthertype(uint16_t type, Bytes rest, DecodedPacket& out,
                               const DecodeOptions& opts, int depth) {
  if (type == kEtherIpv4 || type == kEtherIpv6) return DecodeIp(rest, out, opts, depth);
  if (type == kEtherTransparent) return DecodeEthernet(rest, out, opts, depth);
  return DecodeStatus::kNotIp;
}

DecodeStatus DecodeEthernet(Bytes frame, DecodedPacket& out, const DecodeOptions& opts, int depth) {
  ByteReader r(frame);
  r.Skip(12);
  uint16_t type = r.U16();
  for (int tags = 0; r.ok() && (type == kEtherVlan || type == kEtherQinQ || type == kEtherVlan9100);
       ++tags) {
    if (tags == kMaxVlanTags) return DecodeStatus::kMalformed;
    r.Skip(2);  // TCI
    type = r.U16();
  }
  if (!r.ok()) return DecodeStatus::kTruncated;
  if (type == kEtherTransparent) {
    // Ethernet directly inside Ethernet is one more encapsulation: without counting it, nested
    // frames recursed snaplen/14 levels deep (issue 14, finding 13).
    if (depth >= opts.max_tunnel_depth) return DecodeStatus::kNotIp;
    return DecodeEthernet(r.Rest(), out, opts, depth + 1);
  }
  return DecodeByEthertype(type, r.Rest(), out, opts, depth);
}

DecodeStatus DecodeGre(Bytes data, DecodedPacket& out, const DecodeOptions& opts, int depth) {
  ByteReader r(data);
  uint16_t flags = r.U16();
  uint16_t proto = r.U16();
  if (!r.ok()) return DecodeStatus::kTruncated;
  if ((flags & 0x7) != 0) return DecodeStatus::kNotIp;  // GRE version 1 (PPTP) carries PPP
  if (flags & 0x8000) r.Skip(4);                         // checksum + reserved
  if (flags & 0x2000) r.Skip(4);                         // key
  if (flags & 0x1000) r.Skip(4);                         // sequence
  if (!r.ok()) return DecodeStatus::kTruncated;
  return DecodeByEthertype(proto, r.Rest(), out, opts, depth + 1);
}

DecodeStatus DecodeUdpTunnel(DecodedPacket& out, const DecodeOptions& opts, int depth) {
  ByteReader r(out.payload);
  if (opts.follow_vxlan && out.dport == 4789) {
    uint8_t flags = r.U8();
    r.Skip(7);
    if (!r.ok() || !(flags & 0x08)) return DecodeStatus::kOk;  // not VXLAN: keep the UDP packet
    DecodedPacket inner;
    if (DecodeEthernet(r.Rest(), inner, opts, depth + 1) == DecodeStatus::kOk) out = inner;
    return DecodeStatus::kOk;
  }
  if (opts.follow_geneve && out.dport == 6081) {
    uint8_t ver_optlen = r.U8();
    r.U8();
    uint16_t proto = r.U16();
    r.Skip(4);
    r.Skip(size_t(ver_optlen & 0x3F) * 4);
    if (!r.ok() || (ver_optlen >> 6) != 0) return DecodeStatus::kOk;
    DecodedPacket inner;
    if (DecodeByEthertype(proto, r.Rest(), inner, opts, depth + 1) == DecodeStatus::kOk) out = inner;
    return DecodeStatus::kOk;
  }
  return DecodeStatus::kOk;
}

DecodeStatus DecodeTransport(uint8_t proto, Bytes l4, DecodedPacket& out, const DecodeOptions& opts,
                             int depth) {
  out.proto = proto;
  switch (proto) {
    case 6: {
      ByteReader r(l4);
      out.sport = r.U16();
      out.dport = r.U16();
      out.seq = r.U32();
      out.ack = r.U32();
      uint8_t off = r.U8();
      out.tcp_flags = r.U8();
      out.window = r.U16();
      r.Skip(2);  // checksum
      out.urgent = r.U16();
      if (!r.ok()) return DecodeStatus::kTruncated;
      size_t hlen = size_t(off >> 4) * 4;
      out.tcp_reserved = off & 0x0F;
      if (hlen < 20) return DecodeStatus::kMalformed;
      out.tcp_options = r.Take(hlen - 20);
      if (!r.ok()) return DecodeStatus::kTruncated;
      out.payload = r.Rest();
      return DecodeStatus::kOk;
    }
    case 17: {
      ByteReader r(l4);
      out.sport = r.U16();
      out.dport = r.U16();
      uint16_t len = r.U16();
      r.Skip(2);
      if (!r.ok()) return DecodeStatus::kTruncated;
      if (len < 8) return DecodeStatus::kMalformed;
      Bytes rest = r.Rest();
      out.payload = rest.first(std::min<size_t>(rest.size(), len - 8));
      if (depth < opts.max_tunnel_depth) return DecodeUdpTunnel(out, opts, depth);
      return DecodeStatus::kOk;
    }
    case 47:
      if (depth >= opts.max_tunnel_depth) return DecodeStatus::kOtherL4;
      return DecodeGre(l4, out, opts, depth);
    case 4:
    case 41:
      if (depth >= opts.max_tunnel_depth) return DecodeStatus::kOtherL4;
      return DecodeIp(l4, out, opts, depth + 1);
    default:
      return DecodeStatus::kOtherL4;
  }
}

DecodeStatus DecodeIpv4(Bytes packet, DecodedPacket& out, const DecodeOptions& opts, int depth) {
  ByteReader r(packet);
  uint8_t vihl = r.U8();
  out.tos = r.U8();
  uint16_t total = r.U16();
  out.ip_id = r.U16();
  uint16_t frag = r.U16();
  out.ttl = r.U8();
  uint8_t proto = r.U8();
  r.Skip(2);
  Bytes src = r.Take(4), dst = r.Take(4);
  if (!r.ok()) return DecodeStatus::kTruncated;
  size_t ihl = size_t(vihl & 0x0F) * 4;
  if (ihl < 20 || total < ihl) return DecodeStatus::kMalformed;
  if (packet.size() < ihl) return DecodeStatus::kTruncated;
  out.ip_version = 4;
  out.df = frag & 0x4000;
  out.ip_header_len = uint16_t(ihl);
  out.ip_options_len = uint16_t(ihl - 20);
  out.src = IpAddr{};
  out.dst = IpAddr{};
  out.src.v4 = out.dst.v4 = true;
  out.src.b[10] = out.src.b[11] = out.dst.b[10] = out.dst.b[11] = 0xFF;
  std::memcpy(&out.src.b[12], src.data(), 4);
  std::memcpy(&out.dst.b[12], dst.data(), 4);
  out.proto = proto;
  out.tunnel_depth = uint8_t(depth);
  // A first fragment's transport header may be whole, but its payload is not: skip all fragments.
  if ((frag & 0x1FFF) != 0 || (frag & 0x2000)) return DecodeStatus::kFragment;
  Bytes l4 = packet.subspan(ihl, std::min<size_t>(packet.size(), total) - ihl);
  return DecodeTransport(proto, l4, out, opts, depth);
}

DecodeStatus DecodeIpv6(Bytes packet, DecodedPacket& out, const DecodeOptions& opts, int depth) {
  ByteReader r(packet);
  uint32_t vtf = r.U32();
  uint16_t plen = r.U16();
  uint8_t next = r.U8();
  out.ttl = r.U8();
  Bytes src = r.Take(16), dst = r.Take(16);
  if (!r.ok()) return DecodeStatus::kTruncated;
  out.ip_version = 6;
  out.tos = uint8_t(vtf >> 20);
  out.flow_label = vtf & 0xFFFFF;
  out.ip_id = 0;
  out.df = false;
  out.ip_options_len = 0;
  out.src = IpAddr{};
  out.dst = IpAddr{};
  std::memcpy(out.src.b.data(), src.data(), 16);
  std::memcpy(out.dst.b.data(), dst.data(), 16);
  out.tunnel_depth = uint8_t(depth);
  // The payload is clipped to the payload length (jumbograms, plen 0, are taken as captured).
  Bytes body = packet.subspan(40);
  if (plen != 0 && plen < body.size()) body = body.first(plen);
  ByteReader e(body);
  size_t hdr = 40;
  for (int i = 0; i <= kMaxIpv6ExtHeaders; ++i) {
    switch (next) {
      case 0:    // hop-by-hop
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 51: { // AH (length in 4-byte units minus 2)
        if (i == kMaxIpv6ExtHeaders) return DecodeStatus::kMalformed;
        uint8_t nh = e.U8();
        uint8_t len = e.U8();
        size_t total = next == 51 ? (size_t(len) + 2) * 4 : (size_t(len) + 1) * 8;
        e.Skip(total - 2);
        if (!e.ok()) return DecodeStatus::kTruncated;
        hdr += total;
        next = nh;
        continue;
      }
      case 44: {  // fragment
        uint8_t nh = e.U8();
        e.U8();
        e.U16();  // offset + M flag: any fragment is left to the caller
        e.Skip(4);
        if (!e.ok()) return DecodeStatus::kTruncated;
        out.ip_header_len = uint16_t(hdr + 8);
        out.proto = nh;
        return DecodeStatus::kFragment;
      }
      case 59:  // no next header
        out.proto = 59;
        out.ip_header_len = uint16_t(hdr);
        return DecodeStatus::kOtherL4;
      default:
        out.ip_header_len = uint16_t(hdr);
        return DecodeTransport(next, e.Rest(), out, opts, depth);
    }
  }
  return DecodeStatus::kMalformed;
}

}  // namespace

std::string IpAddr::ToString() const {
  // Dotted quad by hand: inet_ntop goes through vfprintf, and every event formats two addresses.
  if (v4) {
    char buf[16];
    char* p = buf;
    for (int i = 12; i < 16; ++i) {
      unsigned v = b[i];
      if (v >= 100) *p++ = char('0' + v / 100);
      if (v >= 10) *p++ = char('0' + v / 10 % 10);
      *p++ = char('0' + v % 10);
      if (i < 15) *p++ = '.';
    }
    return std::string(buf, p);
  }
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  return buf;
}

DecodeStatus DecodeIp(Bytes packet, DecodedPacket& out, const DecodeOptions& opts, int depth) {
  if (packet.empty()) return DecodeStatus::kTruncated;
  switch (packet[0] >> 4) {
    case 4:
      return DecodeIpv4(packet, out, opts, depth);
    case 6:
      return DecodeIpv6(packet, out, opts, depth);
    default:
      return DecodeStatus::kNotIp;
  }
}

DecodeStatus Decode(int link, Bytes frame, DecodedPacket& out, const DecodeOptions& opts) {
  switch (link) {
    case kLinkEthernet:
      return DecodeEthernet(frame, out, opts, 0);
    case kLinkRaw:
    case kLinkRaw101:
    case kLinkIpv4:
    case kLinkIpv6:
      return DecodeIp(frame, out, opts, 0);
    case kLinkNull:
    case kLinkLoop: {
      if (frame.size() < 4) return DecodeStatus::kTruncated;
      uint32_t fam;
      std::memcpy(&fam, frame.data(), 4);
      if (link == kLinkLoop) fam = ntohl(fam);
      // The family may come from a host of the other byte order: accept both spellings.
      if (fam > 0xFFFF) fam = ntohl(fam);
      if (fam == 2 || fam == 10 || fam == 24 || fam == 28 || fam == 30) {
        return DecodeIp(frame.subspan(4), out, opts, 0);
      }
      return DecodeStatus::kNotIp;
    }
    case kLinkLinuxSll: {
      if (frame.size() < 16) return DecodeStatus::kTruncated;
      return DecodeByEthertype(Load16(&frame[14]), frame.subspan(16), out, opts, 0);
    }
    case kLinkLinuxSll2: {
      if (frame.size() < 20) return DecodeStatus::kTruncated;
      return DecodeByEthertype(Load16(&frame[0]), frame.subspan(20), out, opts, 0);
    }
    default:
      return DecodeStatus::kUnsupportedLink;
  }
}

const char* DecodeStatusName(DecodeStatus s) {
  switch (s) {
    case DecodeStatus::kOk: return "ok";
    case DecodeStatus::kNotIp: return "not_ip";
    case DecodeStatus::kOtherL4: return "other_l4";
    case DecodeStatus::kFragment: return "fragment";
    case DecodeStatus::kTruncated: return "truncated";
    case DecodeStatus::kMalformed: return "malformed";
    case DecodeStatus::kUnsupportedLink: return "unsupported_link";
  }
  return "?";
}

}  // namespace decnet::capture
