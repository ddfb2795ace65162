// The first certificate of a TLS 1.0-1.2 Certificate message: subject, issuer, validity, SANs,
// self-signed. A small DER walker with every length checked; no signature or chain validation.
#pragma once

#include <string>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

struct CertSummary {
  std::string subject, issuer;        // RFC 4514 order, as Zeek prints: "CN=x,O=y,C=US"
  std::string subject_cn, issuer_cn;
  std::string not_before, not_after;  // as encoded (UTCTime "YYMMDDhhmmssZ" or GeneralizedTime)
  std::string sans;                   // DNS names and IPs, comma-separated
  bool self_signed = false;           // subject == issuer
};

// One DER TLV with a low tag number and a definite length of at most 4 bytes (all X.509 needs).
struct DerTlv {
  uint8_t tag = 0;
  Bytes value;
};
// Reads one TLV at `r`; false (r may be left anywhere) on a high tag number, an indefinite or over-long
// length, or a value running past the input.
bool ReadDer(ByteReader& r, DerTlv& out);

// `der` is one DER certificate. Returns false when it is not one.
bool ParseCertificate(Bytes der, CertSummary& out);

// `msg_prefix` is the start of a Certificate handshake message (type 11), possibly incomplete: only the
// first certificate must be present. Returns the first certificate's DER, or an empty span.
Bytes FirstCertificate(Bytes msg_prefix);

}  // namespace decnet::capture
