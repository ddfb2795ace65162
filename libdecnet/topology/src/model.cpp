#include "decnet/topology/model.h"

namespace decnet::topology {

const char* KindName(Kind k) { return k == Kind::kFleet ? "fleet" : "maze"; }

const Lan* Topology::FindLan(const std::string& n) const {
  for (const Lan& l : lans)
    if (l.name == n) return &l;
  return nullptr;
}

const Decky* Topology::FindDecky(const std::string& n) const {
  for (const Decky& d : deckies)
    if (d.name == n) return &d;
  return nullptr;
}

}  // namespace decnet::topology
