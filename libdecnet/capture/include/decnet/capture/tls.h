// TLS handshake parsing and fingerprints: JA3 / JA3S (Salesforce), JA4 (FoxIO, BSD-3-Clause) and JA4S
// (FoxIO License 1.1: computed only when the caller enables it, see AnalyzerOptions::foxio_licensed).
// Parsers take one complete handshake message (type + 3-byte length + body) and check every length.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

// GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa.
inline bool IsGrease(uint16_t v) { return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF); }

struct ClientHello {
  uint16_t legacy_version = 0;
  std::vector<uint16_t> ciphers;      // as sent, GREASE included
  std::vector<uint16_t> extensions;   // as sent, GREASE included
  std::vector<uint16_t> groups;       // supported_groups
  std::vector<uint8_t> point_formats;
  std::vector<uint16_t> sig_algs;
  std::vector<uint16_t> versions;     // supported_versions
  std::vector<std::string> alpn;
  std::string sni;
  bool has_sni = false;
  bool has_session_ticket_data = false;
  bool has_psk = false;
  bool has_early_data = false;
  uint8_t session_id_len = 0;
};

struct ServerHello {
  uint16_t legacy_version = 0;
  uint16_t cipher = 0;
  std::vector<uint16_t> extensions;  // as sent
  uint16_t selected_version = 0;     // supported_versions, 0 when absent
  std::string alpn;
};

// `msg` is one handshake message: type(1)=1, length(3), body. Returns false on any malformed length.
bool ParseClientHello(Bytes msg, ClientHello& out);
// `msg` is one handshake message of type 2.
bool ParseServerHello(Bytes msg, ServerHello& out);

struct Ja3 {
  std::string text;  // "771,4865-4866,...,0-23,...,29-23,0"
  std::string md5;
};
Ja3 ComputeJa3(const ClientHello& ch);
Ja3 ComputeJa3s(const ServerHello& sh);

// The JA4 forms FoxIO publishes: sorted (ja4, ja4_r) and original order (ja4_o, ja4_ro).
struct Ja4 {
  std::string ja4, ja4_r, ja4_o, ja4_ro;
};
// `transport` is 't' (TCP), 'q' (QUIC) or 'd' (DTLS).
Ja4 ComputeJa4(const ClientHello& ch, char transport);

struct Ja4s {
  std::string ja4s, ja4s_r;
};
Ja4s ComputeJa4s(const ServerHello& sh, char transport);

// "TLSv1.2"-style name of a protocol version, or "0x...." when unknown.
std::string TlsVersionName(uint16_t v);

// Walks TLS records (content type 22) in `stream` and appends their handshake fragments to `handshake`
// (at most `max_bytes` in all). Returns the number of stream bytes consumed (whole records only).
// ChangeCipherSpec records are skipped, and the handshake offset of the first one is stored in *ccs_at
// (SIZE_MAX when none): what follows a CCS is encrypted unless it is a HelloRetryRequest's second
// ClientHello. Stops at the first other non-handshake record and sets *non_handshake.
size_t CollectHandshakeBytes(Bytes stream, std::vector<uint8_t>& handshake, size_t max_bytes,
                             bool* non_handshake, size_t* ccs_at = nullptr);

// Walks the complete handshake messages in `handshake`: fn(type, message, offset). Returns false when
// the last message is incomplete.
template <typename Fn>
bool ForEachHandshakeMessage(Bytes handshake, Fn fn) {
  size_t pos = 0;
  while (handshake.size() - pos >= 4) {
    size_t len = size_t(handshake[pos + 1]) << 16 | size_t(handshake[pos + 2]) << 8 |
                 handshake[pos + 3];
    if (handshake.size() - pos - 4 < len) return false;
    if (!fn(handshake[pos], handshake.subspan(pos, 4 + len), pos)) return true;
    pos += 4 + len;
  }
  return pos == handshake.size();
}

// First complete handshake message of `type` in the handshake byte stream, or an empty span.
// *incomplete is set when a message header is present but its body is not all there yet.
Bytes FindHandshakeMessage(Bytes handshake, uint8_t type, bool* incomplete);

}  // namespace decnet::capture
