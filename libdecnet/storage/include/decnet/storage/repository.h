// The repository: the only door to the DECNET database. Typed rows in, typed rows out; errors as
// values.
//
// Backends: SQLite (default, one file, linked into libdecnet/storage) and MySQL/MariaDB (a separate
// shared plugin, decnet-storage-mysql.so, loaded with dlopen only when db_type=mysql, so
// SQLite-only workers never map libmariadb). Both apply the same numbered migrations and refuse a
// schema newer than they know.
//
// Threading: a Repository is used by one thread (workers are single-threaded event loops).
// Errors: kUnavailable when the DB is away or locked past busy_timeout (retry later), kBusy for a
// lock conflict, kCorrupt for a newer/unknown schema, kInvalidArgument for bad input, kNotFound
// where stated.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/storage/rows.h"

namespace decnet {
class Config;
}

namespace decnet::storage {

// Where and how to connect. Built from Config by DbConfigFromConfig (keys below), or by hand in
// tests.
struct DbConfig {
  std::string type = "sqlite";  // "sqlite" | "mysql"
  // SQLite
  std::string path;         // the DB file; required for sqlite
  int64_t cache_kib = 512;  // PRAGMA cache_size, per connection
  int64_t busy_timeout_ms = 5000;
  // MySQL / MariaDB: url "mysql://user:pass@host:port/db" wins over the separate fields.
  std::string url;
  std::string host = "127.0.0.1";
  int64_t port = 3306;
  std::string socket;  // UNIX socket path (wins over host/port when set)
  std::string name = "decnet";
  std::string user = "decnet";
  std::string password;
  int64_t pool_size = 2;  // bounded pool of connections
  std::string
      plugin_path;  // decnet-storage-mysql.so; empty: $DECNET_STORAGE_PLUGIN, then install dir
  // Tests only: migrate up to this version instead of the latest (0: latest).
  int migrate_to = 0;
};

// Declares the db_* keys on `cfg` (db_type, db_path, db_url, db_host, db_port, db_socket, db_name,
// db_user, db_password, db_cache_kib, db_busy_timeout_ms, db_pool_size, db_plugin). Env:
// DECNET_DB_TYPE, DECNET_DB_PATH, DECNET_DB_URL, ... as in the Python original.
void AddDbConfigKeys(Config& cfg);
// Reads those keys. An empty db_path becomes <state_dir>/decnet.db.
Result<DbConfig> DbConfigFromConfig(const Config& cfg);

// The schema version this binary knows (the highest migration number).
int LatestSchemaVersion();

class Repository {
 public:
  virtual ~Repository() = default;

  // The schema version recorded in the DB (after Open it equals LatestSchemaVersion()).
  virtual Result<int> SchemaVersion() = 0;
  virtual const char* backend() const = 0;  // "sqlite" | "mysql"
  // Statements running longer than `ms` (0: no limit) fail with kLimit, so a slow scan cannot hold a
  // single-threaded worker's loop. SQLite: a progress handler; MySQL: not enforced (no-op).
  virtual void SetStatementTimeout(int64_t ms) = 0;

  // ---- Transactions. Not nested. Writes outside a transaction commit one by one (slow).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  // ---- logs
  // Inserts rows; assigns LogRow::id when `rows` is mutable through InsertLog.
  virtual Status InsertLogs(std::span<const LogRow> rows) = 0;
  virtual Result<int64_t> InsertLog(const LogRow& row) = 0;
  // Logs with id > after_id, ascending id, at most `limit` (the profiler's cursor read).
  virtual Result<std::vector<LogRow>> LogsAfter(int64_t after_id, int limit) = 0;
  virtual Result<LogPage> QueryLogs(const LogQuery& q) = 0;
  virtual Result<int64_t> CountLogs(const LogQuery& q) = 0;
  virtual Result<std::vector<HistogramBucket>> LogHistogram(const LogQuery& q,
                                                            int64_t bucket_s) = 0;
  // Logs per service / per decky (over q's filters), descending count.
  virtual Result<std::vector<KeyCount>> CountByService(const LogQuery& q) = 0;
  virtual Result<std::vector<KeyCount>> CountByDecky(const LogQuery& q) = 0;
  virtual Result<Stats> GetStats() = 0;

  // ---- bounty
  virtual Result<int64_t> InsertBounty(const BountyRow& row) = 0;
  // Bounty with id > after_id, ascending (incremental readers).
  virtual Result<std::vector<BountyRow>> BountyAfter(int64_t after_id, int limit) = 0;
  // Newest first; empty ip/type: all. before_id: keyset (0: from the newest).
  virtual Result<std::vector<BountyRow>> ListBounty(const std::string& attacker_ip,
                                                    const std::string& bounty_type,
                                                    int64_t before_id, int limit) = 0;

  // ---- credentials
  virtual Result<int64_t> InsertCredential(const CredentialRow& row) = 0;
  // Newest first; empty ip: all.
  virtual Result<std::vector<CredentialRow>> ListCredentials(const std::string& attacker_ip,
                                                             int64_t before_id, int limit) = 0;
  virtual Result<int64_t> CountCredentials(const std::string& attacker_ip) = 0;
  virtual Result<int64_t> CountBounty(const std::string& attacker_ip) = 0;  // empty ip: all
  // Credential counts grouped by attacker_ip (key = ip), for all ips in `ips` (empty: every ip).
  virtual Result<std::vector<KeyCount>> CredentialCountsByIp(std::span<const std::string> ips) = 0;
  virtual Result<std::vector<KeyCount>> BountyCountsByIp(std::span<const std::string> ips) = 0;

