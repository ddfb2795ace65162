// Compiled only when the CLI links decnet::deploy (bin/CMakeLists.txt globs every cmd_*.cpp).
#if __has_include(<decnet/deploy/deploy.h>)
#include "cmd_deploy_state.h"

#include <cstdio>

namespace decnet::cli {

int Fail(const char* cmd, const std::string& msg, int code) {
  std::fprintf(stderr, "decnet %s: %s\n", cmd, msg.c_str());
  return code;
}

void PrintTopologyTable(const std::vector<TopologyRecord>& list) {
  std::printf("%-20s %-6s %-12s %-7s %5s %7s %s\n", "ID", "KIND", "STATUS", "RUNTIME", "LANS",
              "DECKIES", "HASH");
  for (const TopologyRecord& rec : list) {
    std::printf("%-20s %-6s %-12s %-7s %5zu %7zu %s\n", rec.id.c_str(),
                topology::KindName(rec.topology.kind), rec.status.c_str(),
                rec.runtime.empty() ? "-" : rec.runtime.c_str(), rec.topology.lans.size(),
                rec.topology.deckies.size(), rec.hash.substr(0, 16).c_str());
  }
}

}  // namespace decnet::cli

#endif  // __has_include(<decnet/deploy/deploy.h>)
