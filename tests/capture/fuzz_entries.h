// The entry functions of the capture fuzz targets (tests/fuzz/capture_*.cpp), shared with the gtest
// that feeds them hostile inputs in every normal build. Each must accept any bytes without crashing,
// leaking or reading out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/decode.h"
#include "decnet/capture/http.h"
#include "decnet/capture/ja4plus.h"
#include "decnet/capture/quic.h"
#include "decnet/capture/ssh.h"
#include "decnet/capture/tcpfp.h"
#include "decnet/capture/tls.h"
#include "decnet/capture/x509.h"

namespace decnet::capture::fuzz {

// Link layer to transport, for every link type we decode; the first byte picks the link type.
inline void Decoder(const uint8_t* data, size_t size) {
  static const int kLinks[] = {kLinkEthernet, kLinkRaw, kLinkNull, kLinkLoop, kLinkLinuxSll,
                               kLinkLinuxSll2, kLinkIpv4, kLinkIpv6};
  if (size == 0) return;
  int link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
  DecodedPacket p;
  std::vector<uint8_t> copy(data + 1, data + size);
  if (Decode(link, copy, p) == DecodeStatus::kOk && p.proto == 6) {
    if (p.tcp_flags & kSyn) FingerprintSyn(p);
    ParseTcpOptions(p.tcp_options);
  }
}

// TLS records -> handshake messages -> ClientHello/ServerHello -> JA3/JA4/JA4S.
inline void Tls(const uint8_t* data, size_t size) {
  std::vector<uint8_t> in(data, data + size), hs;
  bool non_hs = false;
  size_t ccs = 0;
  CollectHandshakeBytes(in, hs, 1 << 16, &non_hs, &ccs);
  ForEachHandshakeMessage(hs, [](uint8_t type, Bytes msg, size_t) {
    if (type == 1) {
      ClientHello ch;
      if (ParseClientHello(msg, ch)) ComputeJa3(ch), ComputeJa4(ch, 't');
    } else if (type == 2) {
      ServerHello sh;
      if (ParseServerHello(msg, sh)) ComputeJa3s(sh), ComputeJa4s(sh, 't');
    }
    return true;
  });
  CertSummary cert;
  ParseCertificate(in, cert);
  Bytes first = FirstCertificate(in);
  if (!first.empty()) ParseCertificate(first, cert);
  // The raw bytes as one handshake message too.
  ClientHello ch;
  if (ParseClientHello(in, ch)) ComputeJa4(ch, 'q');
}

inline void Ssh(const uint8_t* data, size_t size) {
  std::vector<uint8_t> in(data, data + size);
  std::string banner;
  size_t used = ParseSshBanner(in, &banner);
  SshKexInit k;
  bool incomplete;
  Bytes rest = (used != 0 && used != SIZE_MAX) ? Bytes(in).subspan(used) : Bytes(in);
  if (ParseSshKexInit(rest, k, &incomplete)) Hassh(k, false);
}

inline void Http(const uint8_t* data, size_t size) {
  std::vector<uint8_t> in(data, data + size);
  HttpRequest req;
  size_t used = ParseHttpRequest(in, req);
  if (used != 0 && used != SIZE_MAX) ComputeJa4h(req);
}

inline void Quic(const uint8_t* data, size_t size) {
  std::vector<uint8_t> in(data, data + size);
  QuicInitial qi;
  DecryptClientInitial(in, qi);
  // The bytes as a decrypted payload as well: the frame walker sees attacker plaintext too.
  ForEachCryptoFrame(in, [](uint64_t, Bytes) {});
}

// JA4X over the bytes as one DER certificate and as a Certificate message's chain; then the bytes as a
// packet script for the JA4L and JA4SSH state (flags, direction, lengths, time steps from the input).
inline void Ja4Plus(const uint8_t* data, size_t size) {
  std::vector<uint8_t> in(data, data + size);
  Ja4x j;
  ComputeJa4x(in, j);
  for (Bytes cert : CertificateChain(in, 8)) ComputeJa4x(cert, j);
  Ja4l l, q;
  Ja4Ssh s;
  QuicLongPacketType(in);
  int64_t ts = 0;
  for (size_t i = 0; i + 2 < size; i += 3) {
    ts += data[i + 2];
    bool client = data[i] & 0x80;
    l.OnTcpPacket(ts, data[i + 1], client, data[i]);
    q.OnQuicPacket(ts, data[i + 1] & 3, client, data[i]);
    if (data[i] & 1) s.AddSshPacket(client, uint16_t(data[i + 1] << 4 | data[i + 2]));
    else s.AddBareAck(client);
    if (s.ssh_packets() >= 200) s.Fingerprint(), s.exact(), s.Reset();
  }
  l.Client(), l.Server(), q.Client(), q.Server(), s.Fingerprint();
}

// A stream of raw IPv4/IPv6 packets (2-byte length prefixes) through the whole analyzer with tiny bounds.
inline void Analyzer_(const uint8_t* data, size_t size) {
  AnalyzerOptions o;
  o.max_flows = 8;
  o.stream_cap = 512;
  o.stream_budget = 2048;
  o.max_ipid_sources = 4;
  o.foxio_licensed = true;
  Analyzer a(o, [](const Event&) {});
  size_t pos = 0;
  double ts = 1;
  while (size - pos >= 2) {
    size_t len = size_t(data[pos]) << 8 | data[pos + 1];
    pos += 2;
    len = std::min(len, size - pos);
    std::vector<uint8_t> pkt(data + pos, data + pos + len);
    pos += len;
    DecodedPacket p;
    if (Decode(kLinkRaw, pkt, p) == DecodeStatus::kOk) a.OnPacket(ts, p);
    ts += 0.5;
  }
  a.FlushAll();
}

}  // namespace decnet::capture::fuzz
