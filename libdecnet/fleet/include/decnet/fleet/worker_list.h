// The generated worker list (build/workers.tsv, installed as /usr/share/decnet/workers.tsv) and the memory
// budgets (bench/floor_budgets.tsv). Both are tab-separated with '#' comments.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "decnet/core/result.h"

namespace decnet::fleet {

struct WorkerInfo {
  std::string name;        // "bus"
  std::string executable;  // "decnet-bus"
  std::vector<std::string> shlibs;  // sonames its components may need (DT_NEEDED check)
  std::vector<std::string> caps;
  std::vector<std::string> families;
  std::string description;
  // Templated workers (the decky) run once per instance, started by deploy, never by `fleet up`
  // alone; `instance_args` is an example instance (the floor harness measures it).
  bool templated = false;
  std::vector<std::string> instance_args;
};

struct Budget {
  uint64_t pss_kib = 0;
  uint64_t pss_anon_kib = 0;
};

Result<std::vector<WorkerInfo>> ReadWorkerList(const std::string& path);
Result<std::map<std::string, Budget>> ReadBudgets(const std::string& path);

}  // namespace decnet::fleet
