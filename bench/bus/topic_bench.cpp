// Topic matching cost against the number of subscribed patterns (10 .. 100 k), a realistic mix of
// literal patterns and wildcards.
#include <benchmark/benchmark.h>

#include <string>

#include "decnet/bus/topic_trie.h"

namespace {

void BM_TrieMatch(benchmark::State& state) {
  decnet::bus::TopicTrie trie;
  const int n = static_cast<int>(state.range(0));
  for (int i = 0; i < n; ++i) {
    switch (i % 4) {
      case 0: trie.Add("decky.d" + std::to_string(i) + ".traffic", i); break;
      case 1: trie.Add("attacker.*.ip" + std::to_string(i), i); break;
      case 2: trie.Add("topology.t" + std::to_string(i) + ".>", i); break;
      default: trie.Add("system.w" + std::to_string(i) + ".health", i); break;
    }
  }
  trie.Add("attacker.>", n);
  trie.Add("system.*.health", n + 1);
  const std::string topics[] = {"decky.d4.traffic", "attacker.scored", "system.w3.health",
                                "topology.t2.mutation.applied", "credential.captured"};
  size_t matched = 0, k = 0;
  for (auto _ : state) {
    trie.Match(topics[k++ % 5], [&](uint32_t) { ++matched; });
  }
  benchmark::DoNotOptimize(matched);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrieMatch)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);

}  // namespace

BENCHMARK_MAIN();
