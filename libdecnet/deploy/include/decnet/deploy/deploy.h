// The deploy engine: desired topology vs actual state -> a plan of create / recreate / remove per
// decky; Apply executes the plan through a Runtime. Two runtimes: `netns` (a network namespace and
// one decnet-decky process per decky; the default as root) and `docker` (docker compose with the
// file topology::RenderCompose writes). The CLI (bin/decnet) only parses flags and calls Deploy /
// Teardown.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/deploy/store.h"
#include "decnet/topology/compose.h"

namespace decnet::deploy {

struct Plan {
  std::vector<std::string> create, recreate, remove, unchanged;
};

// `desired`: decky -> DeckyHash of the topology to deploy; `deployed`: as last deployed;
// `present(decky)`: whether the runtime still has it (an unchanged decky that is gone is recreated,
// e.g. after a reboot removed every namespace). Pass nullptr to trust `deployed`.
Plan MakePlan(const std::map<std::string, std::string>& desired,
              const std::map<std::string, std::string>& deployed,
              const std::function<bool(const std::string&)>& present);

struct DeployOptions {
  bool dry_run = false;
  bool json = false;
  std::string runtime;  // docker | netns | "" (auto: netns as root, else docker)
  topology::ComposeOptions compose;  // docker runtime (scope is filled from the record)
  // netns runtime
  bool bridge = false;      // the flat fleet's LAN is an internal bridge (local demo) not macvlan
  std::string decky_bin;    // decnet-decky (default: $DECNET_DECKY_BIN, beside this program, PATH)
  std::string launcher;     // auto | systemd | fleet | self | none
  double wait_s = 15;       // wait until created deckies run (netns); 0: do not wait
};

// Names that reach argv, YAML, file and interface names are checked before anything is written:
// topology id (IsValidId), decky and LAN names (topology::Validate's object-name rule), hostnames.
Status CheckNames(const TopologyRecord& rec);

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual const char* Name() const = 0;
  // Whether it can work here (root for netns, a reachable engine for docker); changes nothing.
  virtual Status Probe() = 0;
  // Renders what the runtime needs (the compose file; nothing for netns) and says where, for the plan.
  virtual Result<std::string> Prepare(const TopologyRecord& rec, const DeployOptions& opts) = 0;
  virtual bool Present(const TopologyRecord& rec, const std::string& decky) = 0;
  virtual Status Apply(const TopologyRecord& rec, const Plan& plan, const DeployOptions& opts) = 0;
  // Removes every decky, link, network and file of the record (what is already gone is skipped).
  virtual Status Teardown(const TopologyRecord& rec) = 0;
};

// `name` docker | netns; "" picks netns as root and docker otherwise ($DECNET_RUNTIME overrides).
Result<std::unique_ptr<Runtime>> MakeRuntime(const std::string& name, const std::string& state_dir);
std::string DefaultRuntimeName();

// Validates, plans, prints the plan and (unless dry_run) applies it and saves the record. Returns
// the process exit code (0 ok, 1 failure, 2 invalid topology or usage).
int DeployRecord(StateStore& store, TopologyRecord& rec, const DeployOptions& opts, bool persist);
// Removes what the record deployed with the runtime it was deployed with; marks it torn_down.
int TeardownRecord(StateStore& store, TopologyRecord& rec, bool json);

// ---- docker compose, as the CLI always ran it ($DECNET_DOCKER overrides the binary: tests)
struct DockerInfo {
  bool available = false;
  std::string reason;
  std::vector<std::string> compose;  // argv prefix, e.g. {"docker","compose"}
};
DockerInfo ProbeDocker();
// Runs argv (no shell) and returns its exit status (127 when it cannot start).
int Run(const std::vector<std::string>& argv, bool quiet = false);
std::string ComposePath(const std::string& private_dir, const TopologyRecord& r);

// ---- netns launch specs, shared with the fleet supervisor (`decnet fleet up`)
// <private>/deckies/<decky>/argv: the decnet-decky argv, one per line. Returns decky -> argv.
std::map<std::string, std::vector<std::string>> ReadLaunchSpecs(const std::string& private_dir);
// `decnet fleet up` writes its pid here; a netns deploy then leaves starting and stopping the
// deckies to it (SIGHUP: rescan the launch specs now).
std::string SupervisorPidPath(const std::string& private_dir);

}  // namespace decnet::deploy
