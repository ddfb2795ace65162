// libFuzzer target: the first byte picks the consumer. 0: the input as an sntrup761 public key
// (zero-padded or cut to 1158 bytes) encapsulated to; 1: as a ciphertext decapsulated under a fixed
// key pair (must be deterministic); 2: UMAC with the first 16 bytes as key, the next 8 as nonce and
// the rest as message, for every tag size (Tag and Verify must agree, in bounds).
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "decnet/services/ssh_crypto/sntrup761.h"
#include "decnet/services/ssh_crypto/umac.h"

using namespace decnet::services::ssh_crypto;

namespace {

template <size_t N>
void Fit(const uint8_t* data, size_t size, uint8_t (&out)[N]) {
  std::memset(out, 0, N);
  std::memcpy(out, data, size < N ? size : N);
}

struct KeyPair {
  uint8_t pk[kSntrup761PublicKeyBytes], sk[kSntrup761SecretKeyBytes];
  KeyPair() {
    if (!Sntrup761KeyPair(pk, sk)) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t which = data[0];
  ++data;
  --size;
  if (which % 3 == 2) {
    uint8_t key[16], nonce[8];
    Fit(data, size, key);
    Fit(size > 16 ? data + 16 : data, size > 16 ? size - 16 : 0, nonce);
    const uint8_t* msg = size > 24 ? data + 24 : data;
    size_t len = size > 24 ? size - 24 : 0;
    for (size_t tag_bytes : {4, 8, 12, 16}) {
      Umac mac(key, tag_bytes);
      uint8_t tag[16];
      mac.Tag(nonce, msg, len, tag);
      if (!mac.ok() || !mac.Verify(nonce, msg, len, tag)) std::abort();
    }
  } else if (which % 3 == 0) {
    uint8_t pk[kSntrup761PublicKeyBytes], ct[kSntrup761CiphertextBytes], key[32];
    Fit(data, size, pk);
    if (!Sntrup761Encapsulate(pk, ct, key)) std::abort();
  } else {
    static KeyPair kp;
    uint8_t ct[kSntrup761CiphertextBytes], k1[32], k2[32];
    Fit(data, size, ct);
    if (!Sntrup761Decapsulate(ct, kp.sk, k1) || !Sntrup761Decapsulate(ct, kp.sk, k2)) std::abort();
    if (std::memcmp(k1, k2, 32) != 0) std::abort();
  }
  return 0;
}
