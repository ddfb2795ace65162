// Packet protection of one direction (RFC 4253 §6): the ciphers and MACs a decky negotiates, behind
// one interface so the packet layer does not care whether the length is encrypted
// (chacha20-poly1305, CTR with an encrypt-and-MAC), sent in clear as AAD (AES-GCM) or MACed after
// encryption (-etm).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace decnet::services::ssh {

enum class HashAlg : uint8_t { kSha1, kSha256, kSha384, kSha512 };
std::string Hash(HashAlg alg, std::string_view data);
size_t HashLen(HashAlg alg);

class PacketCipher {
 public:
  virtual ~PacketCipher() = default;
  // Padding aligns to this; the length field counts in it unless LengthInAad().
  virtual size_t block() const = 0;
  virtual bool LengthInAad() const = 0;
  virtual size_t tag_len() const = 0;
  // Incoming: how many leading bytes reveal packet_length, and that length (decrypting them if the
  // cipher must, which is remembered for Open).
  virtual size_t first_len() const = 0;
  virtual uint32_t PeekLength(uint32_t seq, const uint8_t* first) = 0;
  // `packet` = the 4 length bytes + packet_length bytes as received, followed by tag_len() bytes.
  // Writes padding_length||payload||padding to *plain; false on a bad MAC / tag.
  virtual bool Open(uint32_t seq, std::string_view packet, std::string* plain) = 0;
  // `packet` = length||padding_length||payload||padding in clear; returns the bytes to send.
  virtual std::string Seal(uint32_t seq, std::string_view packet) = 0;
};

// Initial (no protection).
std::unique_ptr<PacketCipher> NewPlainCipher();

// Key material a cipher and a MAC need, by name; 0 for an unknown name.
struct CipherSpec {
  size_t key_len = 0, iv_len = 0;
  bool aead = false;  // no separate MAC
};
CipherSpec CipherSpecOf(std::string_view name);
size_t MacKeyLen(std::string_view mac);  // 0: unknown

// Builds the protection of one direction; nullptr when the pair is not implemented.
std::unique_ptr<PacketCipher> NewPacketCipher(std::string_view cipher, std::string_view mac,
                                              std::string_view key, std::string_view iv,
                                              std::string_view mac_key);

// True for the names NewPacketCipher implements (used to filter what a test expects).
bool CipherImplemented(std::string_view cipher);
bool MacImplemented(std::string_view mac);

}  // namespace decnet::services::ssh
