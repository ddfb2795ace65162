// Command-line access to the primitives for the OpenSSH oracle (openssh_oracle.py), hex in and out:
//   svc_ssh_crypto_tool encap PK_HEX                       -> CT_HEX KEY_HEX
//   svc_ssh_crypto_tool keypair                            -> PK_HEX SK_HEX
//   svc_ssh_crypto_tool decap CT_HEX SK_HEX                -> KEY_HEX
//   svc_ssh_crypto_tool umac TAG_BYTES KEY_HEX SEQ DATA_HEX -> TAG_HEX (nonce: SEQ as 8 bytes BE)
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "decnet/services/ssh_crypto/sntrup761.h"
#include "decnet/services/ssh_crypto/umac.h"

using namespace decnet::services::ssh_crypto;

namespace {

bool FromHex(const std::string& s, std::vector<uint8_t>* out) {
  if (s.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    char* end = nullptr;
    std::string byte = s.substr(i, 2);
    long v = std::strtol(byte.c_str(), &end, 16);
    if (*end != '\0') return false;
    out->push_back(static_cast<uint8_t>(v));
  }
  return true;
}

void PrintHex(const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) std::printf("%02x", b[i]);
}

int Encap(const std::string& pk_hex) {
  std::vector<uint8_t> pk;
  if (!FromHex(pk_hex, &pk) || pk.size() != kSntrup761PublicKeyBytes) return 2;
  uint8_t ct[kSntrup761CiphertextBytes], key[kSntrup761SharedBytes];
  if (!Sntrup761Encapsulate(pk.data(), ct, key)) return 1;
  PrintHex(ct, sizeof ct);
  std::printf(" ");
  PrintHex(key, sizeof key);
  std::printf("\n");
  return 0;
}

int KeyPair() {
  uint8_t pk[kSntrup761PublicKeyBytes], sk[kSntrup761SecretKeyBytes];
  if (!Sntrup761KeyPair(pk, sk)) return 1;
  PrintHex(pk, sizeof pk);
  std::printf(" ");
  PrintHex(sk, sizeof sk);
  std::printf("\n");
  return 0;
}

int Decap(const std::string& ct_hex, const std::string& sk_hex) {
  std::vector<uint8_t> ct, sk;
  if (!FromHex(ct_hex, &ct) || ct.size() != kSntrup761CiphertextBytes || !FromHex(sk_hex, &sk) ||
      sk.size() != kSntrup761SecretKeyBytes) {
    return 2;
  }
  uint8_t key[kSntrup761SharedBytes];
  if (!Sntrup761Decapsulate(ct.data(), sk.data(), key)) return 1;
  PrintHex(key, sizeof key);
  std::printf("\n");
  return 0;
}

int Tag(const std::string& tag_bytes, const std::string& key_hex, const std::string& seq,
        const std::string& data_hex) {
  std::vector<uint8_t> key, data;
  if (!FromHex(key_hex, &key) || key.size() != 16 || !FromHex(data_hex, &data)) return 2;
  Umac mac(key.data(), std::strtoul(tag_bytes.c_str(), nullptr, 10));
  if (!mac.ok()) return 2;
  uint64_t n = std::strtoull(seq.c_str(), nullptr, 10);
  uint8_t nonce[8], out[16];
  for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(n >> (56 - 8 * i));
  mac.Tag(nonce, data.data(), data.size(), out);
  PrintHex(out, mac.tag_bytes());
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 2 && a[0] == "encap") return Encap(a[1]);
  if (a.size() == 1 && a[0] == "keypair") return KeyPair();
  if (a.size() == 3 && a[0] == "decap") return Decap(a[1], a[2]);
  if (a.size() == 5 && a[0] == "umac") return Tag(a[1], a[2], a[3], a[4]);
  std::fprintf(stderr,
               "usage: %s encap PK_HEX | keypair | decap CT_HEX SK_HEX | umac TAG_BYTES KEY_HEX "
               "SEQ DATA_HEX\n",
               argv[0]);
  return 2;
}
