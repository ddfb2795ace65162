#include "decnet/topology/validator.h"

#include <map>
#include <set>

namespace decnet::topology {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

class Checker {
 public:
  explicit Checker(const Topology& t) : t_(t) {}

  std::vector<Problem> Run() {
    Names();
    Lans();
    Deckies();
    PublishedPorts();
    Reachability();
    return std::move(problems_);
  }

 private:
  void Add(const char* rule, std::string msg) { problems_.push_back({rule, std::move(msg)}); }

  void Names() {
    std::set<std::string> lans, deckies, keys;
    for (const Lan& l : t_.lans) {
      if (!lans.insert(l.name).second)
        Add("duplicate-lan-name", "LAN '" + l.name + "' is defined twice");
      if (!IsValidObjectName(l.name))
        Add("bad-name", "LAN name '" + l.name + "' is not a valid Docker object name");
    }
    for (const Decky& d : t_.deckies) {
      if (!deckies.insert(d.name).second)
        Add("duplicate-decky-name", "decky '" + d.name + "' is defined twice");
      if (!IsValidObjectName(d.name)) {
        Add("bad-name", "decky name '" + d.name +
                            "' must match [A-Za-z0-9][A-Za-z0-9_.-]* and be at most 63 characters");
      }
      if (!d.hostname.empty() && !IsValidHostname(d.hostname)) {
        Add("bad-hostname",
            "decky '" + d.name + "': hostname '" + d.hostname + "' is not a valid RFC 1123 name");
      }
      // Compose service keys are "<decky>" and "<decky>-<service>"; they must not collide.
      if (!keys.insert(d.name).second)
        Add("bad-name", "compose service key '" + d.name + "' collides");
      for (const std::string& s : d.services) {
        if (!keys.insert(d.name + "-" + s).second) {
          Add("bad-name",
              "compose service key '" + d.name + "-" + s + "' collides with another decky");
        }
      }
    }
    if (t_.kind == Kind::kFleet && !IsValidInterfaceName(t_.interface)) {
      Add("bad-interface", "host interface '" + t_.interface +
                               "' is not a valid Linux interface name (1..15 chars)");
    }
  }

  void Lans() {
    int roots = 0;
    for (size_t i = 0; i < t_.lans.size(); ++i) {
      const Lan& a = t_.lans[i];
      roots += (t_.kind == Kind::kMaze ? a.is_dmz : a.external) ? 1 : 0;
      for (size_t j = i + 1; j < t_.lans.size(); ++j) {
        if (a.subnet.Overlaps(t_.lans[j].subnet)) {
          Add("subnet-overlap", "LAN '" + a.name + "' " + a.subnet.ToString() + " overlaps LAN '" +
                                    t_.lans[j].name + "' " + t_.lans[j].subnet.ToString());
        }
      }
      if (!a.parent.empty() && t_.FindLan(a.parent) == nullptr) {
        Add("unknown-lan", "LAN '" + a.name + "' has unknown parent LAN '" + a.parent + "'");
      }
      if (!a.subnet.Contains(a.gateway)) {
        Add("bad-address", "LAN '" + a.name + "': gateway " + FormatIpv4(a.gateway) +
                               " is outside " + a.subnet.ToString());
      }
    }
    if (roots != 1) {
      Add("dmz",
          t_.kind == Kind::kMaze
              ? "a MazeNET needs exactly one DMZ LAN, found " + std::to_string(roots)
              : "a flat fleet needs exactly one external LAN, found " + std::to_string(roots));
    }
  }

  void Deckies() {
    std::map<std::pair<std::string, uint32_t>, std::string> addresses;
    for (const Decky& d : t_.deckies) {
      if (d.attachments.empty()) Add("no-lan", "decky '" + d.name + "' is attached to no LAN");
      for (const Attachment& a : d.attachments) Address(d, a, addresses);
      Catalogues(d);
      Ports(d);
      if (d.forwards && d.attachments.size() < 2) {
        Add("forward-single-homed", "decky '" + d.name + "' forwards but sits on only one LAN");
      }
      if (!d.published.empty() && !d.gateway) {
        Add("publish-not-gateway",
            "decky '" + d.name + "' publishes host ports but is not the DMZ gateway");
      }
      if (d.gateway && t_.kind == Kind::kMaze) {
        const Lan* home = d.attachments.empty() ? nullptr : t_.FindLan(d.attachments[0].lan);
        if (home == nullptr || !home->is_dmz) {
          Add("publish-not-gateway", "gateway decky '" + d.name + "' is not on the DMZ LAN");
        }
      }
      Settings(d);
    }
  }

  void Address(const Decky& d, const Attachment& a,
               std::map<std::pair<std::string, uint32_t>, std::string>& seen) {
    const Lan* lan = t_.FindLan(a.lan);
    if (lan == nullptr) {
      Add("unknown-lan", "decky '" + d.name + "' is attached to unknown LAN '" + a.lan + "'");
      return;
    }
    const std::string ip = FormatIpv4(a.ip);
    if (!lan->subnet.Contains(a.ip)) {
      Add("bad-address", "decky '" + d.name + "': " + ip + " is outside LAN '" + lan->name + "' " +
                             lan->subnet.ToString());
    } else if (a.ip == lan->gateway) {
      Add("bad-address",
          "decky '" + d.name + "': " + ip + " is the gateway of LAN '" + lan->name + "'");
    } else if (lan->subnet.prefix < 31 &&
               (a.ip == lan->subnet.base || a.ip == lan->subnet.Last())) {
      Add("bad-address", "decky '" + d.name + "': " + ip +
                             " is the network or broadcast address of LAN '" + lan->name + "'");
    }
    auto [it, fresh] = seen.emplace(std::make_pair(a.lan, a.ip), d.name);
    if (!fresh && it->second != d.name) {
      Add("duplicate-address", "deckies '" + it->second + "' and '" + d.name + "' both use " + ip +
                                   " on LAN '" + a.lan + "'");
    }
  }

