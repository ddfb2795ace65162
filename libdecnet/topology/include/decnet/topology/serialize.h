// The topology as a JSON document (what the DB and <state_dir>/fleet.json store) and its canonical
// hash.
#pragma once

#include <string>
#include <string_view>

#include "decnet/core/result.h"
#include "decnet/topology/model.h"

namespace decnet::topology {

// The full document: canonical content plus the generation seed. Keys sorted, arrays in model
// order.
std::string ToJson(const Topology& t);
// Reads a document written by ToJson. Unknown keys are ignored; wrong types fail with the key's
// name.
Result<Topology> FromJson(std::string_view text);

// The canonical form hashed below: sorted keys, LANs and deckies sorted by name, services and
// published ports sorted; volatile fields (seed, ids, timestamps, status) are not part of it.
std::string CanonicalJson(const Topology& t);
// Lower-case hex SHA-256 (libcrypto) of CanonicalJson: equal for equal topologies on every machine.
std::string CanonicalHash(const Topology& t);
// Hash of one decky as deployed: the decky, the LANs it is on, and the render inputs (scope,
// images). Incremental deploy recreates exactly the deckies whose hash changed.
std::string DeckyHash(const Topology& t, const Decky& d, std::string_view render_inputs);

std::string Sha256Hex(std::string_view data);

}  // namespace decnet::topology
