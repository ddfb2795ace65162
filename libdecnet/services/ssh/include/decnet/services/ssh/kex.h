// Host keys and key exchange methods of the SSH server (RFC 4253 §8, RFC 5656, RFC 8731, RFC 4419,
// RFC 8332). Each method consumes the client's KEX messages and produces the server's reply, the
// shared secret K (as it is encoded in the exchange hash) and the exchange hash H.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/services/ssh/crypto.h"

namespace decnet::services::ssh {

class HostKey {
 public:
  virtual ~HostKey() = default;
  // The public key blob (RFC 4253 §6.6), e.g. string "ssh-ed25519" || string key.
  virtual std::string Blob() const = 0;
  // A signature blob (string alg || string sig) over `data` with signature algorithm `alg`.
  virtual std::string Sign(std::string_view alg, std::string_view data) const = 0;
};

// The decky's host keys (ed25519, RSA-3072, ECDSA P-256), made once and kept under `dir`
// (ssh_host_*_key, 0600) so a restart shows the same fingerprints. An empty dir keeps them in
// memory. RSA generation takes a second or more, so it happens only when the file is absent.
class HostKeys {
 public:
  static HostKeys LoadOrCreate(const std::string& dir);
  // The key that signs with host key algorithm `alg` (ssh-ed25519, rsa-sha2-512, ...), or nullptr.
  const HostKey* For(std::string_view alg) const;
  bool created() const { return created_; }  // at least one key was generated this start

  std::shared_ptr<HostKey> ed25519, rsa, ecdsa;

 private:
  bool created_ = false;
};

// What every exchange hash starts with.
struct KexContext {
  std::string v_c, v_s, i_c, i_s;  // identification strings (no CRLF) and KEXINIT payloads
  const HostKey* host_key = nullptr;
  std::string host_key_alg;
};

class KexMethod {
 public:
  virtual ~KexMethod() = default;
  virtual HashAlg hash() const = 0;
  // The first client message this method expects (30 for ECDH/DH/curve25519, 34 for GEX).
  // Returns false on a malformed or unexpected message (the transport disconnects).
  virtual bool OnMessage(uint8_t type, std::string_view payload, const KexContext& ctx,
                         std::vector<std::string>* replies) = 0;
  bool done() const { return !h_.empty(); }
  const std::string& k() const { return k_; }  // K as encoded in the hash (mpint or string)
  const std::string& h() const { return h_; }

 protected:
  // Signs H and builds the reply message `type` with K_S, `server_public` (already encoded) and
  // sig.
  std::string Finish(uint8_t type, const KexContext& ctx, std::string_view hash_middle,
                     std::string_view server_public_field, std::string shared_encoded);
  std::string k_, h_;
};

// nullptr for a name the server does not implement.
std::unique_ptr<KexMethod> NewKexMethod(std::string_view name);
bool KexImplemented(std::string_view name);

// "SHA256:<base64 without padding>" as OpenSSH prints a key fingerprint.
std::string Sha256Fingerprint(std::string_view key_blob);

// RFC 4253 §7.2: HASH(K || H || letter || session_id), extended to `len` bytes.
std::string DeriveKey(HashAlg alg, std::string_view k, std::string_view h, char letter,
                      std::string_view session_id, size_t len);

}  // namespace decnet::services::ssh
