#include "decnet/capture/ja4plus.h"

#include <algorithm>
#include <cstdint>

#include "decnet/capture/decode.h"
#include "decnet/capture/hash.h"
#include "decnet/capture/x509.h"

namespace decnet::capture {
namespace {

void AppendHex(Bytes b, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  for (uint8_t c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
}

void AppendOid(Bytes oid, std::string& list) {
  if (!list.empty()) list.push_back(',');
  AppendHex(oid, list);
}

// Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue): every attribute
// type in encoded order, RDN by RDN.
bool NameOids(Bytes name, std::string& list) {
  ByteReader r(name);
  while (r.remaining() > 0) {
    DerTlv rdn;
    if (!ReadDer(r, rdn) || rdn.tag != 0x31) return false;
    ByteReader s(rdn.value);
    while (s.remaining() > 0) {
      DerTlv atv, oid;
      if (!ReadDer(s, atv) || atv.tag != 0x30) return false;
      ByteReader a(atv.value);
      if (!ReadDer(a, oid) || oid.tag != 0x06) return false;
      AppendOid(oid.value, list);
    }
  }
  return true;
}

// [3] EXPLICIT Extensions ::= SEQUENCE OF Extension (SEQUENCE { extnID OID, critical?, extnValue
// }).
bool ExtensionOids(Bytes explicit3, std::string& list) {
  ByteReader outer(explicit3);
  DerTlv seq;
  if (!ReadDer(outer, seq) || seq.tag != 0x30) return false;
  ByteReader r(seq.value);
  while (r.remaining() > 0) {
    DerTlv ext, oid;
    if (!ReadDer(r, ext) || ext.tag != 0x30) return false;
    ByteReader e(ext.value);
    if (!ReadDer(e, oid) || oid.tag != 0x06) return false;
    AppendOid(oid.value, list);
  }
  return true;
}

}  // namespace

bool ComputeJa4x(Bytes der, Ja4x& out) {
  ByteReader r(der);
  DerTlv cert, tbs, field;
  if (!ReadDer(r, cert) || cert.tag != 0x30) return false;
  ByteReader c(cert.value);
  if (!ReadDer(c, tbs) || tbs.tag != 0x30) return false;
  ByteReader t(tbs.value);
  if (!ReadDer(t, field)) return false;
  if (field.tag == 0xA0 && !ReadDer(t, field)) return false;  // [0] version, then the serial
  DerTlv sig_alg, issuer, validity, subject;
  if (!ReadDer(t, sig_alg) || !ReadDer(t, issuer) || !ReadDer(t, validity) || !ReadDer(t, subject))
    return false;
  if (issuer.tag != 0x30 || subject.tag != 0x30) return false;
  std::string issuer_oids, subject_oids, ext_oids;
  if (!NameOids(issuer.value, issuer_oids) || !NameOids(subject.value, subject_oids)) return false;
  // subjectPublicKeyInfo, [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions.
  while (t.remaining() > 0) {
    if (!ReadDer(t, field)) return false;
    if (field.tag == 0xA3 && !ExtensionOids(field.value, ext_oids)) return false;
  }
  out.ja4x =
      Sha256Hex12(issuer_oids) + '_' + Sha256Hex12(subject_oids) + '_' + Sha256Hex12(ext_oids);
  out.ja4x_r = issuer_oids + '_' + subject_oids + '_' + ext_oids;
  return true;
}

std::vector<Bytes> CertificateChain(Bytes msg, size_t max_certs) {
  std::vector<Bytes> chain;
  ByteReader r(msg);
  if (r.U8() != 11) return chain;
  r.U24();  // message length (the message may be cut short)
  size_t list_len = r.U24();
  ByteReader list(r.Take(std::min(list_len, r.remaining())));
  while (list.remaining() >= 3 && chain.size() < max_certs) {
    Bytes der = list.Take(list.U24());
    if (!list.ok()) break;
    chain.push_back(der);
  }
  return chain;
}

// ---- JA4L
// -------------------------------------------------------------------------------------------

bool Ja4l::MarkServer(uint32_t now, uint8_t ttl) {
  int32_t since = int32_t(now - t_);  // wrap-aware; negative when the capture went back in time
  if (since < 0) return false;
  half_s_ = since / 2;
  t_ = now;
  server_ttl_ = ttl;
  return true;
}

void Ja4l::OnTcpPacket(int64_t ts_us, uint8_t flags, bool from_client, uint8_t ttl) {
  bool syn = flags & kSyn, ack = flags & kAck;
  uint32_t now = uint32_t(ts_us);
  switch (state_) {
    case kWantSyn:
      if (syn && !ack && from_client) {
        t_ = now;
        client_ttl_ = ttl;
        state_ = kWantSynAck;
      }
      break;
    case kWantSynAck:
      if (syn && ack && !from_client && MarkServer(now, ttl)) state_ = kWantAck;
      break;
    case kWantAck:
      if (!syn && ack && from_client && int32_t(now - t_) >= 0) {
        half_c_ = int32_t(now - t_) / 2;
        state_ = kDone;
      }
      break;
    default:
      break;
  }
}

void Ja4l::OnQuicPacket(int64_t ts_us, int type, bool from_client, uint8_t ttl) {
  constexpr int kInitial = 0, kHandshake = 2;
  uint32_t now = uint32_t(ts_us);
  switch (state_) {
    case kWantSyn:
      if (type == kInitial && from_client) {
        t_ = now;
        client_ttl_ = ttl;
        state_ = kWantSynAck;
      }
      break;
    case kWantSynAck:
      if (type == kInitial && !from_client && MarkServer(now, ttl)) state_ = kQuicWantServerHs;
      break;
    case kQuicWantServerHs:
    case kQuicHandshake:
      if (type == kHandshake && !from_client) {
        t_ = now;  // the latest server Handshake packet is C
        state_ = kQuicHandshake;
      } else if (type == kHandshake && state_ == kQuicHandshake && int32_t(now - t_) >= 0) {
        half_c_ = int32_t(now - t_) / 2;
        state_ = kDone;
      }
      break;
    default:
      break;
  }
}

int QuicLongPacketType(Bytes d) {
  if (d.size() < 7 || (d[0] & 0xC0) != 0xC0 || Load32(&d[1]) != 1) return -1;
  return (d[0] >> 4) & 3;
}

std::string Ja4l::Server() const {
  if (!has_server()) return {};
  return std::to_string(half_s_) + '_' + std::to_string(server_ttl_);
}

std::string Ja4l::Client() const {
  if (!has_client()) return {};
  return std::to_string(half_c_) + '_' + std::to_string(client_ttl_);
}

// ---- JA4SSH
// -----------------------------------------------------------------------------------------

void Ja4Ssh::Side::Add(uint16_t l) {
  ++packets;
  for (uint8_t i = 0; i < used; ++i) {
    if (len[i] == l) {
      ++count[i];
      return;
    }
  }
  if (used < kSlots) {
    len[used] = l;
    count[used++] = 1;
  } else {
    ++untracked;
  }
}

uint16_t Ja4Ssh::Side::Mode(bool* exact) const {
  uint16_t best = 0, best_count = 0;
  for (uint8_t i = 0; i < used; ++i) {
    if (count[i] > best_count || (count[i] == best_count && len[i] < best)) {
      best = len[i];
      best_count = count[i];
    }
  }
  // A length that never got a slot has at most `untracked` packets.
  *exact = untracked < best_count || untracked == 0;
  return best;
}

void Ja4Ssh::AddSshPacket(bool from_client, uint16_t payload_len) {
  side_[from_client ? 0 : 1].Add(payload_len);
}

void Ja4Ssh::AddBareAck(bool from_client) {
  Side& s = side_[from_client ? 0 : 1];
  if (s.acks < UINT16_MAX) ++s.acks;
}

bool Ja4Ssh::exact() const {
  bool c, s;
  side_[0].Mode(&c);
  side_[1].Mode(&s);
  return c && s;
}

std::string Ja4Ssh::Fingerprint() const {
  bool exact;
  const Side& c = side_[0];
  const Side& s = side_[1];
  std::string out = "c" + std::to_string(c.Mode(&exact)) + "s" + std::to_string(s.Mode(&exact));
  out += "_c" + std::to_string(c.packets) + "s" + std::to_string(s.packets);
  out += "_c" + std::to_string(c.acks) + "s" + std::to_string(s.acks);
  return out;
}

}  // namespace decnet::capture
