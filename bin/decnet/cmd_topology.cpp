// decnet topology generate | list | show | validate | deploy | teardown | delete   (MazeNET)
// Compiled only when the CLI links decnet::topology (bin/CMakeLists.txt globs every cmd_*.cpp).
#if __has_include(<decnet/deploy/deploy.h>)
#include <cstdio>
#include <cstring>
#include <ctime>
#include <cxxopts.hpp>
#include <optional>

#include "cli.h"
#include "cmd_deploy_state.h"
#include "decnet/core/json.h"
#include "decnet/topology/generator.h"
#include "decnet/topology/serialize.h"
#include "decnet/topology/validator.h"

namespace decnet::cli {
namespace {

using namespace decnet::topology;

void AddStateFlags(cxxopts::Options& o) {
  o.add_options()("state-dir", "state directory (env DECNET_STATE_DIR, default /var/lib/decnet)",
                  cxxopts::value<std::string>()->default_value(""))("json", "print JSON");
}

// The one positional argument: the topology id.
bool TakeId(cxxopts::Options& o, int argc, char** argv, cxxopts::ParseResult& r, std::string& id,
            int& rc) {
  o.add_options()("id", "topology id", cxxopts::value<std::string>()->default_value(""));
  o.parse_positional({"id"});
  o.positional_help("ID");
  if (!ParseFlags(o, argc, argv, r, rc)) return false;
  id = r["id"].as<std::string>();
  if (id.empty()) {
    rc = Fail(argv[0], "give the topology id (see decnet topology list)", 2);
    return false;
  }
  return true;
}

int LoadOr(StateStore& store, const std::string& id, const char* cmd, TopologyRecord& rec) {
  auto r = store.Load(id);
  if (!r) return Fail(cmd, r.error().message, r.error().code == Errc::kNotFound ? 2 : 1);
  rec = std::move(*r);
  return 0;
}

// The stored topology a command names by id, with the command's flags and the store it came from.
struct Target {
  cxxopts::ParseResult flags;
  std::string id;
  std::optional<StateStore> store;
  TopologyRecord rec;
  int exit_code = 0;  // when LoadTarget fails: what the command returns
};

// Parses the flags and the id, then loads that topology. Returns false when the command should exit
// with t.exit_code (help, bad usage, no such topology).
bool LoadTarget(cxxopts::Options& o, int argc, char** argv, const char* cmd, Target& t) {
  if (!TakeId(o, argc, argv, t.flags, t.id, t.exit_code)) return false;
  t.store.emplace(ResolveStateDir(t.flags["state-dir"].as<std::string>()));
  t.exit_code = LoadOr(*t.store, t.id, cmd, t.rec);
  return t.exit_code == 0;
}

std::string Summary(const TopologyRecord& rec) {
  json::JsonWriter w;
  w.Str("id", rec.id).Str("name", rec.topology.name).Str("kind", KindName(rec.topology.kind));
  w.Str("status", rec.status).Str("hash", rec.hash).Str("seed", std::to_string(rec.topology.seed));
  w.Int("lans", static_cast<int64_t>(rec.topology.lans.size()));
  w.Int("deckies", static_cast<int64_t>(rec.topology.deckies.size()))
      .Int("created_at", rec.created_at);
  return w.Finish();
}

int Generate(int argc, char** argv) {
  cxxopts::Options o("decnet topology generate",
                     "Generate a MazeNET topology (seeded, reproducible) and store it as pending.");
  o.add_options()("name", "topology id: [a-z0-9][a-z0-9_-]*",
                  cxxopts::value<std::string>()->default_value("maze"))(
      "seed", "PRNG seed", cxxopts::value<uint64_t>()->default_value("0"))(
      "depth", "levels below the DMZ (1..16)", cxxopts::value<int>()->default_value("2"))(
      "branching", "max child LANs per LAN (1..8)", cxxopts::value<int>()->default_value("2"))(
      "deckies-min", "min deckies per LAN", cxxopts::value<int>()->default_value("1"))(
      "deckies-max", "max deckies per LAN", cxxopts::value<int>()->default_value("3"))(
      "cross-edge-probability", "chance a LAN gets a cross edge",
      cxxopts::value<double>()->default_value("0"))("bridge-forward-probability",
                                                    "chance a bridge decky forwards",
                                                    cxxopts::value<double>()->default_value("1"))(
      "pool", "address pool for LAN subnets",
      cxxopts::value<std::string>()->default_value("172.16.0.0/12"))(
      "lan-prefix", "prefix length of each LAN", cxxopts::value<int>()->default_value("24"))(
      "services", "comma-separated services for every decky",
      cxxopts::value<std::string>()->default_value(""))(
      "archetype", "archetype for every decky", cxxopts::value<std::string>()->default_value(""))(
      "randomize-services",
      "random services per decky (the default without --services/--archetype)")(
      "distro", "distro for every decky", cxxopts::value<std::string>()->default_value(""))(
      "no-publish", "the DMZ gateway publishes no host ports")(
      "publish-offset", "host port = service port + N for the DMZ gateway",
      cxxopts::value<int>()->default_value("0"))("force", "replace a stored topology of that name")(
      "print", "also print the topology document");
  AddStateFlags(o);
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  MazeConfig c;
  c.name = r["name"].as<std::string>();
  if (!IsValidId(c.name))
    return Fail("topology generate", "--name must match [a-z0-9][a-z0-9_-]* (at most 32)", 2);
  c.seed = r["seed"].as<uint64_t>();
  c.depth = r["depth"].as<int>();
  c.branching = r["branching"].as<int>();
  c.deckies_per_lan_min = r["deckies-min"].as<int>();
  c.deckies_per_lan_max = r["deckies-max"].as<int>();
  c.cross_edge_probability = r["cross-edge-probability"].as<double>();
  c.bridge_forward_probability = r["bridge-forward-probability"].as<double>();
  auto pool = ParseCidr(r["pool"].as<std::string>());
  if (!pool) return Fail("topology generate", "--pool: " + pool.error().message, 2);
  c.pool = *pool;
  c.lan_prefix = r["lan-prefix"].as<int>();
  c.services.explicit_services = SplitCommaList(r["services"].as<std::string>());
  c.services.archetype = r["archetype"].as<std::string>();
  c.services.randomize = true;
  c.distro = r["distro"].as<std::string>();
  c.publish_gateway = r.count("no-publish") == 0;
  c.publish_offset = r["publish-offset"].as<int>();

  StateStore store(ResolveStateDir(r["state-dir"].as<std::string>()));
  if (store.Exists(c.name) && !r.count("force")) {
    return Fail("topology generate", "topology '" + c.name + "' exists; delete it or pass --force",
                2);
  }
  // Subnets held by other topologies that are not torn down are off limits.
  auto others = store.List();
  if (!others) return Fail("topology generate", others.error().message);
  for (const TopologyRecord& o2 : *others) {
    if (o2.id == c.name || o2.status == "torn_down") continue;
    for (const Lan& l : o2.topology.lans) c.reserved.push_back(l.subnet);
  }
  auto t = GenerateMaze(c);
  if (!t) return Fail("topology generate", t.error().message, 2);
  auto problems = Validate(*t);
  if (!problems.empty()) {
    std::fprintf(stderr, "%s", FormatProblems(problems).c_str());
    return Fail("topology generate", "generated topology is invalid", 1);
  }
  TopologyRecord rec;
  rec.id = c.name;
  rec.status = "pending";
  rec.created_at = static_cast<int64_t>(std::time(nullptr));
  rec.topology = std::move(*t);
  rec.hash = CanonicalHash(rec.topology);
  if (auto st = store.Save(rec); !st) return Fail("topology generate", st.error().message);
  if (r.count("json")) {
    std::printf("%s\n", r.count("print") ? ToJson(rec.topology).c_str() : Summary(rec).c_str());
  } else {
    std::printf("generated topology %s: %zu LANs, %zu deckies, hash %s\n", rec.id.c_str(),
                rec.topology.lans.size(), rec.topology.deckies.size(), rec.hash.c_str());
    if (r.count("print")) std::printf("%s\n", ToJson(rec.topology).c_str());
  }
  return 0;
}

int List(int argc, char** argv) {
  cxxopts::Options o("decnet topology list", "List stored topologies.");
  AddStateFlags(o);
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  StateStore store(ResolveStateDir(r["state-dir"].as<std::string>()));
  auto list = store.List();
  if (!list) return Fail("topology list", list.error().message);
  if (r.count("json")) {
    std::printf("%s\n", JsonArray(*list, Summary).c_str());
    return 0;
  }
  PrintTopologyTable(*list);
  return 0;
}

int Show(int argc, char** argv) {
  cxxopts::Options o("decnet topology show",
                     "Show one topology: LANs, deckies, addresses, services.");
  AddStateFlags(o);
  Target t;
  if (!LoadTarget(o, argc, argv, "topology show", t)) return t.exit_code;
  const TopologyRecord& rec = t.rec;
  if (t.flags.count("json")) {
    json::JsonWriter w;
    w.Raw("summary", Summary(rec)).Raw("topology", ToJson(rec.topology));
    std::printf("%s\n", w.Finish().c_str());
    return 0;
  }
  std::printf("topology %s (%s), status %s, hash %s\n", rec.id.c_str(), KindName(rec.topology.kind),
              rec.status.c_str(), rec.hash.c_str());
  std::printf("\n%-8s %-18s %-15s %-8s %s\n", "LAN", "SUBNET", "GATEWAY", "ROLE", "PARENT");
  for (const Lan& l : rec.topology.lans) {
    std::printf("%-8s %-18s %-15s %-8s %s\n", l.name.c_str(), l.subnet.ToString().c_str(),
                FormatIpv4(l.gateway).c_str(),
                l.is_dmz ? "dmz" : (l.external ? "external" : "internal"),
                l.parent.empty() ? "-" : l.parent.c_str());
  }
  std::printf("\n%-12s %-34s %-10s %s\n", "DECKY", "ADDRESSES", "ROLE", "SERVICES");
  for (const Decky& d : rec.topology.deckies) {
    std::string ips, svcs;
    for (const Attachment& a : d.attachments)
      ips += (ips.empty() ? "" : ",") + a.lan + "=" + FormatIpv4(a.ip);
    for (const std::string& s : d.services) svcs += (svcs.empty() ? "" : ",") + s;
    const char* role =
        d.gateway ? "gateway"
                  : (d.forwards ? "forwards" : (d.attachments.size() > 1 ? "bridge" : "-"));
    std::printf("%-12s %-34s %-10s %s\n", d.name.c_str(), ips.c_str(), role, svcs.c_str());
  }
  return 0;
}

int ValidateCmd(int argc, char** argv) {
  cxxopts::Options o(
      "decnet topology validate",
      "Check a stored topology (or a topology JSON file with --file) against every rule.");
  o.add_options()("file", "validate this topology JSON document instead",
                  cxxopts::value<std::string>()->default_value(""));
  AddStateFlags(o);
  o.add_options()("id", "topology id", cxxopts::value<std::string>()->default_value(""));
  o.parse_positional({"id"});
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  Topology t;
  std::string label;
  if (const std::string file = r["file"].as<std::string>(); !file.empty()) {
    FILE* f = std::fopen(file.c_str(), "rb");
    if (f == nullptr) return Fail("topology validate", file + ": " + std::strerror(errno), 2);
    std::string text;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    auto parsed = FromJson(text);
    if (!parsed) return Fail("topology validate", file + ": " + parsed.error().message, 2);
    t = std::move(*parsed);
    label = file;
  } else {
    const std::string id = r["id"].as<std::string>();
    if (id.empty()) return Fail("topology validate", "give the topology id or --file", 2);
    StateStore store(ResolveStateDir(r["state-dir"].as<std::string>()));
    TopologyRecord rec;
    if ((rc = LoadOr(store, id, "topology validate", rec)) != 0) return rc;
    t = std::move(rec.topology);
    label = id;
  }
  auto problems = Validate(t);
  if (r.count("json")) {
    std::string list = JsonArray(problems, [](const Problem& p) {
      json::JsonWriter w;
      w.Str("rule", p.rule).Str("message", p.message);
      return w.Finish();
    });
    json::JsonWriter w;
    w.Str("topology", label)
        .Bool("valid", problems.empty())
        .Str("hash", CanonicalHash(t))
        .Raw("problems", list);
    std::printf("%s\n", w.Finish().c_str());
  } else if (problems.empty()) {
    std::printf("%s: valid (%zu LANs, %zu deckies)\n", label.c_str(), t.lans.size(),
                t.deckies.size());
  } else {
    std::printf("%s", FormatProblems(problems).c_str());
    std::printf("%s: %zu problems\n", label.c_str(), problems.size());
  }
  return problems.empty() ? 0 : 1;
}

int DeployCmd(int argc, char** argv) {
  cxxopts::Options o("decnet topology deploy",
                     "Render and deploy a stored topology (incremental).");
  AddRenderFlags(o);
  Target t;
  if (!LoadTarget(o, argc, argv, "topology deploy", t)) return t.exit_code;
  return DeployRecord(*t.store, t.rec, RenderOptions(t.flags, t.store->dir()), true);
}

int TeardownCmd(int argc, char** argv) {
  cxxopts::Options o("decnet topology teardown",
                     "Stop and remove a deployed topology's containers and networks.");
  AddStateFlags(o);
  Target t;
  if (!LoadTarget(o, argc, argv, "topology teardown", t)) return t.exit_code;
  return TeardownRecord(*t.store, t.rec, t.flags.count("json") > 0);
}

int Delete(int argc, char** argv) {
  cxxopts::Options o("decnet topology delete", "Delete a stored topology that is not deployed.");
  AddStateFlags(o);
  Target t;
  if (!LoadTarget(o, argc, argv, "topology delete", t)) return t.exit_code;
  const std::string& status = t.rec.status;
  if (status != "pending" && status != "torn_down" && status != "failed") {
    return Fail("topology delete", "topology '" + t.id + "' is " + status + "; tear it down first",
                2);
  }
  if (auto st = t.store->Remove(t.id); !st) return Fail("topology delete", st.error().message);
  if (t.flags.count("json")) {
    json::JsonWriter w;
    w.Str("id", t.id).Bool("deleted", true);
    std::printf("%s\n", w.Finish().c_str());
  } else {
    std::printf("deleted topology %s\n", t.id.c_str());
  }
  return 0;
}

struct Sub {
  const char* name;
  const char* summary;
  int (*fn)(int, char**);
};

const Sub kSubs[] = {
    {"generate", "generate a MazeNET topology and store it", Generate},
    {"list", "list stored topologies", List},
    {"show", "show one topology", Show},
    {"validate", "check a topology against every rule", ValidateCmd},
    {"deploy", "deploy a stored topology (--dry-run: plan only)", DeployCmd},
    {"teardown", "tear down a deployed topology", TeardownCmd},
    {"delete", "delete a stored topology", Delete},
};

int Topology(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::printf("usage: decnet topology <command> [options]   (each command has --help)\n\n");
    for (const Sub& s : kSubs) std::printf("  %-10s %s\n", s.name, s.summary);
    return argc < 2 ? 2 : 0;
  }
  for (const Sub& s : kSubs) {
    if (std::strcmp(argv[1], s.name) == 0) {
      std::string name = std::string("topology ") + s.name;
      std::vector<char*> args(argv + 1, argv + argc);
      args[0] = name.data();
      return s.fn(static_cast<int>(args.size()), args.data());
    }
  }
  return Fail("topology",
              std::string("unknown command '") + argv[1] + "' (try decnet topology --help)", 2);
}

}  // namespace

DECNET_COMMAND("topology", "MazeNET topologies: generate|list|show|validate|deploy|teardown|delete",
               Topology);

}  // namespace decnet::cli

#endif  // __has_include(<decnet/deploy/deploy.h>)
