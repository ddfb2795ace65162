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
  void SetStatementTimeout(int64_t ms) override;
  // A statement's first step (or an Exec) starts its time budget.
  void StatementStarting();

  uint64_t stmt_cache_evictions() const { return cache_.evictions(); }

 private:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  static int OnProgress(void* self);
  sqlite3* db_;
  StmtCache cache_;
  int64_t timeout_ns_ = 0;   // 0: no limit
  int64_t deadline_ns_ = 0;  // CLOCK_MONOTONIC; 0: none
};

// Maps a SQLite result code to our error kinds (BUSY/LOCKED -> kUnavailable: retry later).
Error SqliteError(sqlite3* db, int rc, const std::string& what);

}  // namespace decnet::storage
