// A stand-in for the lead's bin/decnet/main.cpp so this component's commands can be built and
// tested on their own: the registry plus dispatch by argv[1].
#include <cstdio>
#include <cstring>

#include "cli.h"

namespace decnet::cli {
std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace decnet::cli

int main(int argc, char** argv) {
  auto& reg = decnet::cli::Registry();
  if (argc >= 2) {
    for (const auto& c : reg)
      if (std::strcmp(argv[1], c.name) == 0) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "usage: decnet <command> [options]\n");
  for (const auto& c : reg) std::fprintf(stderr, "  %-12s %s\n", c.name, c.summary);
  return 2;
}
