// Times the topology pipeline (generate, validate, render compose, canonical hash) on flat fleets
// and MazeNETs from 10 to 10 000 deckies and prints a table. A driver, not a test: nothing is
// asserted.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "decnet/topology/compose.h"
#include "decnet/topology/generator.h"
#include "decnet/topology/serialize.h"
#include "decnet/topology/validator.h"

using namespace decnet::topology;

namespace {

// Median-free but stable enough: repeat until 0.2 s have passed, report the mean per run in ms.
double TimeMs(const std::function<void()>& fn) {
  using Clock = std::chrono::steady_clock;
  int runs = 0;
  const auto start = Clock::now();
  auto now = start;
  do {
    fn();
    ++runs;
    now = Clock::now();
  } while (now - start < std::chrono::milliseconds(200) && runs < 1000);
  return std::chrono::duration<double, std::milli>(now - start).count() / runs;
}

void Row(const char* kind, const Topology& t, const std::function<Topology()>& gen) {
  ComposeOptions opts;
  opts.scope = "bench";
  size_t bytes = 0;
  const double g = TimeMs([&] { (void)gen(); });
  size_t problems = 0;
  const double v = TimeMs([&] { problems = Validate(t).size(); });
  const double r = TimeMs([&] { bytes = RenderCompose(t, opts)->size(); });
  const double h = TimeMs([&] { (void)CanonicalHash(t); });
  std::printf("%-6s %8zu %6zu %11.3f %11.3f %11.3f %9.3f %10zu %8zu\n", kind, t.deckies.size(),
              t.lans.size(), g, v, r, h, bytes / 1024, problems);
}

}  // namespace

int main(int argc, char** argv) {
  int max = 10000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--max") == 0) max = std::atoi(argv[i + 1]);
  std::printf("%-6s %8s %6s %11s %11s %11s %9s %10s %8s\n", "kind", "deckies", "lans",
              "generate_ms", "validate_ms", "render_ms", "hash_ms", "yaml_kib", "problems");
  for (int n : {10, 100, 1000, 10000}) {
    if (n > max) break;
    FleetConfig f;
    f.deckies = n;
    f.seed = 1;
    f.subnet = *ParseCidr("10.0.0.0/16");
    auto gen_fleet = [&] { return *GenerateFleet(f); };
    Row("fleet", gen_fleet(), gen_fleet);
    // MazeNET of about n deckies: 8 per LAN; depth and branching chosen so the random tree lands
    // near n (the table shows the real counts).
    MazeConfig m;
    m.seed = 1;
    m.deckies_per_lan_min = 8;
    m.deckies_per_lan_max = 8;
    m.cross_edge_probability = 0.2;
    m.depth = n <= 10 ? 1 : n <= 100 ? 2 : n <= 1000 ? 3 : 5;
    m.branching = n <= 10 ? 1 : n <= 100 ? 4 : n <= 1000 ? 8 : 7;
    auto maze = GenerateMaze(m);
    if (!maze) {
      std::fprintf(stderr, "maze %d: %s\n", n, maze.error().message.c_str());
      return 1;
    }
    Topology t = std::move(*maze);
    auto gen_maze = [&] { return *GenerateMaze(m); };
    Row("maze", t, gen_maze);
  }
  return 0;
}
