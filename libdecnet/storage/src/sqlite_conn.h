// Internal: SqlConn over one sqlite3 connection with a bounded prepared-statement cache.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "decnet/storage/repository.h"
#include "sql_conn.h"

namespace decnet::storage {

class SqliteConn final : public SqlConn {
 public:
  // Opens `cfg.path` (creating it), sets WAL, synchronous=NORMAL, busy_timeout and cache_size.
  static Result<std::unique_ptr<SqliteConn>> Open(const DbConfig& cfg);
  ~SqliteConn() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Result<SqlStmt*> Prepare(const std::string& sql) override;
  Status Exec(const std::string& sql) override;
  int64_t LastInsertId() override { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() override { return sqlite3_changes(db_); }

  uint64_t stmt_cache_evictions() const { return cache_.evictions(); }

 private:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  StmtCache cache_;
};

// Maps a SQLite result code to our error kinds (BUSY/LOCKED -> kUnavailable: retry later).
Error SqliteError(sqlite3* db, int rc, const std::string& what);

}  // namespace decnet::storage
