// Renders a topology as one docker compose file. Every object is namespaced by one scope prefix:
//   project "<scope>", containers "<scope>-<decky>" and "<scope>-<decky>-<service>", networks
//   "<scope>-<lan>", bridge interfaces "dn<8 hex of scope/lan>", artifacts
//   "<artifact_root>/<scope>/<decky>/...", and labels decnet.scope=<scope> on everything, so two
//   topologies coexist and teardown finds all of it.
// Each decky is a base container (the distro image holding the IPs, hostname and OS-fingerprint
// sysctls) plus one container per service sharing its network namespace (network_mode:
// service:<decky>).
#pragma once

#include <string>

#include "decnet/core/result.h"
#include "decnet/topology/model.h"

namespace decnet::topology {

struct ComposeOptions {
  std::string scope;                    // [a-z0-9][a-z0-9_-]*, at most 40 characters
  std::string image_prefix = "decnet";  // service images are "<image_prefix>/<service>"
  std::string image_tag = "latest";
  std::string
      base_image;  // overrides every decky's distro image when set (tests, air-gapped hosts)
  std::string artifact_root = "/var/lib/decnet/artifacts";  // absolute
  bool json = false;  // emit JSON (also valid YAML) instead of block YAML
};

// kInvalidArgument on a bad scope or a relative artifact root. The topology should have passed
// Validate.
Result<std::string> RenderCompose(const Topology& t, const ComposeOptions& opts);

// A stable string of the options that change what a decky renders to (for DeckyHash).
std::string RenderInputs(const ComposeOptions& opts);

bool IsValidScope(const std::string& scope);
// The Linux bridge name used for a MazeNET LAN: "dn" + 8 hex digits, within IFNAMSIZ.
std::string BridgeInterfaceName(const std::string& scope, const std::string& lan);

}  // namespace decnet::topology