  void Catalogues(const Decky& d) {
    for (const std::string& s : d.services) {
      const ServiceDef* def = FindService(s);
      if (def == nullptr)
        Add("unknown-service", "decky '" + d.name + "': unknown service '" + s + "'");
      else if (def->fleet_singleton)
        Add("singleton-service",
            "decky '" + d.name + "': service '" + s + "' runs once per host, not on a decky");
    }
    if (!d.distro.empty() && FindDistro(d.distro) == nullptr) {
      Add("unknown-distro", "decky '" + d.name + "': unknown distro '" + d.distro + "'");
    }
    if (!d.os_profile.empty() && FindOsProfile(d.os_profile) == nullptr) {
      Add("unknown-os-profile",
          "decky '" + d.name + "': unknown OS profile '" + d.os_profile + "'");
    }
    if (!d.archetype.empty() && FindArchetype(d.archetype) == nullptr) {
      Add("unknown-archetype", "decky '" + d.name + "': unknown archetype '" + d.archetype + "'");
    }
  }

  void Ports(const Decky& d) {
    std::map<std::pair<uint16_t, Proto>, std::string> bound;
    for (const std::string& s : d.services) {
      const ServiceDef* def = FindService(s);
      if (def == nullptr) continue;
      for (const PortSpec& p : def->ports) {
        auto [it, fresh] = bound.emplace(std::make_pair(p.port, p.proto), s);
        if (!fresh && it->second != s) {
          Add("port-conflict", "decky '" + d.name + "': services '" + it->second + "' and '" + s +
                                   "' both bind " + std::to_string(p.port) + "/" +
                                   ProtoName(p.proto));
        }
      }
    }
  }

  void PublishedPorts() {
    std::map<std::pair<uint16_t, Proto>, std::string> used;
    for (const Decky& d : t_.deckies) {
      for (const PublishedPort& p : d.published) {
        auto [it, fresh] = used.emplace(std::make_pair(p.host_port, p.proto), d.name);
        if (!fresh) {
          Add("published-port-conflict", "host port " + std::to_string(p.host_port) + "/" +
                                             ProtoName(p.proto) + " is published by both '" +
                                             it->second + "' and '" + d.name + "'");
        }
      }
    }
  }

  void Settings(const Decky& d) {
    for (const auto& [svc, settings] : d.settings) {
      bool present = false;
      for (const std::string& s : d.services) present = present || s == svc;
      const ServiceDef* def = FindService(svc);
      if (!present || def == nullptr) {
        Add("unknown-setting",
            "decky '" + d.name + "': settings for service '" + svc + "' it does not run");
        continue;
      }
      for (const Setting& s : settings) {
        if (FindField(*def, s.key) == nullptr) {
          Add("unknown-setting",
              "decky '" + d.name + "': service '" + svc + "' has no setting '" + s.key + "'");
        }
      }
    }
  }

  // Breadth-first over the bipartite LAN/decky graph from the root LAN.
  void Reachability() {
    if (t_.lans.empty()) return;
    std::map<std::string, std::vector<size_t>> deckies_on;
    for (size_t i = 0; i < t_.deckies.size(); ++i)
      for (const Attachment& a : t_.deckies[i].attachments) deckies_on[a.lan].push_back(i);
    std::string root = t_.lans[0].name;
    for (const Lan& l : t_.lans)
      if (l.is_dmz || l.external) {
        root = l.name;
        break;
      }
    std::set<std::string> seen_lans{root};
    std::vector<bool> seen_deckies(t_.deckies.size(), false);
    std::vector<std::string> queue{root};
    while (!queue.empty()) {
      const std::string lan = queue.back();
      queue.pop_back();
      for (size_t i : deckies_on[lan]) {
        if (seen_deckies[i]) continue;
        seen_deckies[i] = true;
        for (const Attachment& a : t_.deckies[i].attachments)
          if (seen_lans.insert(a.lan).second) queue.push_back(a.lan);
      }
    }
    for (const Lan& l : t_.lans)
      if (!seen_lans.count(l.name))
        Add("unreachable", "LAN '" + l.name + "' is not reachable from '" + root + "'");
    for (size_t i = 0; i < t_.deckies.size(); ++i)
      if (!seen_deckies[i] && !t_.deckies[i].attachments.empty())
        Add("unreachable",
            "decky '" + t_.deckies[i].name + "' is not reachable from '" + root + "'");
  }

  const Topology& t_;
  std::vector<Problem> problems_;
};

}  // namespace

std::vector<Problem> Validate(const Topology& t) { return Checker(t).Run(); }

std::string FormatProblems(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems) out += p.rule + ": " + p.message + "\n";
  return out;
}

bool IsValidObjectName(const std::string& n) {
  if (n.empty() || n.size() > 63 || !IsAlnum(n[0])) return false;
  for (char c : n)
    if (!IsAlnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

bool IsValidHostname(const std::string& n) {
  if (n.empty() || n.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    if (c == '.') {
      if (label == 0 || n[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!IsAlnum(c) && c != '-') return false;
    if (c == '-' && label == 0) return false;
    if (++label > 63) return false;
  }
  return label > 0 && n.back() != '-';
}

bool IsValidInterfaceName(const std::string& n) {
  if (n.empty() || n.size() > 15 || n == "." || n == "..") return false;
  for (char c : n)
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' ||
        static_cast<unsigned char>(c) < 0x21)
      return false;
  return true;
}

}  // namespace decnet::topology
