// Renders a topology as one docker compose file. Every object is namespaced by one scope prefix:
//   project "<scope>", containers "<scope>-<decky>", networks "<scope>-<lan>", bridge interfaces
//   "dn<8 hex of scope/lan>", decky state "<artifact_root>/<scope>/<decky>", and labels
//   decnet.scope=<scope> on everything, so two topologies coexist and teardown finds all of it.
// Each decky is ONE container of the locally built decky image (`decnet images build`,
// "<image_prefix>/decky:<image_tag>"): decnet-decky serves all of the decky's services, and the
// container holds the decky's fixed IPs, hostname and the OS profile's sysctls. Its events go to
// stdout, and the container carries the label the collector's Docker input follows
// (decnet.fleet.service=true, or decnet.topology.service=true for MazeNET), so they reach the
// pipeline with no set-up.
#pragma once

#include <string>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/topology/model.h"

namespace decnet::topology {

struct ComposeOptions {
  std::string scope;                    // [a-z0-9][a-z0-9_-]*, at most 40 characters
  std::string image_prefix = "decnet";  // the decky image is "<image_prefix>/decky:<image_tag>"
  std::string image_tag = "latest";
  std::string base_image;  // overrides the decky image when set (tests, a custom build)
  // Absolute; <artifact_root>/<scope>/<decky> is the decky's state dir (persona, keys, artifacts).
  std::string artifact_root = "/var/lib/decnet/artifacts";
  std::string fleet_seed;  // --fleet-seed for every decky (empty: each keeps its own in its state)
  // Absolute host dir with <decky>/settings.json (the persona settings the deploy writes); mounted
  // read-only and passed as --settings for deckies that have settings. Empty: no settings passed.
  std::string settings_root;
  bool json = false;  // emit JSON (also valid YAML) instead of block YAML
};

// Where the decky container keeps its state and reads its settings.
inline constexpr const char* kComposeStateDir = "/var/lib/decnet";
inline constexpr const char* kComposeSettingsPath = "/etc/decnet/settings.json";

// The image every decky container runs.
std::string DeckyImage(const ComposeOptions& opts);
// The compose services that make up decky `d` (for `up --no-deps <services>`): just its own.
std::vector<std::string> ComposeServicesOf(const Decky& d);

// kInvalidArgument on a bad scope or a relative artifact root. The topology should have passed
// Validate.
Result<std::string> RenderCompose(const Topology& t, const ComposeOptions& opts);

// A stable string of the options that change what a decky renders to (for DeckyHash).
std::string RenderInputs(const ComposeOptions& opts);

bool IsValidScope(const std::string& scope);
// The Linux bridge name used for a MazeNET LAN: "dn" + 8 hex digits, within IFNAMSIZ.
std::string BridgeInterfaceName(const std::string& scope, const std::string& lan);

}  // namespace decnet::topology
