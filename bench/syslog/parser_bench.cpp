// Parser throughput on one core over the realistic corpus (goal: >= 1 M lines/s for the DECNET
// dialect).
#include <benchmark/benchmark.h>

#include "corpus.h"
#include "decnet/syslog/decnet.h"
#include "decnet/syslog/framing.h"

namespace decnet::syslog {
namespace {

void BM_Rfc5424Lenient(benchmark::State& state) {
  const auto corpus = bench::Corpus();
  Message m;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& line = corpus[i++ % corpus.size()];
    bytes += line.size();
    benchmark::DoNotOptimize(Parse(line, &m));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Rfc5424Lenient);

void BM_DecnetRecord(benchmark::State& state) {
  const auto corpus = bench::Corpus();
  DecnetParser p;
  DecnetRecord r;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.Parse(corpus[i++ % corpus.size()], &r));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecnetRecord);

// What the collector does per line: dialect parse + JSON record.
void BM_DecnetRecordAndJson(benchmark::State& state) {
  const auto corpus = bench::Corpus();
  DecnetParser p;
  DecnetRecord r;
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    out.clear();
    if (p.Parse(corpus[i++ % corpus.size()], &r)) AppendJsonRecord(&out, r);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecnetRecordAndJson);

void BM_StreamFramerLf(benchmark::State& state) {
  const auto corpus = bench::Corpus();
  std::string stream;
  for (int k = 0; k < 64; ++k) {
    for (const auto& l : corpus) stream += l + "\n";
  }
  const size_t lines = 64 * corpus.size();
  StreamFramer f(64 * 1024);
  Frame fr;
  for (auto _ : state) {
    for (size_t off = 0; off < stream.size(); off += 65536) {
      f.Append(std::string_view(stream).substr(off, 65536));
      while (*f.Next(&fr)) benchmark::DoNotOptimize(fr.data.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines));
}
BENCHMARK(BM_StreamFramerLf);

}  // namespace
}  // namespace decnet::syslog

BENCHMARK_MAIN();
