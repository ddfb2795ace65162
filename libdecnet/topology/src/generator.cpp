#include "decnet/topology/generator.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "decnet/topology/prng.h"

namespace decnet::topology {
namespace {

constexpr int kMaxRandomServices = 3;
constexpr int kComboAttempts = 20;

const char* const kNameWords[] = {"alpha", "bravo",  "charlie", "delta", "echo", "foxtrot", "golf",
                                  "hotel", "india",  "juliet",  "kilo",  "lima", "mike",    "nova",
                                  "oscar", "prod",   "web",     "db",    "mail", "proxy",   "dev",
                                  "stage", "backup", "monitor", "files"};
constexpr size_t kNameWordCount = sizeof kNameWords / sizeof kNameWords[0];

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

std::string Hostname(Prng& rng, const Distro& distro) {
  const std::string word = kNameWords[rng.Index(kNameWordCount)];
  const int num = static_cast<int>(rng.Range(10, 99));
  const std::string style = distro.hostname_style;
  if (style == "rhel") return word + std::to_string(num) + ".localdomain";
  if (style == "minimal") return word + "-" + std::to_string(num);
  if (style == "rolling") return word + "-" + kNameWords[rng.Index(kNameWordCount)];
  return "SRV-" + Upper(word) + "-" + std::to_string(num);
}

bool PortsClash(const ServiceDef& a, const ServiceDef& b) {
  for (const PortSpec& p : a.ports)
    for (const PortSpec& q : b.ports)
      if (p.port == q.port && p.proto == q.proto) return true;
  return false;
}

// Picks 1..3 services whose ports do not clash, avoiding repeated combinations where possible.
std::vector<std::string> RandomServices(Prng& rng, std::set<std::vector<std::string>>& used) {
  std::vector<const ServiceDef*> pool;
  for (const ServiceDef& s : Services())
    if (s.randomizable && !s.fleet_singleton) pool.push_back(&s);
  std::vector<std::string> chosen;
  for (int attempt = 0; attempt < kComboAttempts; ++attempt) {
    const size_t want =
        static_cast<size_t>(rng.Range(1, std::min<int64_t>(kMaxRandomServices, pool.size())));
    std::vector<const ServiceDef*> order = pool;
    std::vector<const ServiceDef*> picked;
    // Partial Fisher-Yates: draw without replacement until `want` compatible services are found.
    for (size_t i = 0; i < order.size() && picked.size() < want; ++i) {
      std::swap(order[i], order[i + rng.Index(order.size() - i)]);
      bool ok = true;
      for (const ServiceDef* p : picked) ok = ok && !PortsClash(*p, *order[i]);
      if (ok) picked.push_back(order[i]);
    }
    chosen.clear();
    for (const ServiceDef* p : picked) chosen.push_back(p->name);
    std::vector<std::string> key = chosen;
    std::sort(key.begin(), key.end());
    if (used.insert(key).second) break;
  }
  return chosen;
}

// Fills services, archetype, distro, os profile and hostname of `d`.
Status Resolve(Prng& rng, const ServiceChoice& choice, const std::string& distro_slug,
               const std::string& os_slug, std::set<std::vector<std::string>>& used, Decky& d) {
  const Archetype* arch = nullptr;
  if (!choice.archetype.empty()) {
    arch = FindArchetype(choice.archetype);
    if (arch == nullptr) {
      return MakeError(Errc::kInvalidArgument, "unknown archetype '" + choice.archetype +
                                                   "'. Available: " + ArchetypeNames());
    }
  }
  if (!choice.explicit_services.empty()) {
    d.services = choice.explicit_services;
  } else if (arch != nullptr) {
    d.services.assign(arch->services.begin(), arch->services.end());
  } else if (choice.randomize) {
    d.services = RandomServices(rng, used);
  } else {
    return MakeError(Errc::kInvalidArgument,
                     "decky '" + d.name +
                         "' has no services: give --services, --archetype or --randomize-services");
  }
  for (const std::string& s : d.services) {
    if (FindService(s) == nullptr) {
      return MakeError(Errc::kInvalidArgument,
                       "unknown service '" + s + "'. Available: " + ServiceNames());
    }
  }
  if (arch != nullptr) d.archetype = arch->slug;
  const Distro* distro = nullptr;
  if (!distro_slug.empty()) {
    distro = FindDistro(distro_slug);
    if (distro == nullptr) {
      return MakeError(Errc::kInvalidArgument,
                       "unknown distro '" + distro_slug + "'. Available: " + DistroNames());
    }
  } else if (arch != nullptr) {
    distro = FindDistro(arch->preferred_distros[rng.Index(arch->preferred_distros.size())]);
  } else {
    distro = &Distros()[rng.Index(Distros().size())];
  }
  d.distro = distro->slug;
  d.os_profile = !os_slug.empty() ? os_slug : (arch != nullptr ? arch->os_profile : "linux");
  if (FindOsProfile(d.os_profile) == nullptr) {
    return MakeError(Errc::kInvalidArgument,
                     "unknown OS profile '" + d.os_profile + "'. Available: " + OsProfileNames());
  }
  d.hostname = Hostname(rng, *distro);
  return Ok();
}

std::string DeckyName(size_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "decky-%0*zu", width, n);
  return buf;
}

std::string LanName(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "LAN-%02zu", n);
  return buf;
}

