// Fleet state shared by `decnet deploy|teardown|status` and `decnet topology ...`: where topologies
// are kept, the compose files, <state_dir>/fleet.json for the sniffer, and the docker compose
// runner.
//
// The source of truth is the DB (`topologies` and `deckies` tables through libdecnet/storage;
// SQLite at $DECNET_DB_PATH or <state_dir>/decnet.db) when the CLI is built with storage; without
// it, the same record is kept as a file. State layout under <state_dir> (--state-dir, else
// $DECNET_STATE_DIR, else /var/lib/decnet):
//   decnet.db                        topologies + deckies rows (or topologies/<id>.json without
//   storage) compose/<scope>/docker-compose.yml fleet.json                        every deployed
//   decky: {"deckies":{name:{topology,ips,services}}}
// Every file is written atomically (temp file + fsync + rename).
#pragma once

#include <cxxopts.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decnet/core/config.h"
#include "decnet/core/result.h"
#include "decnet/topology/compose.h"
#include "decnet/topology/model.h"

namespace decnet::cli {

struct TopologyRecord {
  std::string id;      // also the scope suffix: scope = "decnet-<id>"
  std::string status;  // pending | deploying | active | failed | torn_down
  int64_t created_at = 0;
  std::string hash;                             // canonical hash of `topology`
  std::map<std::string, std::string> deployed;  // decky -> DeckyHash as last deployed
  topology::Topology topology;

  std::string Scope() const { return "decnet-" + id; }
};

class StateStore {
 public:
  explicit StateStore(std::string state_dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;
  const std::string& dir() const { return dir_; }

  Result<std::vector<TopologyRecord>> List() const;  // by id
  Result<TopologyRecord> Load(const std::string& id) const;
  bool Exists(const std::string& id) const;
  Status Save(const TopologyRecord& r) const;
  Status Remove(const std::string& id) const;
  std::string ComposePath(const TopologyRecord& r) const;
  // Rewrites fleet.json from every record with status active or deploying.
  Status WriteFleetJson() const;
  // "db <path>" or "files <dir>/topologies": where records live, for messages.
  std::string Backend() const;

 private:
  struct Db;
  std::string dir_;
  std::unique_ptr<Db> db_;  // null without storage
};

// --state-dir, else $DECNET_STATE_DIR, else /var/lib/decnet.
std::string ResolveStateDir(const std::string& flag);
bool IsValidId(const std::string& id);

Status WriteFileAtomic(const std::string& path, const std::string& data);

// How to run compose: "docker compose" (plugin) or "docker-compose". $DECNET_DOCKER overrides the
// docker binary (tests point it at a recording stub).
struct DockerInfo {
  bool available = false;
  std::string reason;                // why not, when !available
  std::vector<std::string> compose;  // argv prefix, e.g. {"docker","compose"}
};
DockerInfo ProbeDocker();
// Runs argv (no shell), returns its exit status (127 when it cannot start).
int Run(const std::vector<std::string>& argv, bool quiet = false);

struct DeployOptions {
  bool dry_run = false;
  bool json = false;
  topology::ComposeOptions compose;  // scope is filled from the record
};

// Validates, renders, writes the compose file and (unless dry_run) applies it incrementally: new
// deckies are created, changed ones recreated, removed ones deleted, unchanged ones left alone.
// Prints the plan. Returns the process exit code (0 ok, 1 failure, 2 invalid topology).
int DeployRecord(StateStore& store, TopologyRecord& rec, const DeployOptions& opts, bool persist);
// `docker compose down` for the record's scope; marks it torn_down. Returns the exit code.
int TeardownRecord(StateStore& store, TopologyRecord& rec, bool json);

// Adds -h/--help and parses. Returns false when the command should exit with `exit_code` (help or
// bad usage).
bool ParseFlags(cxxopts::Options& o, int argc, char** argv, cxxopts::ParseResult& out,
                int& exit_code);
// --state-dir, --image-prefix, --image-tag, --artifact-root, --dry-run, --json.
void AddRenderFlags(cxxopts::Options& o);
DeployOptions RenderOptions(const cxxopts::ParseResult& r, const std::string& state_dir);

// Prints "decnet <cmd>: <msg>" to stderr and returns `code`.
int Fail(const char* cmd, const std::string& msg, int code = 1);

// "[a,b,...]": the JSON texts `to_json(item)` of `items`, in order.
template <typename Items, typename ToJson>
std::string JsonArray(const Items& items, ToJson to_json) {
  std::string out = "[";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    out += to_json(item);
  }
  return out + "]";
}

// The table of `decnet status` and `decnet topology list`: id, kind, status, sizes, short hash.
void PrintTopologyTable(const std::vector<TopologyRecord>& list);

}  // namespace decnet::cli
