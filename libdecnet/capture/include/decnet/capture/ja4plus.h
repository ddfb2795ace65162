// The rest of FoxIO's JA4+ family: JA4X (X.509 certificate), JA4L (light distance / latency) and
// JA4SSH (SSH session). All three are under the FoxIO License 1.1 (not BSD): the analyzer computes
// them only with AnalyzerOptions::foxio_licensed. Pure functions and small fixed-size state, no
// allocation per packet. Specification: github.com/FoxIO-LLC/ja4, technical_details/JA4X.md,
// JA4L.md, JA4SSH.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

// ---- JA4X
// ------------------------------------------------------------------------------------------- JA4X
// = h(issuer RDN OIDs) _ h(subject RDN OIDs) _ h(extension OIDs): each part is the lowercase hex of
// the OIDs' DER content bytes ("550403" for CN), in certificate order, comma-joined; h is the first
// 12 hex characters of its SHA-256, "000000000000" for an empty list (a v1 certificate has no
// extensions). ja4x_r is the three comma-joined lists joined by "_".
struct Ja4x {
  std::string ja4x, ja4x_r;
};

// `der` is one DER certificate. Returns false when the issuer, the subject or the extensions cannot
// be walked (every length is checked; nothing outside `der` is read).
bool ComputeJa4x(Bytes der, Ja4x& out);

// The certificates of a TLS 1.0-1.2 Certificate handshake message (`msg` starts at the type byte
// 11), in the order sent, at most `max_certs`. A message cut short yields the certificates that are
// whole.
std::vector<Bytes> CertificateChain(Bytes msg, size_t max_certs);

// ---- JA4L
// ------------------------------------------------------------------------------------------- TCP:
// JA4L-S = ((B - A) / 2)_serverTTL and JA4L-C = ((C - B) / 2)_clientTTL, in whole microseconds
// (integer division), where A is the client's SYN, B the server's SYN-ACK and C the client's ACK
// that completes the handshake; the TTL (IPv6 hop limit) is the one of the SYN (client) and of the
// SYN-ACK (server). Only the first SYN and the first SYN-ACK count, as in FoxIO's reference state
// machine. QUIC: A = the client's first Initial, B = the server's first Initial, C = the server's
// last Handshake packet before D = the client's first Handshake packet; JA4L-S = ((B - A) /
// 2)_serverTTL, JA4L-C =
// ((D - C) / 2)_clientTTL. A datagram counts by the type of its first (long-header) packet, as
// FoxIO's tool reads tshark's first quic.long.packet_type. 16 bytes: the time is kept modulo 2^32
// µs (71 minutes); handshake gaps are far shorter than half that.
class Ja4l {
 public:
  // One TCP packet of the flow, `ts_us` in microseconds; `from_client` as the flow is oriented.
  void OnTcpPacket(int64_t ts_us, uint8_t tcp_flags, bool from_client, uint8_t ttl);
  // One QUIC datagram whose first packet has long-header type `long_type` (QuicLongPacketType).
  void OnQuicPacket(int64_t ts_us, int long_type, bool from_client, uint8_t ttl);
  bool has_server() const { return state_ >= kWantAck; }
  bool has_client() const { return state_ == kDone; }
  std::string Server() const;  // "" until B is seen
  std::string Client() const;  // "" until C (TCP) / D (QUIC) is seen

 private:
  enum State : uint8_t {
    kWantSyn,
    kWantSynAck,
    kWantAck,
    kQuicWantServerHs,
    kQuicHandshake,
    kDone
  };
  // Marks the time `now` as B (server side done) when it is not earlier than A.
  bool MarkServer(uint32_t now, uint8_t ttl);
  uint32_t t_ = 0;  // A's time, then B's (TCP) or C's (QUIC), µs modulo 2^32
  int32_t half_s_ = 0, half_c_ = 0;
  uint8_t client_ttl_ = 0, server_ttl_ = 0;
  State state_ = kWantSyn;
};

// The packet type of a QUIC v1 long-header packet at the start of `datagram` (0 Initial, 1 0-RTT,
// 2 Handshake, 3 Retry), or -1 for anything else.
int QuicLongPacketType(Bytes datagram);

// ---- JA4SSH
// ----------------------------------------------------------------------------------------- JA4SSH
// = c{mode of client SSH payload lengths}s{mode of server ones}_c{client SSH packets}s{server SSH
// packets}_c{client bare ACKs}s{server bare ACKs}, over a window of `window` SSH packets (200 by
// default): a fingerprint each time client + server SSH packets reach the window, and one for the
// last partial window when the flow ends. The mode's ties go to the smaller length; an empty side's
// mode is 0.
//
// The length histogram is a fixed table of kSlots distinct lengths per direction (SSH sessions use
// a handful: 36/52/68-byte keystrokes, 1460-byte bulk). A length that finds the table full is
// counted as `untracked`: the mode is still exact when the top count beats the untracked count, and
// exact() says so.
class Ja4Ssh {
 public:
  static constexpr int kSlots = 16;

  void AddSshPacket(bool from_client, uint16_t payload_len);
  void AddBareAck(bool from_client);
  uint32_t ssh_packets() const { return side_[0].packets + side_[1].packets; }
  // True when no SSH payload was counted (FoxIO emits no fingerprint for such a window).
  bool empty() const { return ssh_packets() == 0; }
  // True when both modes are certainly the exact mode of the window.
  bool exact() const;
  std::string Fingerprint() const;
  void Reset() { *this = Ja4Ssh(); }

 private:
  struct Side {
    uint16_t len[kSlots] = {};
    uint16_t count[kSlots] = {};
    uint8_t used = 0;
    uint16_t untracked = 0;
    uint16_t packets = 0, acks = 0;
    void Add(uint16_t l);
    uint16_t Mode(bool* exact) const;
  };
  Side side_[2];  // [0] client, [1] server
};

}  // namespace decnet::capture