Result<std::vector<Lan>> PlanLans(const MazeConfig& cfg, Prng& rng, SubnetAllocator& subnets) {
  std::vector<Lan> lans;
  auto root = subnets.Next();
  if (!root) return root.error();
  lans.push_back(Lan{LanName(0), *root, root->Gateway(), true, false, ""});
  std::vector<size_t> frontier{0};
  for (int level = 1; level <= cfg.depth && !frontier.empty(); ++level) {
    std::vector<size_t> next;
    for (size_t parent : frontier) {
      const int children = static_cast<int>(rng.Range(1, cfg.branching));
      for (int c = 0; c < children; ++c) {
        auto subnet = subnets.Next();
        if (!subnet) return subnet.error();
        if (static_cast<int>(lans.size()) >= cfg.max_deckies) {
          return MakeError(Errc::kLimit,
                           "topology exceeds max_deckies=" + std::to_string(cfg.max_deckies));
        }
        lans.push_back(
            Lan{LanName(lans.size()), *subnet, subnet->Gateway(), false, false, lans[parent].name});
        next.push_back(lans.size() - 1);
      }
    }
    frontier = std::move(next);
  }
  return lans;
}

// Attaches `d` to LAN `lan_index` with the next free address there.
Status Attach(std::vector<IpAllocator>& ips, const std::vector<Lan>& lans, size_t lan_index,
              Decky& d) {
  auto ip = ips[lan_index].Next();
  if (!ip) return ip.error();
  d.attachments.push_back(Attachment{lans[lan_index].name, *ip});
  return Ok();
}

bool AttachedTo(const Decky& d, const std::string& lan) {
  for (const Attachment& a : d.attachments)
    if (a.lan == lan) return true;
  return false;
}

}  // namespace

Status CheckMazeConfig(const MazeConfig& c) {
  auto bad = [](std::string m) { return MakeError(Errc::kInvalidArgument, std::move(m)); };
  if (c.depth < 1 || c.depth > 16)
    return bad("depth must be in 1..16, got " + std::to_string(c.depth));
  if (c.branching < 1 || c.branching > 8)
    return bad("branching must be in 1..8, got " + std::to_string(c.branching));
  if (c.deckies_per_lan_min < 0 || c.deckies_per_lan_min > 32)
    return bad("deckies-per-lan-min must be in 0..32");
  if (c.deckies_per_lan_max < 1 || c.deckies_per_lan_max > 32)
    return bad("deckies-per-lan-max must be in 1..32");
  if (c.deckies_per_lan_min > c.deckies_per_lan_max)
    return bad("deckies-per-lan-min must be <= deckies-per-lan-max");
  if (!(c.bridge_forward_probability >= 0 && c.bridge_forward_probability <= 1))
    return bad("bridge-forward-probability must be in [0, 1]");
  if (!(c.cross_edge_probability >= 0 && c.cross_edge_probability <= 1))
    return bad("cross-edge-probability must be in [0, 1]");
  if (c.publish_offset < 0 || c.publish_offset > 60000)
    return bad("publish-offset must be in 0..60000");
  if (c.lan_prefix < c.pool.prefix || c.lan_prefix > 29)
    return bad("lan prefix /" + std::to_string(c.lan_prefix) + " must be inside the pool " +
               c.pool.ToString() + " and at most /29");
  return Ok();
}

