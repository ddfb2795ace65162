// Backend selection. SQLite is linked in; MySQL/MariaDB lives in the decnet-storage-mysql.so
// plugin, loaded with dlopen only when asked for, so SQLite-only workers never map libmariadb
// (DESIGN.md §3).
#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "decnet/core/config.h"
#include "decnet/core/log.h"
#include "decnet/core/runtime.h"
#include "decnet/storage/mysql_plugin.h"
#include "decnet/storage/repository.h"
#include "sql_repository.h"
#include "sqlite_conn.h"

#ifndef DECNET_STORAGE_PLUGIN_DIR
#define DECNET_STORAGE_PLUGIN_DIR "/usr/lib/decnet"
#endif

namespace decnet::storage {
namespace {

class SingleConn final : public ConnSource {
 public:
  explicit SingleConn(std::unique_ptr<SqliteConn> c) : conn_(std::move(c)) {}
  Result<SqlConn*> Get() override { return static_cast<SqlConn*>(conn_.get()); }
  void Failed(SqlConn*, const Error&) override {}
  void TxBegun(bool) override {}

 private:
  std::unique_ptr<SqliteConn> conn_;
};

Result<std::unique_ptr<Repository>> OpenSqliteOnce(const DbConfig& cfg) {
  auto conn = SqliteConn::Open(cfg);
  if (!conn) return conn.error();
  if (Status s = Migrate(**conn, cfg.migrate_to); !s) return s.error();
  return MakeSqlRepository(std::make_unique<SingleConn>(std::move(*conn)), "sqlite");
}

// Several workers open a fresh file at once: switching it to WAL and creating the schema can answer
// SQLITE_BUSY without going through the busy handler. Opening is a one-time step, so retry it for
// up to busy_timeout instead of failing the worker.
Result<std::unique_ptr<Repository>> OpenSqlite(const DbConfig& cfg) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg.busy_timeout_ms);
  for (;;) {
    auto repo = OpenSqliteOnce(cfg);
    if (repo || repo.error().code != Errc::kUnavailable ||
        std::chrono::steady_clock::now() >= deadline) {
      return repo;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string PluginPath(const DbConfig& cfg) {
  if (!cfg.plugin_path.empty()) return cfg.plugin_path;
  if (const char* env = std::getenv("DECNET_STORAGE_PLUGIN"); env && *env) return env;
  return std::string(DECNET_STORAGE_PLUGIN_DIR) + "/" + kMysqlPluginFile;
}

Result<std::unique_ptr<Repository>> OpenMysql(const DbConfig& cfg) {
  std::string path = PluginPath(cfg);
  // RTLD_LOCAL: the plugin's copy of our static code stays private to it.
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = dlerror();
    return MakeError(Errc::kNotFound,
                     "mysql backend plugin " + path + ": " + (e ? e : "dlopen failed") +
                         " (install decnet-storage-mysql or set DECNET_STORAGE_PLUGIN)");
  }
  auto* fn = reinterpret_cast<MysqlOpenFn>(dlsym(h, kMysqlPluginSymbol));
  if (!fn) {
    dlclose(h);
    return MakeError(Errc::kNotFound,
                     "mysql backend plugin " + path + " lacks " + kMysqlPluginSymbol);
  }
  if (fn(nullptr, nullptr, nullptr) != kMysqlPluginAbi) {
    dlclose(h);
    return MakeError(Errc::kCorrupt, "mysql backend plugin " + path + " has another ABI version");
  }
  // The plugin stays loaded for the life of the process: its code backs the repository it returns.
  std::unique_ptr<Repository> out;
  Error err;
  fn(&cfg, &out, &err);
  if (!out) return err;
  return out;
}

}  // namespace

Result<std::unique_ptr<Repository>> Open(const DbConfig& cfg) {
  if (cfg.type == "sqlite" || cfg.type.empty()) return OpenSqlite(cfg);
  if (cfg.type == "mysql" || cfg.type == "mariadb") return OpenMysql(cfg);
  return MakeError(Errc::kInvalidArgument,
                   "db_type must be sqlite or mysql, not '" + cfg.type + "'");
}

void AddDbConfigKeys(Config& cfg) {
  cfg.AddString("db_type", "sqlite", "database backend: sqlite or mysql");
  cfg.AddString("db_path", "", "SQLite database file (default <state_dir>/decnet.db)");
  cfg.AddString("db_url", "", "MySQL URL mysql://user:pass@host:port/db (wins over db_host...)");
  cfg.AddString("db_host", "127.0.0.1", "MySQL host");
  cfg.AddInt("db_port", 3306, 1, 65535, "MySQL port");
  cfg.AddString("db_socket", "", "MySQL UNIX socket (wins over host/port)");
  cfg.AddString("db_name", "decnet", "MySQL database name");
  cfg.AddString("db_user", "decnet", "MySQL user");
  cfg.AddString("db_password", "", "MySQL password");
  cfg.AddInt("db_cache_kib", 512, 16, 1 << 20, "SQLite page cache per connection, KiB");
  cfg.AddInt("db_busy_timeout_ms", 5000, 0, 600000, "SQLite busy timeout, ms");
  cfg.AddInt("db_pool_size", 2, 1, 64, "MySQL connections per worker");
  cfg.AddString("db_plugin", "", "path of decnet-storage-mysql.so (default: install dir)");
}

Result<DbConfig> DbConfigFromConfig(const Config& cfg) {
  DbConfig d;
  d.type = cfg.String("db_type");
  if (d.type != "sqlite" && d.type != "mysql" && d.type != "mariadb")
    return MakeError(Errc::kInvalidArgument, "db_type (" + cfg.Source("db_type") +
                                                 ") must be sqlite or mysql, not '" + d.type + "'");
  d.path = cfg.String("db_path");
  if (d.path.empty()) d.path = cfg.String("state_dir") + "/decnet.db";
  d.url = cfg.String("db_url");
  d.host = cfg.String("db_host");
  d.port = cfg.Int("db_port");
  d.socket = cfg.String("db_socket");
  d.name = cfg.String("db_name");
  d.user = cfg.String("db_user");
  d.password = cfg.String("db_password");
  d.cache_kib = cfg.Int("db_cache_kib");
  d.busy_timeout_ms = cfg.Int("db_busy_timeout_ms");
  d.pool_size = cfg.Int("db_pool_size");
  d.plugin_path = cfg.String("db_plugin");
  return d;
}

OpenedDb OpenFromConfig(const Config& cfg, void (*report)(const std::string& why)) {
  auto say = [report](const std::string& why) {
    if (report)
      report(why);
    else
      DLOG_ERROR("%s", why.c_str());
  };
  OpenedDb out;
  auto dbcfg = DbConfigFromConfig(cfg);
  if (!dbcfg) {
    say(dbcfg.error().message);
    out.exit_code = kExitUsage;
    return out;
  }
  out.config = std::move(*dbcfg);
  auto repo = Open(out.config);
  if (!repo) {
    say("database: " + repo.error().message);
    out.exit_code = kExitFailure;
    return out;
  }
  out.repo = std::move(*repo);
  return out;
}

}  // namespace decnet::storage
