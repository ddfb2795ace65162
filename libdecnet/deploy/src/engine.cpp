#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "decnet/core/json.h"
#include "decnet/deploy/deploy.h"
#include "decnet/deploy/probe.h"
#include "decnet/topology/serialize.h"
#include "decnet/topology/validator.h"
#include "runtimes.h"

extern char** environ;

namespace decnet::deploy {

using topology::Topology;

Plan MakePlan(const std::map<std::string, std::string>& desired,
              const std::map<std::string, std::string>& deployed,
              const std::function<bool(const std::string&)>& present) {
  Plan p;
  for (const auto& [name, hash] : desired) {
    auto it = deployed.find(name);
    if (it == deployed.end())
      p.create.push_back(name);
    else if (it->second != hash || (present && !present(name)))
      p.recreate.push_back(name);
    else
      p.unchanged.push_back(name);
  }
  for (const auto& [name, hash] : deployed)
    if (!desired.count(name)) p.remove.push_back(name);
  return p;
}

namespace {

bool NameOk(const std::string& n) {
  // topology::Validate's Docker object-name rule, restated here because these names also become
  // argv words, file names and (hashed) interface names: nothing YAML, a shell or a path reads
  // specially (no newline, ':', '/', space, quote), and never "." or "..".
  if (n.empty() || n.size() > 63) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(n[0])) return false;
  for (char c : n)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

Status CheckNames(const TopologyRecord& rec) {
  if (!IsValidId(rec.id))
    return MakeError(Errc::kInvalidArgument,
                     "topology id '" + rec.id + "' must match [a-z0-9][a-z0-9_-]* (at most 32)");
  for (const topology::Lan& l : rec.topology.lans)
    if (!NameOk(l.name))
      return MakeError(Errc::kInvalidArgument, "LAN name '" + l.name + "' is not a valid name");
  for (const topology::Decky& d : rec.topology.deckies) {
    if (!NameOk(d.name))
      return MakeError(Errc::kInvalidArgument, "decky name '" + d.name + "' is not a valid name");
    if (!d.hostname.empty() && !topology::IsValidHostname(d.hostname))
      return MakeError(Errc::kInvalidArgument, "decky '" + d.name + "': bad hostname");
    for (const std::string& s : d.services)
      if (!NameOk(s)) return MakeError(Errc::kInvalidArgument, "bad service name '" + s + "'");
  }
  return Ok();
}

std::string DefaultRuntimeName() {
  const char* env = std::getenv("DECNET_RUNTIME");
  if (env != nullptr && *env) return env;
  return ::geteuid() == 0 ? "netns" : "docker";
}

Result<std::unique_ptr<Runtime>> MakeRuntime(const std::string& name,
                                             const std::string& state_dir) {
  const std::string n = name.empty() ? DefaultRuntimeName() : name;
  auto priv = PrivateDir(state_dir, false);  // made by the runtime when it first writes
  if (!priv) return priv.error();
  if (n == "docker") return MakeDockerRuntime(state_dir, *priv);
  if (n == "netns") return MakeNetnsRuntime(state_dir, *priv);
  return MakeError(Errc::kInvalidArgument, "unknown runtime '" + n + "' (docker, netns)");
}

std::string ComposePath(const std::string& private_dir, const TopologyRecord& r) {
  return private_dir + "/compose/" + r.Scope() + "/docker-compose.yml";
}

// ---- running programs

namespace {

bool Executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string FindInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return Executable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    if (colon == std::string::npos) colon = p.size();
    const std::string candidate = p.substr(start, colon - start) + "/" + name;
    if (colon > start && Executable(candidate)) return candidate;
    start = colon + 1;
  }
  for (const char* dir : {"/usr/sbin", "/sbin"}) {
    const std::string c = std::string(dir) + "/" + name;
    if (Executable(c)) return c;
  }
  return "";
}

int Run(const std::vector<std::string>& argv, bool quiet) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (quiet) {
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return 127;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

DockerInfo ProbeDocker() {
  DockerInfo info;
  const char* override_bin = std::getenv("DECNET_DOCKER");
  const std::string docker =
      FindInPath(override_bin != nullptr && *override_bin ? override_bin : "docker");
  if (docker.empty()) {
    info.reason = "the docker CLI is not installed (no 'docker' in PATH)";
    return info;
  }
  if (Run({docker, "info", "--format", "{{.ServerVersion}}"}, true) != 0) {
    info.reason = "the Docker engine is not reachable ('docker info' failed: is dockerd running?)";
    return info;
  }
  if (Run({docker, "compose", "version"}, true) == 0) {
    info.compose = {docker, "compose"};
  } else if (const std::string legacy = FindInPath("docker-compose"); !legacy.empty()) {
    info.compose = {legacy};
  } else {
    info.reason = "neither the docker compose plugin nor docker-compose is installed";
    return info;
  }
  info.available = true;
  return info;
}

// ---- deploy / teardown

namespace {

int Fail(const char* cmd, const std::string& msg, int code = 1) {
  std::fprintf(stderr, "decnet %s: %s\n", cmd, msg.c_str());
  return code;
}

std::string JsonList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    out += i ? "," : "";
    json::AppendQuoted(out, v[i]);
  }
  return out + "]";
}

void PrintPlan(const TopologyRecord& rec, const Plan& plan, const char* runtime,
               const std::string& where, bool dry_run, bool json_out) {
  const Topology& t = rec.topology;
  const bool docker = std::strcmp(runtime, "docker") == 0;
  if (json_out) {
    std::string deckies = "[";
    for (size_t i = 0; i < t.deckies.size(); ++i) {
      const topology::Decky& d = t.deckies[i];
      std::vector<std::string> ips;
      for (const auto& a : d.attachments) ips.push_back(a.lan + "=" + topology::FormatIpv4(a.ip));
      json::JsonWriter w;
      w.Str("name", d.name)
          .Str("hostname", d.hostname)
          .Str("distro", d.distro)
          .Str("os_profile", d.os_profile);
      w.Raw("addresses", JsonList(ips)).Raw("services", JsonList(d.services));
      w.Bool("forwards", d.forwards).Bool("gateway", d.gateway);
      if (!docker) w.Str("netns", NetnsPath(d.name));
      deckies += (i ? "," : "") + w.Finish();
    }
    deckies += "]";
    json::JsonWriter plan_w;
    plan_w.Raw("create", JsonList(plan.create)).Raw("recreate", JsonList(plan.recreate));
    plan_w.Raw("remove", JsonList(plan.remove)).Raw("unchanged", JsonList(plan.unchanged));
    json::JsonWriter w;
    w.Str("topology", rec.id).Str("kind", topology::KindName(t.kind)).Str("scope", rec.Scope());
    w.Str("runtime", runtime).Str("hash", rec.hash);
    w.Str(docker ? "compose_file" : "private_dir", where).Bool("dry_run", dry_run);
    w.Raw("plan", plan_w.Finish()).Raw("deckies", deckies);
    std::printf("%s\n", w.Finish().c_str());
    return;
  }
  std::printf("topology %s (%s), scope %s, runtime %s, hash %s\n", rec.id.c_str(),
              topology::KindName(t.kind), rec.Scope().c_str(), runtime,
              rec.hash.substr(0, 16).c_str());
  std::printf("%s: %s\n", docker ? "compose file" : "private dir", where.c_str());
  std::printf("%-20s %-18s %-10s %-16s %s\n", "DECKY", "ADDRESSES", "DISTRO", "OS", "SERVICES");
  for (const topology::Decky& d : t.deckies) {
    std::string ips, svcs;
    for (const auto& a : d.attachments)
      ips += (ips.empty() ? "" : ",") + topology::FormatIpv4(a.ip);
    for (const auto& s : d.services) svcs += (svcs.empty() ? "" : ",") + s;
    if (d.gateway) svcs += " [gateway]";
    if (d.forwards) svcs += " [forwards]";
    std::printf("%-20s %-18s %-10s %-16s %s\n", d.name.c_str(), ips.c_str(), d.distro.c_str(),
                d.os_profile.c_str(), svcs.c_str());
  }
  std::printf("plan: %zu to create, %zu to recreate, %zu to remove, %zu unchanged%s\n",
              plan.create.size(), plan.recreate.size(), plan.remove.size(), plan.unchanged.size(),
              dry_run ? " (dry run: nothing applied)" : "");
  std::fflush(stdout);
}

}  // namespace

