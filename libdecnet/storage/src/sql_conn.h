// Internal: the small SQL connection interface both backends implement, so the repository's queries are
// written once (sql_repository.cpp). Placeholders are `?`, bound by 1-based index.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "decnet/core/result.h"

namespace decnet::storage {

enum class Dialect { kSqlite, kMysql };

class SqlStmt {
 public:
  virtual ~SqlStmt() = default;
  virtual void BindInt(int i, int64_t v) = 0;
  virtual void BindDouble(int i, double v) = 0;
  virtual void BindText(int i, std::string_view v) = 0;
  virtual void BindNull(int i) = 0;
  // Runs the statement on first call; returns true while a row is available, false when done.
  virtual Result<bool> Step() = 0;
  virtual int64_t ColInt(int col) = 0;  // 0-based
  virtual double ColDouble(int col) = 0;
  virtual std::string ColText(int col) = 0;
  virtual bool ColNull(int col) = 0;
  // Ready for new bindings and a new Step(). Always call before reuse (Prepare() does it).
  virtual void Reset() = 0;
};

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  virtual Dialect dialect() const = 0;
  // A statement owned by the connection's cache (valid until the connection closes), reset and unbound.
  virtual Result<SqlStmt*> Prepare(const std::string& sql) = 0;
  // Runs one or more statements without results (DDL, BEGIN, ...).
  virtual Status Exec(const std::string& sql) = 0;
  virtual int64_t LastInsertId() = 0;
  virtual int64_t Changes() = 0;
};

// Runs `sql` (no rows expected).
Status ExecStmt(SqlStmt* st);

// Schema: applies migrations (version > current, <= target) in order, each in its own transaction, and
// records them in schema_version. Refuses (kCorrupt) a DB whose version is above LatestSchemaVersion().
Status Migrate(SqlConn& conn, int target);
Result<int> ReadSchemaVersion(SqlConn& conn);

}  // namespace decnet::storage
