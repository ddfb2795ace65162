// Seeded, reproducible generators: the same config and seed give the same topology on every machine
// (see prng.h for why no <random>).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/topology/model.h"

namespace decnet::topology {

// How services are chosen for a decky when the caller does not list them.
struct ServiceChoice {
  std::vector<std::string> explicit_services;  // wins when non-empty
  std::string archetype;                       // else the archetype's set
  bool randomize = true;                       // else 1..3 random, port-compatible services
};

struct MazeConfig {
  std::string name = "maze";
  uint64_t seed = 0;
  int depth = 2;      // levels below the DMZ, 1..16
  int branching = 2;  // max child LANs per LAN, 1..8
  int deckies_per_lan_min = 1;
  int deckies_per_lan_max = 3;
  double bridge_forward_probability = 1.0;
  double cross_edge_probability = 0.0;
  Cidr pool{0xAC100000u, 12};  // 172.16.0.0/12
  int lan_prefix = 24;
  std::vector<Cidr> reserved;  // subnets other topologies already hold
  ServiceChoice services;
  std::string distro;           // empty: per archetype or random
  bool publish_gateway = true;  // the DMZ gateway publishes its service ports on the host
  int publish_offset =
      0;  // host port = service port + offset (keeps clear of the host's own 22, 80, ...)
  int max_deckies = 100000;  // bound on the output size
};

// Checks ranges (depth, branching, probabilities, min <= max, prefix) with messages naming the
// field.
Status CheckMazeConfig(const MazeConfig& cfg);
Result<Topology> GenerateMaze(const MazeConfig& cfg);

// One decky of a flat fleet, as the CLI flags or an INI section describe it.
struct DeckySpec {
  std::string name;
  std::optional<uint32_t> ip;
  ServiceChoice services;
  std::string distro;
  std::string os_profile;
  std::map<std::string, std::vector<Setting>> settings;
};

struct FleetConfig {
  std::string name = "fleet";
  uint64_t seed = 0;
  int deckies = 1;  // used when specs is empty: decky-01 .. decky-NN
  std::vector<DeckySpec> specs;
  ServiceChoice services;  // default for generated specs
  std::string distro;
  std::string interface = "eth0";
  Cidr subnet{0xC0A80100u, 24};      // 192.168.1.0/24
  std::optional<uint32_t> gateway;   // default: the subnet's first host
  std::optional<uint32_t> ip_start;  // first address to hand out
  bool ipvlan = false;
  std::string log_target;
};

Result<Topology> GenerateFleet(const FleetConfig& cfg);

}  // namespace decnet::topology
