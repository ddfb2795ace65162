// One model for both deployment kinds of the original:
//  - the flat fleet: every decky on the one external LAN (MACVLAN or IPvlan L2 on a host
//  interface);
//  - MazeNET: a tree of internal bridge LANs under a DMZ, joined by multi-homed bridge deckies,
//  plus
//    optional cross edges.
// A Topology is plain data: generators build it, the INI reader fills it, the validator checks it,
// the renderer and the hash read it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "decnet/topology/net.h"
#include "decnet/topology/registry.h"

namespace decnet::topology {

enum class Kind : uint8_t { kFleet, kMaze };
const char* KindName(Kind k);

struct Lan {
  std::string name;
  Cidr subnet;
  uint32_t gateway = 0;   // the address the deckies route through; never given to a decky
  bool is_dmz = false;    // MazeNET root: the only LAN the host publishes ports from
  bool external = false;  // the flat fleet's real LAN (macvlan/ipvlan on a host interface)
  std::string parent;     // MazeNET parent LAN, empty for the root and for the flat LAN
};

struct Attachment {
  std::string lan;
  uint32_t ip = 0;
};

struct PublishedPort {
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  Proto proto = Proto::kTcp;
};

// One persona setting after coercion through its service's schema.
struct Setting {
  std::string key;
  FieldType type = FieldType::kString;
  std::string json;  // the typed value as JSON: "x", 42, true, ["a","b"]
  std::string env;   // the value handed to the container's environment
};

struct Decky {
  std::string name;
  std::string hostname;
  std::string distro;
  std::string archetype;   // empty when services were chosen directly
  std::string os_profile;  // an OsProfile slug
  std::vector<std::string> services;
  std::vector<Attachment> attachments;  // first is the home LAN
  // Two separate roles (the original used one flag for both):
  bool forwards = false;  // routes packets between its LANs (ip_forward=1); needs two or more LANs
  bool gateway = false;   // the DMZ gateway: the only kind of decky allowed to publish host ports
  std::vector<PublishedPort> published;
  std::map<std::string, std::vector<Setting>> settings;  // service name -> persona settings
};

struct Topology {
  std::string name;
  Kind kind = Kind::kFleet;
  uint64_t seed = 0;  // generation input, not part of the canonical hash
  std::vector<Lan> lans;
  std::vector<Decky> deckies;
  // Flat fleet only.
  std::string interface;  // host interface the macvlan/ipvlan network hangs off
  bool ipvlan = false;
  std::string log_target;  // "host:port" the services log to, or empty

  const Lan* FindLan(const std::string& name) const;
  const Decky* FindDecky(const std::string& name) const;
};

}  // namespace decnet::topology
