// CLI helpers shared by `decnet deploy|teardown|status` and `decnet topology ...`. The deploy engine
// itself (state store, plan/apply, the docker and netns runtimes) is libdecnet/deploy; this file
// only re-exports its names into decnet::cli and declares the flag helpers.
#pragma once

#include <cxxopts.hpp>
#include <string>
#include <vector>

#include "decnet/core/config.h"
#include "decnet/core/result.h"
#include "decnet/deploy/deploy.h"
#include "decnet/deploy/store.h"
#include "decnet/topology/model.h"

namespace decnet::cli {

using deploy::DeployOptions;
using deploy::DeployRecord;
using deploy::IsValidId;
using deploy::ResolveStateDir;
using deploy::StateStore;
using deploy::TeardownRecord;
using deploy::TopologyRecord;

// Adds -h/--help and parses. Returns false when the command should exit with `exit_code` (help or
// bad usage).
bool ParseFlags(cxxopts::Options& o, int argc, char** argv, cxxopts::ParseResult& out,
                int& exit_code);
// --state-dir, --runtime, --bridge, --decky-bin, --launcher, --wait, --image-prefix, --image-tag,
// --base-image, --artifact-root, --dry-run, --json.
void AddRenderFlags(cxxopts::Options& o);
DeployOptions RenderOptions(const cxxopts::ParseResult& r, const std::string& state_dir);

// Prints "decnet <cmd>: <msg>" to stderr and returns `code`.
int Fail(const char* cmd, const std::string& msg, int code = 1);

// "[a,b,...]": the JSON texts `to_json(item)` of `items`, in order.
template <typename Items, typename ToJson>
std::string JsonArray(const Items& items, ToJson to_json) {
  std::string out = "[";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    out += to_json(item);
  }
  return out + "]";
}

// The table of `decnet status` and `decnet topology list`: id, kind, status, sizes, short hash.
void PrintTopologyTable(const std::vector<TopologyRecord>& list);

}  // namespace decnet::cli
