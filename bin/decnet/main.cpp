// decnet: the operator CLI. Dispatches to the subcommands registered in bin/decnet/cmd_*.cpp.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "cli.h"

namespace decnet::cli {
std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace decnet::cli

namespace {

void Usage(FILE* out) {
  auto cmds = decnet::cli::Registry();
  std::sort(cmds.begin(), cmds.end(),
            [](const auto& a, const auto& b) { return std::strcmp(a.name, b.name) < 0; });
  std::fputs("Usage: decnet COMMAND [ARGS...]   (decnet COMMAND --help for details)\n\nCommands:\n", out);
  for (const auto& c : cmds) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    Usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (const auto& c : decnet::cli::Registry()) {
    if (!std::strcmp(c.name, argv[1])) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "decnet: unknown command '%s'\n\n", argv[1]);
  Usage(stderr);
  return 2;
}
