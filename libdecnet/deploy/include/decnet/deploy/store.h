// Deploy state: where topologies are kept (the DB through libdecnet/storage, or files without it),
// <state_dir>/fleet.json for the sniffer, the collector and the reconciler, and the private directory
// that holds what root executes or reads back.
//
// Layout under <state_dir> (--state-dir, else $DECNET_STATE_DIR, else /var/lib/decnet):
//   decnet.db                     topologies + deckies rows (topologies/<id>.json without storage)
//   fleet.json                    {"deckies":{name:{topology,runtime,netns,ips,lans,services,ports}}}
// and under PrivateDir(state_dir) (root-owned 0700 when run as root, see PrivateDir):
//   compose/<scope>/docker-compose.yml   what `docker compose -f` reads
//   deckies/<decky>/settings.json        the decky's persona settings (decnet-decky --settings)
//   deckies/<decky>/decky.env            DECNET_* keys of the decky (the template unit's EnvironmentFile)
//   deckies/<decky>/argv                 the decnet-decky command line, one argument per line
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/topology/model.h"

namespace decnet::deploy {

struct TopologyRecord {
  std::string id;      // also the scope suffix: scope = "decnet-<id>"
  std::string status;  // pending | deploying | active | failed | tearing_down | torn_down
  int64_t created_at = 0;
  std::string hash;                             // canonical hash of `topology`
  std::string runtime;                          // docker | netns, as last deployed
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
// A topology id: [a-z0-9][a-z0-9_-]*, at most 32 (it becomes a compose project, file and unit names).
bool IsValidId(const std::string& id);

// The directory for what root executes or reads back (compose files, decky settings and argv):
// $DECNET_DEPLOY_PRIVATE_DIR when set; else, as root, <state_dir>/private when every directory of
// the state dir's path is root's, otherwise /run/decnet-deploy/<8 hex of the state dir> (the state
// dir belongs to the `decnet` user, whose workers must not be able to swap these files); as any
// other user <state_dir>/private. Created 0700 and checked: owned by us, not group/world-accessible,
// not a symlink. With create=false only the path is computed (nothing is touched).
Result<std::string> PrivateDir(const std::string& state_dir, bool create = true);

// Writes `data` to `path` atomically: a temp file beside it with a random suffix, opened
// O_CREAT|O_EXCL|O_NOFOLLOW (a planted file or symlink makes it fail instead of being followed),
// fsync, rename over `path` (rename replaces a symlink at `path`, it never writes through it).
// Parent directories are made with MakeDirs (owner-checked; `also_trusted_uid` as there).
Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode = 0640,
                       uint32_t also_trusted_uid = 0xFFFFFFFFu);

// The uid that owns `state_dir` (kNoTrustedUid when it does not exist): root writes plain data
// there (fleet.json, the DB), never anything it executes.
uint32_t StateDirOwner(const std::string& state_dir);

}  // namespace decnet::deploy
