#include "decnet/deploy/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "decnet/core/json.h"
#include "decnet/core/paths.h"
#include "decnet/core/runtime.h"
#include "decnet/deploy/probe.h"
#include "decnet/topology/compose.h"
#include "decnet/topology/serialize.h"

#ifdef DECNET_DEPLOY_HAVE_STORAGE
#include "decnet/storage/repository.h"
#endif

namespace decnet::deploy {

std::string ResolveStateDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("DECNET_STATE_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "/var/lib/decnet";
}

bool IsValidId(const std::string& id) { return id.size() <= 32 && topology::IsValidScope(id); }

uint32_t StateDirOwner(const std::string& state_dir) {
  struct stat st;
  if (::stat(state_dir.c_str(), &st) != 0) return kNoTrustedUid;
  return st.st_uid;
}

namespace {

// True when `path` and every directory above it is owned by root and not writable by others
// (sticky /tmp counts: nobody else can rename our entries there).
bool RootChain(const std::string& path) {
  std::string cur = path;
  while (!cur.empty()) {
    struct stat st;
    if (::stat(cur.c_str(), &st) != 0) {
      if (errno != ENOENT) return false;
      // Not there yet: we (root) will create it; what matters is who owns what is above it.
    } else {
      if (st.st_uid != 0) return false;
      if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) return false;
    }
    const size_t slash = cur.rfind('/');
    if (slash == std::string::npos || slash == 0) break;
    cur.resize(slash);
  }
  return true;
}

Status EnsurePrivate(const std::string& dir) {
  if (auto st = MakeParentDirs(dir); !st) return st;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return MakeError(Errc::kIo, "mkdir " + dir + ": " + std::strerror(errno));
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0)
    return MakeError(Errc::kIo, "stat " + dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return MakeError(Errc::kIo, dir + " is not a directory");
  if (st.st_uid != ::geteuid())
    return MakeError(Errc::kIo, "refusing private directory " + dir + ": owned by uid " +
                                    std::to_string(st.st_uid));
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
    return MakeError(Errc::kIo, "chmod 0700 " + dir + ": " + std::strerror(errno));
  return Ok();
}

}  // namespace

Result<std::string> PrivateDir(const std::string& state_dir_arg, bool create) {
  const std::string state_dir = AbsolutePath(state_dir_arg);  // one private dir however it is named
  std::string dir;
  const char* env = std::getenv("DECNET_DEPLOY_PRIVATE_DIR");
  if (env != nullptr && *env != '\0') {
    dir = env;
  } else if (::geteuid() == 0 && !RootChain(state_dir)) {
    uint32_t h = 2166136261u;  // FNV-1a: one stable private directory per state dir
    for (char c : state_dir) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", h);
    dir = std::string("/run/decnet-deploy/") + hex;
    if (!create) return dir;
    if (auto st = EnsurePrivate("/run/decnet-deploy"); !st) return st.error();
  } else {
    dir = state_dir + "/private";
  }
  if (!create) return dir;
  if (auto st = EnsurePrivate(dir); !st) return st.error();
  return dir;
}

Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                       uint32_t also_trusted_uid) {
  if (auto st = MakeParentDirs(path, also_trusted_uid); !st) return st;
  unsigned char rnd[8];
  if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
    return MakeError(Errc::kIo, std::string("getrandom: ") + std::strerror(errno));
  char suffix[17];
  for (int i = 0; i < 8; ++i) std::snprintf(suffix + 2 * i, 3, "%02x", rnd[i]);
  const std::string tmp = path + ".tmp." + suffix;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
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
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0 || ::close(fd) != 0) {
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
  w.Str("runtime", r.runtime);
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
  r.runtime = std::string(json::GetString(doc, "runtime"));
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

#ifdef DECNET_DEPLOY_HAVE_STORAGE
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
      if (auto st = MakeDirs(dir, StateDirOwner(dir)); !st) return st.error();
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
#ifdef DECNET_DEPLOY_HAVE_STORAGE
  return "db " + (db_->cfg.type == "sqlite" ? db_->cfg.path : db_->cfg.type);
#else
  return "files " + dir_ + "/topologies";
#endif
}

Result<std::vector<TopologyRecord>> StateStore::List() const {
  std::vector<TopologyRecord> out;
#ifdef DECNET_DEPLOY_HAVE_STORAGE
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
#ifdef DECNET_DEPLOY_HAVE_STORAGE
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
#ifdef DECNET_DEPLOY_HAVE_STORAGE
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
  return WriteFileAtomic(RecordPath(dir_, r.id), RecordToJson(r), 0640, StateDirOwner(dir_));
#endif
}

Status StateStore::Remove(const std::string& id) const {
#ifdef DECNET_DEPLOY_HAVE_STORAGE
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
      json::JsonWriter ports;
      for (size_t i = 0; i < d.services.size(); ++i) {
        services += i ? "," : "";
        json::AppendQuoted(services, d.services[i]);
        std::string list = "[";
        if (const topology::ServiceDef* s = topology::FindService(d.services[i])) {
          for (size_t k = 0; k < s->ports.size(); ++k) {
            list += k ? "," : "";
            json::AppendQuoted(list, std::to_string(s->ports[k].port) + "/" +
                                         topology::ProtoName(s->ports[k].proto));
          }
        }
        ports.Raw(d.services[i], list + "]");
      }
      json::JsonWriter w;
      w.Str("topology", r.id)
          .Str("hostname", d.hostname)
          .Str("runtime", r.runtime.empty() ? "docker" : r.runtime);
      // The collector attributes native senders by their network namespace.
      if (r.runtime == "netns") w.Str("netns", NetnsPath(d.name));
      w.Raw("ips", ips + "]").Raw("lans", lans + "]");
      w.Raw("services", services + "]").Raw("ports", ports.Finish());
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
  return WriteFileAtomic(dir_ + "/fleet.json", top.Finish() + "\n", 0644, StateDirOwner(dir_));
}

}  // namespace decnet::deploy
