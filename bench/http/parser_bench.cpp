// Request parsing cost: a typical dashboard request with a bearer token, whole and byte by byte.
#include <benchmark/benchmark.h>

#include <string>

#include "decnet/http/request_parser.h"

namespace {

const std::string kRequest =
    "GET /api/v1/attackers?order=score&limit=50&cursor=1764000060000000%2C10.0.0.1 HTTP/1.1\r\n"
    "Host: 127.0.0.1:8000\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0\r\n"
    "Accept: application/json\r\nAuthorization: Bearer " + std::string(220, 'x') + "\r\n"
    "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n";

void BM_ParseWhole(benchmark::State& state) {
  decnet::http::RequestParser p;
  for (auto _ : state) {
    p.Reset();
    p.Feed(kRequest.data(), kRequest.size());
    benchmark::DoNotOptimize(p.request().Query("limit"));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRequest.size()));
}
BENCHMARK(BM_ParseWhole);

void BM_ParseByteByByte(benchmark::State& state) {
  decnet::http::RequestParser p;
  for (auto _ : state) {
    p.Reset();
    for (size_t i = 0; i < kRequest.size(); ++i) p.Feed(kRequest.data() + i, 1);
    benchmark::DoNotOptimize(p.state());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRequest.size()));
}
BENCHMARK(BM_ParseByteByByte);

}  // namespace

BENCHMARK_MAIN();