int DeployRecord(StateStore& store, TopologyRecord& rec, const DeployOptions& opts, bool persist) {
  const char* cmd = "deploy";
  auto problems = topology::Validate(rec.topology);
  if (!problems.empty()) {
    std::fprintf(stderr, "%s", topology::FormatProblems(problems).c_str());
    return Fail(
        cmd,
        "topology '" + rec.id + "' is invalid (" + std::to_string(problems.size()) + " problems)",
        2);
  }
  if (auto st = CheckNames(rec); !st) return Fail(cmd, st.error().message, 2);
  rec.hash = topology::CanonicalHash(rec.topology);
  // Decky names key the deckies table, fleet.json, the namespaces and the logs: they are unique
  // across live topologies.
  auto others = store.List();
  if (!others) return Fail(cmd, others.error().message);
  for (const TopologyRecord& o : *others) {
    if (o.id == rec.id || (o.status != "active" && o.status != "deploying")) continue;
    for (const topology::Decky& d : rec.topology.deckies) {
      if (o.topology.FindDecky(d.name) != nullptr) {
        return Fail(cmd, "decky '" + d.name + "' is already deployed by topology '" + o.id + "'",
                    2);
      }
    }
  }
  std::string runtime_name = opts.runtime.empty() ? DefaultRuntimeName() : opts.runtime;
  const bool live = !rec.deployed.empty() && rec.status != "torn_down";
  if (live && !rec.runtime.empty() && rec.runtime != runtime_name) {
    if (!opts.runtime.empty())
      return Fail(cmd,
                  "topology '" + rec.id + "' runs on the " + rec.runtime +
                      " runtime; tear it down before deploying it with " + runtime_name,
                  2);
    runtime_name = rec.runtime;  // no explicit choice: keep what is running
  }
  auto runtime = MakeRuntime(runtime_name, store.dir());
  if (!runtime) return Fail(cmd, runtime.error().message, 2);
  Runtime& rt = **runtime;
  topology::ComposeOptions copts = opts.compose;
  copts.scope = rec.Scope();
  std::string inputs = topology::RenderInputs(copts);
  if (runtime_name == "netns") inputs = std::string("netns;bridge=") + (opts.bridge ? "1" : "0");
  std::map<std::string, std::string> hashes;
  for (const topology::Decky& d : rec.topology.deckies)
    hashes[d.name] = topology::DeckyHash(rec.topology, d, inputs);
  if (!opts.dry_run) {
    // Say so and stop before touching anything (no file written, no state changed).
    if (auto st = rt.Probe(); !st)
      return Fail(cmd, "cannot deploy: " + st.error().message + "; nothing was changed", 1);
  }
  DeployOptions eff = opts;
  eff.compose = copts;
  auto where = rt.Prepare(rec, eff);
  if (!where) return Fail(cmd, where.error().message, 2);
  std::function<bool(const std::string&)> present;
  if (!opts.dry_run && live) present = [&](const std::string& d) { return rt.Present(rec, d); };
  Plan plan = MakePlan(hashes, live ? rec.deployed : std::map<std::string, std::string>{}, present);
  PrintPlan(rec, plan, rt.Name(), *where, opts.dry_run, opts.json);
  if (opts.dry_run) return 0;

  rec.status = "deploying";
  rec.runtime = rt.Name();
  if (persist) {
    if (auto st = store.Save(rec); !st) return Fail(cmd, st.error().message);
  }
  if (auto st = rt.Apply(rec, plan, eff); !st) {
    rec.status = "failed";
    if (persist) (void)store.Save(rec);
    return Fail(cmd, st.error().message);
  }
  rec.status = "active";
  rec.deployed = hashes;
  if (persist) {
    if (auto st = store.Save(rec); !st) return Fail(cmd, st.error().message);
    if (auto st = store.WriteFleetJson(); !st) return Fail(cmd, st.error().message);
  }
  return 0;
}

