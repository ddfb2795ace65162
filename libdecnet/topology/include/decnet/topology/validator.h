// Checks a topology before anything is rendered or deployed. Every rule has a stable code so tests
// and tools can match on it; the message names the objects involved.
#pragma once

#include <string>
#include <vector>

#include "decnet/topology/model.h"

namespace decnet::topology {

struct Problem {
  std::string rule;     // e.g. "duplicate-decky-name"
  std::string message;  // human-readable, names the decky/LAN/port
};

// Rules:
//   duplicate-lan-name, duplicate-decky-name  names are unique
//   bad-name            decky/LAN names fit Docker object names and hostnames:
//   [A-Za-z0-9][A-Za-z0-9_.-]*,
//                       at most 63 characters; compose service keys do not collide
//   bad-hostname        hostnames are RFC 1123 (labels of [A-Za-z0-9-], at most 63 each, 253 in
//   all) bad-interface       the flat fleet's host interface is a valid Linux name (1..15 chars, no
//   '/', ':', space) subnet-overlap      no two LANs overlap bad-address         every decky
//   address is inside its LAN, not the network, broadcast or gateway address duplicate-address   no
//   two deckies share an address on one LAN unknown-lan         attachments and parents name
//   existing LANs no-lan              every decky is attached somewhere unreachable         every
//   LAN and decky is reachable from the DMZ (MazeNET) through bridge deckies dmz                 a
//   MazeNET has exactly one DMZ LAN, and a flat fleet exactly one external LAN unknown-service,
//   unknown-distro, unknown-os-profile, unknown-archetype, singleton-service port-conflict       no
//   two services of one decky bind the same port and protocol published-port-conflict  published
//   host ports are globally unique per protocol publish-not-gateway only the DMZ gateway publishes
//   ports; a gateway sits on the DMZ forward-single-homed  a forwarding decky has two or more LANs
//   unknown-setting     persona settings name a service of the decky and a key of its schema
std::vector<Problem> Validate(const Topology& t);

// "rule: message" lines, one per problem.
std::string FormatProblems(const std::vector<Problem>& problems);

// The names the renderer gives compose objects; exposed for the validator and tests.
bool IsValidObjectName(const std::string& name);
bool IsValidHostname(const std::string& name);
bool IsValidInterfaceName(const std::string& name);

}  // namespace decnet::topology
