// decnet services | archetypes | distros | deploy | teardown | status
// Compiled only when the CLI links decnet::topology (bin/CMakeLists.txt globs every cmd_*.cpp).
#if __has_include(<decnet/deploy/deploy.h>)
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <cxxopts.hpp>

#include "cli.h"
#include "cmd_deploy_state.h"
#include "decnet/core/json.h"
#include "decnet/deploy/probe.h"
#include "decnet/topology/generator.h"
#include "decnet/topology/ini.h"
#include "decnet/topology/registry.h"

namespace decnet::cli {

using namespace decnet::topology;

static std::string JsonStrings(const std::vector<std::string_view>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    out += i ? "," : "";
    json::AppendQuoted(out, v[i]);
  }
  return out + "]";
}

// Parses flags; on --help prints and returns 0 through `exit_code`, on bad usage returns 2.
bool ParseFlags(cxxopts::Options& o, int argc, char** argv, cxxopts::ParseResult& out,
                int& exit_code) {
  o.add_options()("h,help", "show this help");
  try {
    out = o.parse(argc, argv);
  } catch (const std::exception& e) {
    exit_code = Fail(argv[0], e.what(), 2);
    return false;
  }
  if (out.count("help")) {
    std::printf("%s\n", o.help().c_str());
    exit_code = 0;
    return false;
  }
  if (!out.unmatched().empty()) {
    exit_code = Fail(argv[0], "unexpected argument '" + out.unmatched()[0] + "'", 2);
    return false;
  }
  return true;
}

