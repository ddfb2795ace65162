
// Compiled only when the CLI links decnet::topology (bin/CMakeLists.txt globs every cmd_*.cpp).
#if __has_include(<decnet/topology/model.h>)
#include "cmd_deploy_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "decnet/core/json.h"
#include "decnet/core/runtime.h"
#include "decnet/topology/serialize.h"
#include "decnet/topology/validator.h"

#if __has_include(<decnet/storage/repository.h>)
#define DECNET_CLI_HAVE_STORAGE 1
#include <decnet/storage/repository.h>
#endif

extern char** environ;

namespace decnet::cli {

using topology::Topology;

int Fail(const char* cmd, const std::string& msg, int code) {
  std::fprintf(stderr, "decnet %s: %s\n", cmd, msg.c_str());
  return code;
}

void PrintTopologyTable(const std::vector<TopologyRecord>& list) {
  std::printf("%-20s %-6s %-12s %5s %7s %s\n", "ID", "KIND", "STATUS", "LANS", "DECKIES", "HASH");
  for (const TopologyRecord& rec : list) {
    std::printf("%-20s %-6s %-12s %5zu %7zu %s\n", rec.id.c_str(),
                topology::KindName(rec.topology.kind), rec.status.c_str(), rec.topology.lans.size(),
                rec.topology.deckies.size(), rec.hash.substr(0, 16).c_str());
  }
}

std::string ResolveStateDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("DECNET_STATE_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "/var/lib/decnet";
}

bool IsValidId(const std::string& id) { return id.size() <= 32 && topology::IsValidScope(id); }

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  if (auto st = MakeParentDirs(path); !st) return st;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return MakeError(Errc::kIo, "open " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return MakeError(Errc::kIo, "write " + tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return MakeError(Errc::kIo, "fsync " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return MakeError(Errc::kIo, "rename " + path + ": " + std::strerror(e));
  }
  return Ok();
}

namespace {

[[maybe_unused]] Result<std::string> ReadFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return MakeError(errno == ENOENT ? Errc::kNotFound : Errc::kIo,
                     path + ": " + std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

[[maybe_unused]] std::string RecordPath(const std::string& dir, const std::string& id) {
  return dir + "/topologies/" + id + ".json";
}

std::string RecordToJson(const TopologyRecord& r) {
  std::string deployed = "{";
  bool first = true;
  for (const auto& [k, v] : r.deployed) {
    if (!first) deployed += ",";
    first = false;
    json::AppendQuoted(deployed, k);
    deployed += ":";
    json::AppendQuoted(deployed, v);
  }
  deployed += "}";
  json::JsonWriter w;
  w.Str("id", r.id).Str("status", r.status).Int("created_at", r.created_at).Str("hash", r.hash);
  w.Raw("deployed", deployed).Raw("topology", topology::ToJson(r.topology));
  return w.Finish() + "\n";
}

Result<TopologyRecord> RecordFromJson(const std::string& text) {
  rapidjson::Document doc;
  if (auto st = json::ParseObject(text, doc, json::ParseLimits{256u << 20, 16}); !st)
    return st.error();
  TopologyRecord r;
  r.id = std::string(json::GetString(doc, "id"));
  r.status = std::string(json::GetString(doc, "status"));
  r.created_at = json::GetInt(doc, "created_at");
  r.hash = std::string(json::GetString(doc, "hash"));
  auto dep = doc.FindMember("deployed");
  if (dep != doc.MemberEnd() && dep->value.IsObject()) {
    for (const auto& m : dep->value.GetObject())
      if (m.value.IsString()) r.deployed[m.name.GetString()] = m.value.GetString();
  }
  auto topo = doc.FindMember("topology");
  if (topo == doc.MemberEnd() || !topo->value.IsObject())
    return MakeError(Errc::kCorrupt, "record has no topology");
  auto t = topology::FromJson(json::Serialize(topo->value));
  if (!t) return t.error();
  r.topology = std::move(*t);
  return r;
}

}  // namespace

#ifdef DECNET_CLI_HAVE_STORAGE
// The DB side: opened on first use; a missing DB file reads as "nothing stored" so read-only
// commands and a refused deploy never create it.
struct StateStore::Db {
  storage::DbConfig cfg;
  std::unique_ptr<storage::Repository> repo;

  bool Exists() const {
    struct stat st;
    return cfg.type != "sqlite" || ::stat(cfg.path.c_str(), &st) == 0;
  }
  Result<storage::Repository*> Get(const std::string& dir, bool create) {
    if (repo) return repo.get();
    if (!create && !Exists()) return MakeError(Errc::kNotFound, "no database");
    if (create && cfg.type == "sqlite") {
      if (auto st = MakeDirs(dir); !st) return st.error();
    }
    auto r = storage::Open(cfg);
    if (!r) return r.error();
    repo = std::move(*r);
    return repo.get();
  }
};

StateStore::StateStore(std::string state_dir)
    : dir_(std::move(state_dir)), db_(std::make_unique<Db>()) {
  const char* type = std::getenv("DECNET_DB_TYPE");
  const char* path = std::getenv("DECNET_DB_PATH");
  const char* url = std::getenv("DECNET_DB_URL");
  if (type != nullptr && *type) db_->cfg.type = type;
  db_->cfg.path = path != nullptr && *path ? path : dir_ + "/decnet.db";
  if (url != nullptr) db_->cfg.url = url;
}
#else
struct StateStore::Db {};
StateStore::StateStore(std::string state_dir) : dir_(std::move(state_dir)) {}
#endif
StateStore::~StateStore() = default;

std::string StateStore::Backend() const {
#ifdef DECNET_CLI_HAVE_STORAGE
  return "db " + (db_->cfg.type == "sqlite" ? db_->cfg.path : db_->cfg.type);
#else
  return "files " + dir_ + "/topologies";
#endif
}

Result<std::vector<TopologyRecord>> StateStore::List() const {
  std::vector<TopologyRecord> out;
#ifdef DECNET_CLI_HAVE_STORAGE
  auto repo = db_->Get(dir_, false);
  if (!repo) {
    if (repo.error().code == Errc::kNotFound) return out;
    return repo.error();
  }
  auto rows = (*repo)->ListTopologies();
  if (!rows) return rows.error();
  for (const storage::TopologyRow& row : *rows) {
    auto r = RecordFromJson(row.json);
    if (!r)
      return MakeError(Errc::kCorrupt, "topology '" + row.id + "' in the DB: " + r.error().message);
    r->status = row.status;
    out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
#else
  DIR* d = ::opendir((dir_ + "/topologies").c_str());
  if (d == nullptr) return out;  // nothing stored yet
  std::vector<std::string> ids;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".json") == 0)
      ids.push_back(n.substr(0, n.size() - 5));
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    auto r = Load(id);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
#endif
}

Result<TopologyRecord> StateStore::Load(const std::string& id) const {
  if (!IsValidId(id)) return MakeError(Errc::kInvalidArgument, "bad topology id '" + id + "'");
  const Error not_found = MakeError(Errc::kNotFound, "no topology '" + id + "'");
#ifdef DECNET_CLI_HAVE_STORAGE
  auto repo = db_->Get(dir_, false);
  if (!repo) return repo.error().code == Errc::kNotFound ? not_found : repo.error();
  auto row = (*repo)->GetTopology(id);
  if (!row) return row.error();
  if (!row->has_value()) return not_found;
  auto r = RecordFromJson((*row)->json);
  if (!r) return MakeError(Errc::kCorrupt, "topology '" + id + "' in the DB: " + r.error().message);
  r->status = (*row)->status;
  return r;
#else
  auto text = ReadFile(RecordPath(dir_, id));
  if (!text) return text.error().code == Errc::kNotFound ? not_found : text.error();
  auto r = RecordFromJson(*text);
  if (!r) return MakeError(Errc::kCorrupt, RecordPath(dir_, id) + ": " + r.error().message);
  return r;
#endif
}

bool StateStore::Exists(const std::string& id) const { return Load(id).has_value(); }

Status StateStore::Save(const TopologyRecord& r) const {
#ifdef DECNET_CLI_HAVE_STORAGE
  auto repo = db_->Get(dir_, true);
  if (!repo) return repo.error();
  storage::TopologyRow row;
  row.id = r.id;
  row.name = r.topology.name;
  row.hash = r.hash;
  row.json = RecordToJson(r);
  row.created_at_us = r.created_at * 1000000;
  row.status = r.status;
  storage::Transaction tx(**repo);
  if (auto st = tx.Begin(); !st) return st;
  if (auto st = (*repo)->UpsertTopology(row); !st) return st;
  // The deckies table lists what is deployed (the reconciler and the mutator read it).
  auto old = (*repo)->ListDeckies(r.id);
  if (!old) return old.error();
  const bool live = r.status == "active" || r.status == "deploying" || r.status == "failed";
  for (const storage::DeckyRow& d : *old) {
    if (!live || r.topology.FindDecky(d.name) == nullptr) {
      if (auto st = (*repo)->DeleteDecky(d.name); !st) return st;
    }
  }
  if (live) {
    for (const topology::Decky& d : r.topology.deckies) {
      storage::DeckyRow dr;
      dr.name = d.name;
      dr.topology_id = r.id;
      dr.ip = d.attachments.empty() ? "" : topology::FormatIpv4(d.attachments[0].ip);
      auto h = r.deployed.find(d.name);
      json::JsonWriter w;
      w.Str("scope", r.Scope())
          .Str("hostname", d.hostname)
          .Str("config_hash", h == r.deployed.end() ? "" : h->second);
      std::string svcs = "[";
      for (size_t i = 0; i < d.services.size(); ++i) {
        svcs += i ? "," : "";
        json::AppendQuoted(svcs, d.services[i]);
      }
      w.Raw("services", svcs + "]");
      dr.json = w.Finish();
      dr.state = r.status == "active" ? "running" : r.status;
      dr.updated_at_us = static_cast<int64_t>(std::time(nullptr)) * 1000000;
      if (auto st = (*repo)->UpsertDecky(dr); !st) return st;
    }
  }
  return tx.Commit();
#else
  return WriteFileAtomic(RecordPath(dir_, r.id), RecordToJson(r));
#endif
}

Status StateStore::Remove(const std::string& id) const {
#ifdef DECNET_CLI_HAVE_STORAGE
  auto repo = db_->Get(dir_, false);
  if (!repo) return repo.error().code == Errc::kNotFound ? Ok() : Status(repo.error());
  return (*repo)->DeleteTopology(id);
#else
  if (::unlink(RecordPath(dir_, id).c_str()) != 0 && errno != ENOENT) {
    return MakeError(Errc::kIo, "unlink " + RecordPath(dir_, id) + ": " + std::strerror(errno));
  }
  return Ok();
#endif
}

std::string StateStore::ComposePath(const TopologyRecord& r) const {
  return dir_ + "/compose/" + r.Scope() + "/docker-compose.yml";
}

Status StateStore::WriteFleetJson() const {
  auto recs = List();
  if (!recs) return recs.error();
  std::string deckies = "{";
  bool first = true;
  for (const TopologyRecord& r : *recs) {
    if (r.status != "active" && r.status != "deploying") continue;
    for (const topology::Decky& d : r.topology.deckies) {
      std::string ips = "[", lans = "[", services = "[";
      for (size_t i = 0; i < d.attachments.size(); ++i) {
        ips += i ? "," : "";
        lans += i ? "," : "";
        json::AppendQuoted(ips, topology::FormatIpv4(d.attachments[i].ip));
        json::AppendQuoted(lans, d.attachments[i].lan);
      }
      for (size_t i = 0; i < d.services.size(); ++i) {
        services += i ? "," : "";
        json::AppendQuoted(services, d.services[i]);
      }
      json::JsonWriter w;
      w.Str("topology", r.id)
          .Str("hostname", d.hostname)
          .Raw("ips", ips + "]")
          .Raw("lans", lans + "]");
      w.Raw("services", services + "]");
      if (!first) deckies += ",";
      first = false;
      json::AppendQuoted(deckies, d.name);
      deckies += ":" + w.Finish();
    }
  }
  deckies += "}";
  json::JsonWriter top;
  top.Int("version", 1)
      .Int("updated_at", static_cast<int64_t>(std::time(nullptr)))
      .Raw("deckies", deckies);
  return WriteFileAtomic(dir_ + "/fleet.json", top.Finish() + "\n");
}

// ---- docker

namespace {

bool Executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string FindInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return Executable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    if (colon == std::string::npos) colon = p.size();
    const std::string candidate = p.substr(start, colon - start) + "/" + name;
    if (colon > start && Executable(candidate)) return candidate;
    start = colon + 1;
  }
  return "";
}

}  // namespace

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

