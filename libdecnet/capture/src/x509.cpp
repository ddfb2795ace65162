#include "decnet/capture/x509.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace decnet::capture {
namespace {

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
    DerTlv set;
    if (!ReadDer(r, set) || set.tag != 0x31) return false;
    ByteReader s(set.value);
    while (s.remaining() > 0) {
      DerTlv atv, oid, val;
      if (!ReadDer(s, atv) || atv.tag != 0x30) return false;
      ByteReader a(atv.value);
      if (!ReadDer(a, oid) || oid.tag != 0x06 || !ReadDer(a, val)) return false;
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
  DerTlv seq;
  if (!ReadDer(r, seq) || seq.tag != 0x30) return;
  ByteReader list(seq.value);
  while (list.remaining() > 0) {
    DerTlv ext, oid, item;
    if (!ReadDer(list, ext) || ext.tag != 0x30) return;
    ByteReader e(ext.value);
    if (!ReadDer(e, oid) || oid.tag != 0x06) return;
    if (!ReadDer(e, item)) return;
    if (item.tag == 0x01 && !ReadDer(e, item)) return;  // critical flag
    if (oid.value.size() != 3 || !std::equal(oid.value.begin(), oid.value.end(), kSan)) continue;
    ByteReader o(item.value);
    DerTlv names;
    if (!ReadDer(o, names) || names.tag != 0x30) return;
    ByteReader n(names.value);
    while (n.remaining() > 0) {
      DerTlv gn;
      if (!ReadDer(n, gn)) return;
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
  DerTlv cert, tbs;
  if (!ReadDer(r, cert) || cert.tag != 0x30) return false;
  ByteReader c(cert.value);
  if (!ReadDer(c, tbs) || tbs.tag != 0x30) return false;
  ByteReader t(tbs.value);
  DerTlv f;
  if (!ReadDer(t, f)) return false;
  if (f.tag == 0xA0 && !ReadDer(t, f)) return false;  // version, then serial
  DerTlv alg, issuer, validity, subject;
  if (!ReadDer(t, alg) || !ReadDer(t, issuer) || !ReadDer(t, validity) || !ReadDer(t, subject))
    return false;
  if (issuer.tag != 0x30 || validity.tag != 0x30 || subject.tag != 0x30) return false;
  if (!ParseName(issuer.value, out.issuer, out.issuer_cn)) return false;
  if (!ParseName(subject.value, out.subject, out.subject_cn)) return false;
  ByteReader v(validity.value);
  DerTlv nb, na;
  if (!ReadDer(v, nb) || !ReadDer(v, na)) return false;
  out.not_before.assign(AsChars(nb.value));
  out.not_after.assign(AsChars(na.value));
  out.self_signed = out.subject == out.issuer;
  DerTlv rest;
  while (t.remaining() > 0 && ReadDer(t, rest)) {
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

bool ReadDer(ByteReader& r, DerTlv& out) {
  out.tag = r.U8();
  uint8_t first = r.U8();
  if (!r.ok() || (out.tag & 0x1F) == 0x1F) return false;
  size_t len = first;
  if (first & 0x80) {
    int n = first & 0x7F;
    if (n == 0 || n > 4) return false;
    len = 0;
    for (int i = 0; i < n; ++i) len = len << 8 | r.U8();
  }
  out.value = r.Take(len);
  return r.ok();
}

}  // namespace decnet::capture