  // ---- attackers / attacker_behavior (upsert by ip: every column is replaced)
  virtual Status UpsertAttacker(const AttackerRow& row) = 0;
  virtual Result<std::optional<AttackerRow>> GetAttacker(const std::string& ip) = 0;
  virtual Result<AttackerPage> QueryAttackers(const AttackerQuery& q) = 0;
  virtual Status UpsertAttackerBehavior(const AttackerBehaviorRow& row) = 0;
  virtual Result<std::optional<AttackerBehaviorRow>> GetAttackerBehavior(const std::string& ip) = 0;

  // ---- credential_reuse
  // Groups of `credentials` by (secret_kind, username, secret) seen on at least min_targets
  // distinct (decky, service) pairs, with their aggregates (id = 0). At most `limit` groups, most
  // targets first.
  virtual Result<std::vector<CredentialReuseRow>> CredentialReuseGroups(int min_targets,
                                                                        int limit) = 0;
  // Insert or replace the aggregates of the row's (secret_kind, username, secret).
  virtual Result<UpsertOutcome> UpsertCredentialReuse(const CredentialReuseRow& row) = 0;
  // By id descending; keyset: only ids < before_id (0: from the newest).
  virtual Result<std::vector<CredentialReuseRow>> ListCredentialReuse(int64_t before_id,
                                                                      int limit) = 0;

  // ---- state: key -> JSON value (cursors, offsets). Get returns nullopt for a missing key.
  virtual Result<std::optional<std::string>> GetState(const std::string& key) = 0;
  virtual Status PutState(const std::string& key, const std::string& json_value) = 0;

  // ---- users. CreateUser fails with kBusy when the username exists.
  virtual Status CreateUser(const UserRow& row) = 0;
  virtual Result<std::optional<UserRow>> GetUserByName(const std::string& username) = 0;
  virtual Result<std::optional<UserRow>> GetUserByUuid(const std::string& uuid) = 0;
  // kNotFound when no such user. Also bumps token_version (every token of the user is revoked).
  virtual Status UpdatePasswordHash(const std::string& uuid, const std::string& password_hash,
                                    bool must_change_password) = 0;
  // token_version + 1; returns the new version. kNotFound when no such user.
  virtual Result<int64_t> BumpTokenVersion(const std::string& uuid) = 0;
  // Sets the role and bumps token_version. kNotFound when no such user.
  virtual Status SetUserRole(const std::string& uuid, const std::string& role) = 0;
  virtual Result<std::vector<UserRow>> ListUsers() = 0;
  virtual Status DeleteUser(const std::string& uuid) = 0;

  // ---- topologies / deckies (upsert by primary key)
  virtual Status UpsertTopology(const TopologyRow& row) = 0;
  virtual Result<std::optional<TopologyRow>> GetTopology(const std::string& id) = 0;
  virtual Result<std::vector<TopologyRow>> ListTopologies() = 0;  // newest first
  virtual Status SetTopologyStatus(const std::string& id, const std::string& status) = 0;
  virtual Status DeleteTopology(const std::string& id) = 0;  // and its deckies
  virtual Status UpsertDecky(const DeckyRow& row) = 0;
  virtual Result<std::optional<DeckyRow>> GetDecky(const std::string& name) = 0;
  // Deckies of one topology (empty id: all), by name.
  virtual Result<std::vector<DeckyRow>> ListDeckies(const std::string& topology_id) = 0;
  virtual Status SetDeckyState(const std::string& name, const std::string& state) = 0;
  virtual Status DeleteDecky(const std::string& name) = 0;
};

// Opens (creating if needed) and migrates the database. Fails with kCorrupt, naming both versions,
// when the DB's schema is newer than LatestSchemaVersion(); with kUnavailable when the server/file
// is unreachable.
Result<std::unique_ptr<Repository>> Open(const DbConfig& cfg);

// A worker's database, opened from its db_* keys (AddDbConfigKeys) at start-up.
struct OpenedDb {
  DbConfig config;                   // what the keys said (config.path names the SQLite file)
  std::unique_ptr<Repository> repo;  // null when opening failed
  int exit_code = 0;  // when repo is null: what main() returns (kExitUsage, kExitFailure)
};
// Reads the db_* keys of `cfg` and opens the database. On failure it reports why through `report`
// (default: the worker's log, DLOG_ERROR) and sets exit_code: kExitUsage when the keys are wrong,
// kExitFailure when the database cannot be opened.
OpenedDb OpenFromConfig(const Config& cfg, void (*report)(const std::string& why) = nullptr);

// RAII transaction: rolls back unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Repository& repo) : repo_(repo) {}
  ~Transaction() {
    if (active_) (void)repo_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status Begin() {
    Status s = repo_.Begin();
    active_ = s.has_value();
    return s;
  }
  Status Commit() {
    Status s = repo_.Commit();
    if (s) active_ = false;
    return s;
  }

 private:
  Repository& repo_;
  bool active_ = false;
};

}  // namespace decnet::storage