int TeardownRecord(StateStore& store, TopologyRecord& rec, bool json_out) {
  const char* cmd = "teardown";
  auto runtime = MakeRuntime(rec.runtime.empty() ? "docker" : rec.runtime, store.dir());
  if (!runtime) return Fail(cmd, runtime.error().message);
  if (auto st = (*runtime)->Probe(); !st)
    return Fail(cmd, "cannot tear down: " + st.error().message + "; nothing was changed", 1);
  rec.status = "tearing_down";
  (void)store.Save(rec);
  if (auto st = (*runtime)->Teardown(rec); !st) {
    rec.status = "failed";
    (void)store.Save(rec);
    return Fail(cmd, st.error().message);
  }
  rec.status = "torn_down";
  rec.deployed.clear();
  if (auto st = store.Save(rec); !st) return Fail(cmd, st.error().message);
  if (auto st = store.WriteFleetJson(); !st) return Fail(cmd, st.error().message);
  if (json_out) {
    json::JsonWriter w;
    w.Str("topology", rec.id).Str("scope", rec.Scope()).Str("status", rec.status);
    w.Str("runtime", (*runtime)->Name());
    std::printf("%s\n", w.Finish().c_str());
  } else {
    std::printf("topology %s torn down (scope %s, runtime %s)\n", rec.id.c_str(),
                rec.Scope().c_str(), (*runtime)->Name());
  }
  return 0;
}

}  // namespace decnet::deploy