struct Plan {
  std::vector<std::string> create, recreate, remove, unchanged;
};

std::string JsonList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    out += i ? "," : "";
    json::AppendQuoted(out, v[i]);
  }
  return out + "]";
}

void PrintPlan(const TopologyRecord& rec, const Plan& plan, const std::string& compose_path,
               bool dry_run, bool json_out) {
  const Topology& t = rec.topology;
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
      deckies += (i ? "," : "") + w.Finish();
    }
    deckies += "]";
    json::JsonWriter plan_w;
    plan_w.Raw("create", JsonList(plan.create)).Raw("recreate", JsonList(plan.recreate));
    plan_w.Raw("remove", JsonList(plan.remove)).Raw("unchanged", JsonList(plan.unchanged));
    json::JsonWriter w;
    w.Str("topology", rec.id).Str("kind", topology::KindName(t.kind)).Str("scope", rec.Scope());
    w.Str("hash", rec.hash).Str("compose_file", compose_path).Bool("dry_run", dry_run);
    w.Raw("plan", plan_w.Finish()).Raw("deckies", deckies);
    std::printf("%s\n", w.Finish().c_str());
    return;
  }
  std::printf("topology %s (%s), scope %s, hash %s\n", rec.id.c_str(), topology::KindName(t.kind),
              rec.Scope().c_str(), rec.hash.substr(0, 16).c_str());
  std::printf("compose file: %s\n", compose_path.c_str());
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
}