namespace {

int ServicesCmd(int argc, char** argv) {
  cxxopts::Options o("decnet services",
                     "List the honeypot services, their ports and persona settings.");
  o.add_options()("json", "print JSON");
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  if (r.count("json")) {
    auto port_json = [](const PortSpec& p) {
      json::JsonWriter w;
      w.Int("port", p.port).Str("proto", ProtoName(p.proto));
      return w.Finish();
    };
    auto setting_json = [](const ConfigField& field) {
      json::JsonWriter w;
      w.Str("key", field.key).Str("type", FieldTypeName(field.type)).Str("help", field.help);
      if (!field.choices.empty()) w.Raw("choices", JsonStrings(field.choices));
      return w.Finish();
    };
    std::string out = JsonArray(Services(), [&](const ServiceDef& s) {
      json::JsonWriter w;
      w.Str("name", s.name)
          .Str("description", s.description)
          .Raw("ports", JsonArray(s.ports, port_json))
          .Raw("settings", JsonArray(s.schema, setting_json));
      w.Bool("fleet_singleton", s.fleet_singleton).Bool("randomizable", s.randomizable);
      return w.Finish();
    });
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("%-14s %-22s %s\n", "SERVICE", "PORTS", "DESCRIPTION");
  for (const ServiceDef& s : Services()) {
    std::string ports;
    for (const PortSpec& p : s.ports)
      ports += (ports.empty() ? "" : ",") + std::to_string(p.port) + "/" + ProtoName(p.proto);
    std::printf("%-14s %-22s %s\n", s.name, ports.empty() ? "-" : ports.c_str(), s.description);
  }
  return 0;
}

int ArchetypesCmd(int argc, char** argv) {
  cxxopts::Options o("decnet archetypes",
                     "List the machine archetypes (service sets, distros, OS profile).");
  o.add_options()("json", "print JSON");
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  if (r.count("json")) {
    std::string out = JsonArray(Archetypes(), [](const Archetype& a) {
      json::JsonWriter w;
      w.Str("slug", a.slug).Str("display_name", a.display_name).Str("description", a.description);
      w.Raw("services", JsonStrings(a.services))
          .Raw("preferred_distros", JsonStrings(a.preferred_distros));
      w.Str("os_profile", a.os_profile);
      return w.Finish();
    });
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("%-20s %-28s %-10s %s\n", "ARCHETYPE", "SERVICES", "OS", "DESCRIPTION");
  for (const Archetype& a : Archetypes()) {
    std::string svcs;
    for (auto s : a.services) svcs += (svcs.empty() ? "" : ",") + std::string(s);
    std::printf("%-20s %-28s %-10s %s\n", a.slug, svcs.c_str(), a.os_profile, a.description);
  }
  return 0;
}

int DistrosCmd(int argc, char** argv) {
  cxxopts::Options o("decnet distros", "List the distros and the OS fingerprint profiles.");
  o.add_options()("json", "print JSON");
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  if (r.count("json")) {
    std::string distros = JsonArray(Distros(), [](const Distro& d) {
      json::JsonWriter w;
      w.Str("slug", d.slug).Str("image", d.image).Str("display_name", d.display_name);
      w.Str("hostname_style", d.hostname_style);
      return w.Finish();
    });
    std::string profiles = JsonArray(OsProfiles(), [](const OsProfile& p) {
      json::JsonWriter sys;
      for (const auto& [k, v] : p.sysctls) sys.Str(k, v);
      json::JsonWriter w;
      w.Str("slug", p.slug).Raw("sysctls", sys.Finish());
      return w.Finish();
    });
    json::JsonWriter top;
    top.Raw("distros", distros).Raw("os_profiles", profiles);
    std::printf("%s\n", top.Finish().c_str());
    return 0;
  }
  std::printf("%-10s %-24s %-9s %s\n", "DISTRO", "IMAGE", "HOSTNAME", "NAME");
  for (const Distro& d : Distros())
    std::printf("%-10s %-24s %-9s %s\n", d.slug, d.image, d.hostname_style, d.display_name);
  std::printf("\n%-16s %s\n", "OS PROFILE", "TTL");
  for (const OsProfile& p : OsProfiles()) {
    std::string ttl;
    for (const auto& [k, v] : p.sysctls)
      if (k == "net.ipv4.ip_default_ttl") ttl = v;
    std::printf("%-16s %s\n", p.slug, ttl.c_str());
  }
  return 0;
}

}  // namespace

void AddRenderFlags(cxxopts::Options& o) {
  o.add_options()("state-dir", "state directory (env DECNET_STATE_DIR, default /var/lib/decnet)",
                  cxxopts::value<std::string>()->default_value(""))(
      "image-prefix", "service images are <prefix>/<service>",
      cxxopts::value<std::string>()->default_value("decnet"))(
      "image-tag", "service image tag", cxxopts::value<std::string>()->default_value("latest"))(
      "base-image", "image for every decky's base container instead of its distro's",
      cxxopts::value<std::string>()->default_value(""))(
      "artifact-root", "absolute directory for per-decky artifacts (default <state_dir>/artifacts)",
      cxxopts::value<std::string>()->default_value(""))(
      "dry-run", "print the plan only (docker: the compose file is written)")(
      "json", "print JSON")(
      "runtime", "docker | netns (env DECNET_RUNTIME; default: netns as root, else docker)",
      cxxopts::value<std::string>()->default_value(""))(
      "bridge", "netns: put the flat fleet on an internal bridge instead of macvlan/ipvlan")(
      "decky-bin", "netns: the decnet-decky executable (env DECNET_DECKY_BIN)",
      cxxopts::value<std::string>()->default_value(""))(
      "launcher", "netns: who runs the decky processes: auto | systemd | fleet | self | none",
      cxxopts::value<std::string>()->default_value("auto"))(
      "wait", "netns: seconds to wait for new deckies to run (0: do not wait)",
      cxxopts::value<double>()->default_value("15"));
}

DeployOptions RenderOptions(const cxxopts::ParseResult& r, const std::string& state_dir) {
  DeployOptions d;
  d.dry_run = r.count("dry-run") > 0;
  d.json = r.count("json") > 0;
  d.compose.image_prefix = r["image-prefix"].as<std::string>();
  d.compose.image_tag = r["image-tag"].as<std::string>();
  d.compose.base_image = r["base-image"].as<std::string>();
  d.compose.artifact_root = r["artifact-root"].as<std::string>();
  if (d.compose.artifact_root.empty()) d.compose.artifact_root = state_dir + "/artifacts";
  d.runtime = r["runtime"].as<std::string>();
  d.bridge = r.count("bridge") > 0;
  d.decky_bin = r["decky-bin"].as<std::string>();
  d.launcher = r["launcher"].as<std::string>();
  d.wait_s = r["wait"].as<double>();
  return d;
}

namespace {

// Builds the flat fleet from flags and the optional INI file. Returns an exit code on failure.
int BuildFleet(const cxxopts::ParseResult& r, FleetConfig& f) {
  const char* cmd = "deploy";
  f.name = r["name"].as<std::string>();
  f.seed = r["seed"].as<uint64_t>();
  f.deckies = r["deckies"].as<int>();
  f.interface = r["interface"].as<std::string>();
  f.ipvlan = r.count("ipvlan") > 0;
  f.distro = r["distro"].as<std::string>();
  f.log_target = r["log-target"].as<std::string>();
  f.services.explicit_services = SplitCommaList(r["services"].as<std::string>());
  f.services.archetype = r["archetype"].as<std::string>();
  f.services.randomize = r.count("randomize-services") > 0;
  if (const std::string ini = r["config"].as<std::string>(); !ini.empty()) {
    IniResult parsed = LoadIniFile(ini);
    std::fprintf(stderr, "%s", FormatDiagnostics(ini, parsed.warnings).c_str());
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s", FormatDiagnostics(ini, parsed.errors).c_str());
      return Fail(cmd, "config file " + ini + " has errors", 2);
    }
    const IniConfig& c = parsed.config;
    if (c.subnet && !r.count("subnet")) f.subnet = *c.subnet;
    if (c.gateway && !r.count("gateway")) f.gateway = c.gateway;
    if (!c.interface.empty() && !r.count("interface")) f.interface = c.interface;
    if (!c.log_target.empty() && !r.count("log-target")) f.log_target = c.log_target;
    if (c.ipvlan && !r.count("ipvlan")) f.ipvlan = *c.ipvlan;
    if (!c.distro.empty() && !r.count("distro")) f.distro = c.distro;
    f.specs = c.deckies;
    for (DeckySpec& s : f.specs) {
      // A section without services or archetype falls back to the command line's choice.
      if (s.services.explicit_services.empty() && s.services.archetype.empty())
        s.services = f.services;
    }
  }
  if (r.count("subnet")) {
    auto c = ParseCidr(r["subnet"].as<std::string>());
    if (!c) return Fail(cmd, "--subnet: " + c.error().message, 2);
    f.subnet = *c;
  }
  if (r.count("gateway")) {
    auto ip = ParseIpv4(r["gateway"].as<std::string>());
    if (!ip) return Fail(cmd, "--gateway: " + ip.error().message, 2);
    f.gateway = *ip;
  }
  if (r.count("ip-start")) {
    auto ip = ParseIpv4(r["ip-start"].as<std::string>());
    if (!ip) return Fail(cmd, "--ip-start: " + ip.error().message, 2);
    if (!f.subnet.Contains(*ip))
      return Fail(cmd, "--ip-start " + FormatIpv4(*ip) + " is outside " + f.subnet.ToString(), 2);
    f.ip_start = *ip;
  }
  if (f.specs.empty() && f.services.explicit_services.empty() && f.services.archetype.empty() &&
      !f.services.randomize) {
    return Fail(cmd,
                "say which services: --services LIST, --archetype NAME, --randomize-services or "
                "--config INI",
                2);
  }
  return 0;
}

int Deploy(int argc, char** argv) {
  cxxopts::Options o(
      "decnet deploy",
      "Deploy (or update) the flat fleet: deckies on the real LAN through MACVLAN or IPvlan L2\n"
      "(--bridge: an internal bridge). Runtime netns (a network namespace and a decnet-decky per\n"
      "decky; default as root) or docker. Incremental: only deckies whose configuration changed are\n"
      "recreated.");
  o.add_options()("n,deckies", "number of deckies (ignored with --config)",
                  cxxopts::value<int>()->default_value("1"))(
      "i,interface", "host interface the deckies hang off",
      cxxopts::value<std::string>()->default_value("eth0"))(
      "subnet", "LAN subnet (CIDR)",
      cxxopts::value<std::string>()->default_value("192.168.1.0/24"))(
      "gateway", "LAN gateway (default: the subnet's first host)", cxxopts::value<std::string>())(
      "ip-start", "first decky address", cxxopts::value<std::string>())(
      "services", "comma-separated services for every decky",
      cxxopts::value<std::string>()->default_value(""))(
      "randomize-services", "give each decky 1-3 random, port-compatible services")(
      "archetype", "machine archetype (see decnet archetypes)",
      cxxopts::value<std::string>()->default_value(""))(
      "distro", "distro for every decky (see decnet distros)",
      cxxopts::value<std::string>()->default_value(""))(
      "config", "INI deploy file", cxxopts::value<std::string>()->default_value(""))(
      "ipvlan", "use IPvlan L2 instead of MACVLAN (WiFi, switches limiting MACs)")(
      "log-target", "host:port the services log to",
      cxxopts::value<std::string>()->default_value(""))(
      "seed", "seed for random choices (same seed, same fleet)",
      cxxopts::value<uint64_t>()->default_value("0"))(
      "name", "fleet id", cxxopts::value<std::string>()->default_value("fleet"));
  AddRenderFlags(o);
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  FleetConfig f;
  if ((rc = BuildFleet(r, f)) != 0) return rc;
  if (!IsValidId(f.name))
    return Fail("deploy", "--name must match [a-z0-9][a-z0-9_-]* (at most 32)", 2);
  auto t = GenerateFleet(f);
  if (!t) return Fail("deploy", t.error().message, 2);
  StateStore store(ResolveStateDir(r["state-dir"].as<std::string>()));
  TopologyRecord rec;
  if (auto old = store.Load(f.name)) {
    rec = std::move(*old);
    if (rec.topology.kind != Kind::kFleet)
      return Fail("deploy", "'" + f.name + "' is a MazeNET topology; use decnet topology deploy",
                  2);
  } else if (old.error().code != Errc::kNotFound) {
    return Fail("deploy", old.error().message);
  } else {
    rec.id = f.name;
    rec.status = "pending";
    rec.created_at = static_cast<int64_t>(std::time(nullptr));
  }
  rec.topology = std::move(*t);
  return DeployRecord(store, rec, RenderOptions(r, store.dir()), true);
}

int Teardown(int argc, char** argv) {
  cxxopts::Options o("decnet teardown", "Stop and remove deployed deckies and their networks.");
  o.add_options()("all", "tear down every deployed fleet and topology")(
      "id", "the fleet or topology id to tear down",
      cxxopts::value<std::string>()->default_value(""))(
      "state-dir", "state directory (env DECNET_STATE_DIR)",
      cxxopts::value<std::string>()->default_value(""))("json", "print JSON");
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  const bool all = r.count("all") > 0;
  const std::string id = r["id"].as<std::string>();
  if (all == !id.empty()) return Fail("teardown", "give exactly one of --all or --id ID", 2);
  StateStore store(ResolveStateDir(r["state-dir"].as<std::string>()));
  std::vector<TopologyRecord> targets;
  if (all) {
    auto list = store.List();
    if (!list) return Fail("teardown", list.error().message);
    for (TopologyRecord& rec : *list)
      if (rec.status != "torn_down" && rec.status != "pending") targets.push_back(std::move(rec));
  } else {
    auto rec = store.Load(id);
    if (!rec)
      return Fail("teardown", rec.error().message, rec.error().code == Errc::kNotFound ? 2 : 1);
    targets.push_back(std::move(*rec));
  }
  for (TopologyRecord& rec : targets) {
    if ((rc = TeardownRecord(store, rec, r.count("json") > 0)) != 0) return rc;
  }
  if (targets.empty() && !r.count("json")) std::printf("nothing deployed\n");
  return 0;
}

// Per decky: running / degraded / absent and per service up / down. As root the namespaces are
// probed now; otherwise the reconciler's last snapshot (<state_dir>/deckies.state.json) is shown.
struct LiveDecky {
  std::string name, topology, runtime, state = "unknown", detail;
  std::map<std::string, std::string> services;
};

std::vector<LiveDecky> LiveState(const std::string& state_dir, std::string& source) {
  std::vector<LiveDecky> out;
  auto fleet = deploy::ReadFleetJson(state_dir + "/fleet.json");
  if (!fleet) return out;
  std::map<std::string, std::pair<std::string, std::map<std::string, std::string>>> snap;
  const bool root = ::geteuid() == 0;
  if (!root) {
    source = "reconciler snapshot";
    FILE* f = std::fopen((state_dir + "/deckies.state.json").c_str(), "re");
    if (f != nullptr) {
      std::string text;
      char buf[65536];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
      std::fclose(f);
      rapidjson::Document doc;
      if (json::ParseObject(text, doc, json::ParseLimits{64u << 20, 8})) {
        auto dk = doc.FindMember("deckies");
        if (dk != doc.MemberEnd() && dk->value.IsObject()) {
          for (const auto& m : dk->value.GetObject()) {
            auto& e = snap[m.name.GetString()];
            e.first = std::string(json::GetString(m.value, "state", "unknown"));
            auto sv = m.value.FindMember("services");
            if (sv != m.value.MemberEnd() && sv->value.IsObject())
              for (const auto& s : sv->value.GetObject())
                if (s.value.IsString()) e.second[s.name.GetString()] = s.value.GetString();
          }
        }
      }
    }
  } else {
    source = "probed now";
  }
  const auto index = root ? deploy::NetnsPidIndex() : std::multimap<ino_t, pid_t>{};
  for (const deploy::FleetDecky& d : *fleet) {
    LiveDecky l;
    l.name = d.name;
    l.topology = d.topology;
    l.runtime = d.runtime;
    for (const auto& s : d.services) l.services[s.name] = "unknown";
    if (d.runtime == "netns" && root) {
      deploy::DeckyProbe p = deploy::ProbeDecky(d.netns, d.services, index);
      l.state = deploy::DeckyStateName(p.state);
      l.detail = p.detail;
      for (const auto& [s, up] : p.services) l.services[s] = up ? "up" : "down";
    } else if (auto it = snap.find(d.name); it != snap.end()) {
      l.state = it->second.first;
      for (const auto& [s, v] : it->second.second) l.services[s] = v;
    }
    out.push_back(std::move(l));
  }
  return out;
}

int Status(int argc, char** argv) {
  cxxopts::Options o("decnet status",
                     "Show the fleets and topologies, and each deployed decky: running, degraded or\n"
                     "absent, per service up or down.");
  o.add_options()("state-dir", "state directory (env DECNET_STATE_DIR)",
                  cxxopts::value<std::string>()->default_value(""))("json", "print JSON");
  cxxopts::ParseResult r;
  int rc = 0;
  if (!ParseFlags(o, argc, argv, r, rc)) return rc;
  StateStore store(ResolveStateDir(r["state-dir"].as<std::string>()));
  auto list = store.List();
  if (!list) return Fail("status", list.error().message);
  std::string source;
  const std::vector<LiveDecky> live = LiveState(store.dir(), source);
  if (r.count("json")) {
    std::string out = JsonArray(*list, [&](const TopologyRecord& rec) {
      json::JsonWriter w;
      w.Str("id", rec.id)
          .Str("kind", KindName(rec.topology.kind))
          .Str("status", rec.status)
          .Str("hash", rec.hash)
          .Str("runtime", rec.runtime);
      w.Str("scope", rec.Scope()).Int("lans", static_cast<int64_t>(rec.topology.lans.size()));
      w.Int("deckies", static_cast<int64_t>(rec.topology.deckies.size()));
      w.Int("deployed", static_cast<int64_t>(rec.deployed.size()))
          .Int("created_at", rec.created_at);
      std::string ds = "{";
      bool first = true;
      for (const LiveDecky& l : live) {
        if (l.topology != rec.id) continue;
        json::JsonWriter svcs;
        for (const auto& [s, v] : l.services) svcs.Str(s, v);
        json::JsonWriter dw;
        dw.Str("state", l.state).Str("runtime", l.runtime).Raw("services", svcs.Finish());
        if (!l.detail.empty()) dw.Str("detail", l.detail);
        ds += first ? "" : ",";
        first = false;
        json::AppendQuoted(ds, l.name);
        ds += ":" + dw.Finish();
      }
      w.Raw("decky_states", ds + "}");
      return w.Finish();
    });
    std::printf("%s\n", out.c_str());
    return 0;
  }
  if (list->empty()) {
    std::printf("no fleets or topologies in %s\n", store.dir().c_str());
    return 0;
  }
  PrintTopologyTable(*list);
  if (!live.empty()) {
    std::printf("\n%-20s %-14s %-8s %-9s %s   (%s)\n", "DECKY", "TOPOLOGY", "RUNTIME", "STATE",
                "SERVICES", source.c_str());
    for (const LiveDecky& l : live) {
      std::string svcs;
      for (const auto& [s, v] : l.services) svcs += (svcs.empty() ? "" : " ") + s + ":" + v;
      std::printf("%-20s %-14s %-8s %-9s %s%s\n", l.name.c_str(), l.topology.c_str(),
                  l.runtime.c_str(), l.state.c_str(), svcs.c_str(),
                  l.detail.empty() ? "" : ("  (" + l.detail + ")").c_str());
    }
  }
  return 0;
}

}  // namespace

DECNET_COMMAND("services", "list honeypot services, ports and settings", ServicesCmd);
DECNET_COMMAND("archetypes", "list machine archetypes", ArchetypesCmd);
DECNET_COMMAND("distros", "list distros and OS fingerprint profiles", DistrosCmd);
DECNET_COMMAND("deploy", "deploy or update the flat fleet (--dry-run: plan only)", Deploy);
DECNET_COMMAND("teardown", "tear down a fleet or topology (--all | --id ID)", Teardown);
DECNET_COMMAND("status", "show fleets and topologies", Status);

}  // namespace decnet::cli

#endif  // __has_include(<decnet/deploy/deploy.h>)
