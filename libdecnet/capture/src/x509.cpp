#include "decnet/capture/x509.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace decnet::capture {
namespace {

struct Tlv {
  uint8_t tag = 0;
  Bytes value;
};

// Reads one DER TLV (definite lengths of at most 4 bytes).
bool ReadTlv(ByteReader& r, Tlv& t) {
  t.tag = r.U8();
  uint8_t l = r.U8();
  if (!r.ok()) return false;
  size_t len = l;
  if (l & 0x80) {
    int n = l & 0x7F;
    if (n == 0 || n > 4) return false;
    len = 0;
    for (int i = 0; i < n; ++i) len = len << 8 | r.U8();
  }
  t.value = r.Take(len);
  return r.ok();
}

std::string OidName(Bytes oid) {
  // 2.5.4.x attribute types: 55 04 xx.
  if (oid.size() == 3 && oid[0] == 0x55 && oid[1] == 0x04) {
    switch (oid[2]) {
      case 3: return "CN";
      case 6: return "C";
      case 7: return "L";
      case 8: return "ST";
      case 10: return "O";
      case 11: return "OU";
      case 5: return "serialNumber";
    }
  }
  static const uint8_t kEmail[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};
  if (oid.size() == sizeof kEmail && std::equal(oid.begin(), oid.end(), kEmail)) return "emailAddress";
  std::string hex = "OID.";
  char b[3];
  for (uint8_t c : oid) std::snprintf(b, sizeof b, "%02x", c), hex += b;
  return hex;
}

// Name ::= SEQUENCE OF RDN (SET OF AttributeTypeAndValue). Printed last RDN first (RFC 4514).
bool ParseName(Bytes name, std::string& out, std::string& cn) {
  ByteReader r(name);
  std::vector<std::string> parts;
  while (r.remaining() > 0) {
    Tlv set;
    if (!ReadTlv(r, set) || set.tag != 0x31) return false;
    ByteReader s(set.value);
    while (s.remaining() > 0) {
      Tlv atv, oid, val;
      if (!ReadTlv(s, atv) || atv.tag != 0x30) return false;
      ByteReader a(atv.value);
      if (!ReadTlv(a, oid) || oid.tag != 0x06 || !ReadTlv(a, val)) return false;
      std::string k = OidName(oid.value);
      std::string v(AsChars(val.value));
      if (k == "CN" && cn.empty()) cn = v;
      parts.push_back(k + "=" + v);
    }
  }
  out.clear();
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out.push_back(',');
    out += *it;
  }
  return true;
}

void ParseExtensions(Bytes exts, CertSummary& out) {
  static const uint8_t kSan[] = {0x55, 0x1d, 0x11};
  ByteReader r(exts);
  Tlv seq;
  if (!ReadTlv(r, seq) || seq.tag != 0x30) return;
  ByteReader list(seq.value);
  while (list.remaining() > 0) {
    Tlv ext, oid, item;
    if (!ReadTlv(list, ext) || ext.tag != 0x30) return;
    ByteReader e(ext.value);
    if (!ReadTlv(e, oid) || oid.tag != 0x06) return;
    if (!ReadTlv(e, item)) return;
    if (item.tag == 0x01 && !ReadTlv(e, item)) return;  // critical flag
    if (oid.value.size() != 3 || !std::equal(oid.value.begin(), oid.value.end(), kSan)) continue;
    ByteReader o(item.value);
    Tlv names;
    if (!ReadTlv(o, names) || names.tag != 0x30) return;
    ByteReader n(names.value);
    while (n.remaining() > 0) {
      Tlv gn;
      if (!ReadTlv(n, gn)) return;
      std::string v;
      if (gn.tag == 0x82) {
        v.assign(AsChars(gn.value));
      } else if (gn.tag == 0x87 && gn.value.size() == 4) {
        char b[16];
        std::snprintf(b, sizeof b, "%u.%u.%u.%u", gn.value[0], gn.value[1], gn.value[2], gn.value[3]);
        v = b;
      } else {
        continue;
      }
      if (!out.sans.empty()) out.sans.push_back(',');
      out.sans += v;
    }
  }
}

}  // namespace

bool ParseCertificate(Bytes der, CertSummary& out) {
  ByteReader r(der);
  Tlv cert, tbs;
  if (!ReadTlv(r, cert) || cert.tag != 0x30) return false;
  ByteReader c(cert.value);
  if (!ReadTlv(c, tbs) || tbs.tag != 0x30) return false;
  ByteReader t(tbs.value);
  Tlv f;
  if (!ReadTlv(t, f)) return false;
  if (f.tag == 0xA0 && !ReadTlv(t, f)) return false;  // version, then serial
  Tlv alg, issuer, validity, subject;
  if (!ReadTlv(t, alg) || !ReadTlv(t, issuer) || !ReadTlv(t, validity) || !ReadTlv(t, subject))
    return false;
  if (issuer.tag != 0x30 || validity.tag != 0x30 || subject.tag != 0x30) return false;
  if (!ParseName(issuer.value, out.issuer, out.issuer_cn)) return false;
  if (!ParseName(subject.value, out.subject, out.subject_cn)) return false;
  ByteReader v(validity.value);
  Tlv nb, na;
  if (!ReadTlv(v, nb) || !ReadTlv(v, na)) return false;
  out.not_before.assign(AsChars(nb.value));
  out.not_after.assign(AsChars(na.value));
  out.self_signed = out.subject == out.issuer;
  Tlv rest;
  while (t.remaining() > 0 && ReadTlv(t, rest)) {
    if (rest.tag == 0xA3) ParseExtensions(rest.value, out);
  }
  return true;
}

Bytes FirstCertificate(Bytes msg) {
  ByteReader r(msg);
  if (r.U8() != 11) return {};
  r.U24();  // message length (the message may be incomplete)
  r.U24();  // certificate_list length
  uint32_t len = r.U24();
  Bytes der = r.Take(len);
  return r.ok() ? der : Bytes{};
}

}  // namespace decnet::capture