Plan MakePlan(const TopologyRecord& rec, const std::map<std::string, std::string>& hashes) {
  Plan p;
  for (const auto& [name, hash] : hashes) {
    auto it = rec.deployed.find(name);
    if (it == rec.deployed.end())
      p.create.push_back(name);
    else if (it->second != hash)
      p.recreate.push_back(name);
    else
      p.unchanged.push_back(name);
  }
  for (const auto& [name, hash] : rec.deployed)
    if (!hashes.count(name)) p.remove.push_back(name);
  return p;
}

std::vector<std::string> ComposeServicesOf(const Topology& t,
                                           const std::vector<std::string>& deckies) {
  std::vector<std::string> out;
  for (const std::string& n : deckies) {
    const topology::Decky* d = t.FindDecky(n);
    if (d == nullptr) continue;
    out.push_back(d->name);
    for (const std::string& s : d->services) out.push_back(d->name + "-" + s);
  }
  return out;
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
  rec.hash = topology::CanonicalHash(rec.topology);
  // Decky names key the deckies table, fleet.json and the logs: they are unique across live
  // topologies.
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
  topology::ComposeOptions copts = opts.compose;
  copts.scope = rec.Scope();
  auto yaml = topology::RenderCompose(rec.topology, copts);
  if (!yaml) return Fail(cmd, yaml.error().message, 2);
  std::map<std::string, std::string> hashes;
  const std::string inputs = topology::RenderInputs(copts);
  for (const topology::Decky& d : rec.topology.deckies)
    hashes[d.name] = topology::DeckyHash(rec.topology, d, inputs);
  Plan plan = MakePlan(rec, hashes);
  const std::string compose_path = store.ComposePath(rec);

  DockerInfo docker;
  if (!opts.dry_run) {
    // Say so and stop before touching anything (no file written, no state changed).
    docker = ProbeDocker();
    if (!docker.available)
      return Fail(cmd, "cannot deploy: " + docker.reason + "; nothing was changed", 1);
  }
  if (auto st = WriteFileAtomic(compose_path, *yaml); !st) return Fail(cmd, st.error().message);
  PrintPlan(rec, plan, compose_path, opts.dry_run, opts.json);
  if (opts.dry_run) return 0;

  rec.status = "deploying";
  if (persist) {
    if (auto st = store.Save(rec); !st) return Fail(cmd, st.error().message);
  }
  std::vector<std::string> base = docker.compose;
  base.insert(base.end(), {"-p", rec.Scope(), "-f", compose_path});
  // 1: create what is new and drop what was removed, leaving running containers alone.
  std::vector<std::string> up = base;
  up.insert(up.end(), {"up", "-d", "--remove-orphans", "--no-recreate"});
  int rc = Run(up);
  // 2: recreate exactly the deckies whose configuration changed.
  if (rc == 0 && !plan.recreate.empty()) {
    std::vector<std::string> re = base;
    re.insert(re.end(), {"up", "-d", "--no-deps", "--force-recreate"});
    for (const std::string& s : ComposeServicesOf(rec.topology, plan.recreate)) re.push_back(s);
    rc = Run(re);
  }
  if (rc != 0) {
    rec.status = "failed";
    if (persist) (void)store.Save(rec);
    return Fail(cmd, "docker compose failed with status " + std::to_string(rc));
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
  DockerInfo docker = ProbeDocker();
  if (!docker.available)
    return Fail(cmd, "cannot tear down: " + docker.reason + "; nothing was changed", 1);
  const std::string compose_path = store.ComposePath(rec);
  std::vector<std::string> down = docker.compose;
  down.insert(down.end(),
              {"-p", rec.Scope(), "-f", compose_path, "down", "--remove-orphans", "--volumes"});
  rec.status = "tearing_down";
  (void)store.Save(rec);
  const int rc = Run(down);
  if (rc != 0) {
    rec.status = "failed";
    (void)store.Save(rec);
    return Fail(cmd, "docker compose down failed with status " + std::to_string(rc));
  }
  rec.status = "torn_down";
  rec.deployed.clear();
  if (auto st = store.Save(rec); !st) return Fail(cmd, st.error().message);
  if (auto st = store.WriteFleetJson(); !st) return Fail(cmd, st.error().message);
  if (json_out) {
    json::JsonWriter w;
    w.Str("topology", rec.id).Str("scope", rec.Scope()).Str("status", rec.status);
    std::printf("%s\n", w.Finish().c_str());
  } else {
    std::printf("topology %s torn down (scope %s)\n", rec.id.c_str(), rec.Scope().c_str());
  }
  return 0;
}

}  // namespace decnet::cli

#endif  // __has_include(<decnet/topology/model.h>)
