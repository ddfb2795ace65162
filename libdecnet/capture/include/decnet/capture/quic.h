// QUIC v1 Initial packets (RFC 9000/9001): initial keys from the client's Destination Connection ID
// (HKDF-SHA256 with the v1 salt), header protection removal (AES-128-ECB), payload decryption
// (AES-128-GCM, tag verified) and CRYPTO frame extraction. Everything through libcrypto.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

struct QuicKeys {
  std::array<uint8_t, 32> secret{};
  std::array<uint8_t, 16> key{};
  std::array<uint8_t, 12> iv{};
  std::array<uint8_t, 16> hp{};
};

// RFC 9001 §5.2: the client's (server == false) or server's Initial keys for `dcid`.
QuicKeys DeriveInitialKeys(Bytes dcid, bool server);

// Reads a QUIC variable-length integer; false when truncated.
bool ReadVarint(ByteReader& r, uint64_t* v);

struct QuicInitial {
  uint32_t version = 0;
  std::vector<uint8_t> dcid, scid;
  uint64_t packet_number = 0;
  std::vector<uint8_t> plaintext;  // the decrypted frames
  size_t packet_len = 0;           // bytes of the datagram this packet used (for coalesced packets)
};

// True when `datagram` starts with a QUIC v1 long-header Initial packet.
bool IsQuicInitial(Bytes datagram);

// Decrypts the Initial packet at the start of `datagram` with the keys derived from its own DCID (a
// client's first flight). Returns false when it is not an Initial, is truncated, or the tag is wrong.
bool DecryptClientInitial(Bytes datagram, QuicInitial& out);

// Walks the frames of a decrypted Initial payload and calls fn(offset, data) for each CRYPTO frame.
// Returns false on a malformed or unexpected frame (the frames before it were still reported).
bool ForEachCryptoFrame(Bytes plaintext, const std::function<void(uint64_t, Bytes)>& fn);

// Test helper and the inverse of DecryptClientInitial: protects a client Initial carrying `frames`.
std::vector<uint8_t> ProtectClientInitialForTest(Bytes dcid, Bytes scid, uint32_t pn, Bytes frames);

}  // namespace decnet::capture
