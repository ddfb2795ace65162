// What one SSH handshake and one packet cost: sntrup761 key pair / encapsulation (the server's
// share of the KEX) / decapsulation, and UMAC-64/128 per packet size against HMAC-SHA256.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

#include "decnet/services/ssh_crypto/sntrup761.h"
#include "decnet/services/ssh_crypto/umac.h"

namespace {

using namespace decnet::services::ssh_crypto;

void BM_Sntrup761KeyPair(benchmark::State& state) {
  uint8_t pk[kSntrup761PublicKeyBytes], sk[kSntrup761SecretKeyBytes];
  for (auto _ : state) benchmark::DoNotOptimize(Sntrup761KeyPair(pk, sk));
}
BENCHMARK(BM_Sntrup761KeyPair)->Unit(benchmark::kMillisecond);

void BM_Sntrup761Encapsulate(benchmark::State& state) {
  uint8_t pk[kSntrup761PublicKeyBytes], sk[kSntrup761SecretKeyBytes];
  uint8_t ct[kSntrup761CiphertextBytes], key[32];
  Sntrup761KeyPair(pk, sk);
  for (auto _ : state) benchmark::DoNotOptimize(Sntrup761Encapsulate(pk, ct, key));
}
BENCHMARK(BM_Sntrup761Encapsulate)->Unit(benchmark::kMicrosecond);

void BM_Sntrup761Decapsulate(benchmark::State& state) {
  uint8_t pk[kSntrup761PublicKeyBytes], sk[kSntrup761SecretKeyBytes];
  uint8_t ct[kSntrup761CiphertextBytes], key[32];
  Sntrup761KeyPair(pk, sk);
  Sntrup761Encapsulate(pk, ct, key);
  for (auto _ : state) benchmark::DoNotOptimize(Sntrup761Decapsulate(ct, sk, key));
}
BENCHMARK(BM_Sntrup761Decapsulate)->Unit(benchmark::kMicrosecond);

const uint8_t kKey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

void BM_Umac(benchmark::State& state) {
  Umac mac(kKey, static_cast<size_t>(state.range(1)));
  std::vector<uint8_t> packet(static_cast<size_t>(state.range(0)), 0x5a);
  uint8_t nonce[8] = {}, tag[16];
  for (auto _ : state) {
    ++nonce[7];  // a new sequence number per packet, as SSH does
    mac.Tag(nonce, packet.data(), packet.size(), tag);
    benchmark::DoNotOptimize(tag);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Umac)->ArgsProduct({{64, 1500, 32768}, {8, 16}});

void BM_HmacSha256(benchmark::State& state) {
  std::vector<uint8_t> packet(static_cast<size_t>(state.range(0)), 0x5a);
  uint8_t tag[32];
  unsigned len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), kKey, sizeof kKey, packet.data(), packet.size(), tag, &len);
    benchmark::DoNotOptimize(tag);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HmacSha256)->Arg(64)->Arg(1500)->Arg(32768);

}  // namespace

BENCHMARK_MAIN();