Result<Topology> GenerateMaze(const MazeConfig& cfg) {
  if (auto st = CheckMazeConfig(cfg); !st) return st.error();
  Prng rng(cfg.seed);
  SubnetAllocator subnets(cfg.pool, cfg.lan_prefix);
  for (const Cidr& r : cfg.reserved) subnets.Reserve(r);
  auto lans = PlanLans(cfg, rng, subnets);
  if (!lans) return lans.error();

  Topology t;
  t.name = cfg.name;
  t.kind = Kind::kMaze;
  t.seed = cfg.seed;
  t.lans = std::move(*lans);
  std::vector<IpAllocator> ips;
  for (const Lan& l : t.lans) ips.emplace_back(l.subnet, l.gateway);

  std::set<std::vector<std::string>> used;
  std::vector<std::vector<size_t>> by_lan(t.lans.size());
  const int width = 3;
  for (size_t li = 0; li < t.lans.size(); ++li) {
    int count = t.lans[li].is_dmz
                    ? 1
                    : static_cast<int>(rng.Range(cfg.deckies_per_lan_min, cfg.deckies_per_lan_max));
    count = std::max(count, 1);  // every LAN needs a decky to carry its bridge
    for (int k = 0; k < count; ++k) {
      if (static_cast<int>(t.deckies.size()) >= cfg.max_deckies) {
        return MakeError(Errc::kLimit,
                         "topology exceeds max_deckies=" + std::to_string(cfg.max_deckies));
      }
      Decky d;
      d.name = DeckyName(t.deckies.size() + 1, width);
      if (auto st = Resolve(rng, cfg.services, cfg.distro, "", used, d); !st) return st.error();
      if (auto st = Attach(ips, t.lans, li, d); !st) return st.error();
      by_lan[li].push_back(t.deckies.size());
      t.deckies.push_back(std::move(d));
    }
  }
  std::map<std::string, size_t> lan_index;
  for (size_t i = 0; i < t.lans.size(); ++i) lan_index[t.lans[i].name] = i;

  // Parent bridges: one decky of every non-DMZ LAN is also homed on the parent LAN.
  for (size_t li = 0; li < t.lans.size(); ++li) {
    if (t.lans[li].is_dmz) continue;
    Decky& bridge = t.deckies[by_lan[li][rng.Index(by_lan[li].size())]];
    if (auto st = Attach(ips, t.lans, lan_index[t.lans[li].parent], bridge); !st) return st.error();
    bridge.forwards = bridge.forwards || rng.Unit() < cfg.bridge_forward_probability;
  }
  // Cross edges turn the tree into a DAG: a decky also homed on a LAN that is not its parent or
  // child.
  if (cfg.cross_edge_probability > 0) {
    for (size_t li = 0; li < t.lans.size(); ++li) {
      if (t.lans[li].is_dmz || rng.Unit() >= cfg.cross_edge_probability) continue;
      std::vector<size_t> peers;
      for (size_t pj = 0; pj < t.lans.size(); ++pj) {
        if (pj == li || t.lans[pj].name == t.lans[li].parent ||
            t.lans[pj].parent == t.lans[li].name)
          continue;
        peers.push_back(pj);
      }
      if (peers.empty()) continue;
      const size_t peer = peers[rng.Index(peers.size())];
      Decky& d = t.deckies[by_lan[li][rng.Index(by_lan[li].size())]];
      if (AttachedTo(d, t.lans[peer].name)) continue;
      if (auto st = Attach(ips, t.lans, peer, d); !st) return st.error();
      d.forwards = d.forwards || rng.Unit() < cfg.bridge_forward_probability;
    }
  }
  // The DMZ gateway: the one decky that publishes ports on the host.
  Decky& gw = t.deckies[by_lan[0][0]];
  gw.gateway = true;
  if (cfg.publish_gateway) {
    for (const std::string& s : gw.services)
      for (const PortSpec& p : FindService(s)->ports) {
        const int host = p.port + cfg.publish_offset;
        if (host > 65535) {
          return MakeError(Errc::kInvalidArgument,
                           "publish-offset " + std::to_string(cfg.publish_offset) +
                               " pushes port " + std::to_string(p.port) + " past 65535");
        }
        gw.published.push_back({static_cast<uint16_t>(host), p.port, p.proto});
      }
  }
  return t;
}

Result<Topology> GenerateFleet(const FleetConfig& cfg) {
  Prng rng(cfg.seed);
  Topology t;
  t.name = cfg.name;
  t.kind = Kind::kFleet;
  t.seed = cfg.seed;
  t.interface = cfg.interface;
  t.ipvlan = cfg.ipvlan;
  t.log_target = cfg.log_target;
  const uint32_t gateway = cfg.gateway.value_or(cfg.subnet.Gateway());
  t.lans.push_back(Lan{"lan", cfg.subnet, gateway, false, true, ""});

  std::vector<DeckySpec> specs = cfg.specs;
  if (specs.empty()) {
    if (cfg.deckies < 1 || cfg.deckies > 100000) {
      return MakeError(Errc::kInvalidArgument,
                       "--deckies must be in 1..100000, got " + std::to_string(cfg.deckies));
    }
    const int width = cfg.deckies >= 100 ? 3 : 2;
    for (int i = 1; i <= cfg.deckies; ++i) {
      DeckySpec s;
      s.name = DeckyName(static_cast<size_t>(i), width);
      s.services = cfg.services;
      s.distro = cfg.distro;
      specs.push_back(std::move(s));
    }
  }
  IpAllocator ips(cfg.subnet, gateway, cfg.ip_start.value_or(0));
  for (const DeckySpec& s : specs) {
    if (s.ip) {
      if (auto st = ips.Reserve(*s.ip); !st) {
        return MakeError(Errc::kInvalidArgument, "decky '" + s.name + "': " + st.error().message);
      }
    }
  }
  std::set<std::vector<std::string>> used;
  for (const DeckySpec& s : specs) {
    Decky d;
    d.name = s.name;
    if (auto st = Resolve(rng, s.services, s.distro.empty() ? cfg.distro : s.distro, s.os_profile,
                          used, d);
        !st) {
      return st.error();
    }
    uint32_t ip = 0;
    if (s.ip) {
      ip = *s.ip;
    } else {
      auto next = ips.Next();
      if (!next) return next.error();
      ip = *next;
    }
    d.attachments.push_back(Attachment{"lan", ip});
    d.settings = s.settings;
    t.deckies.push_back(std::move(d));
  }
  return t;
}

}  // namespace decnet::topology
