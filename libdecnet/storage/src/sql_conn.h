// Internal: the small SQL connection interface both backends implement, so the repository's queries
// are written once (sql_repository.cpp). Placeholders are `?`, bound by 1-based index.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

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

// A connection's prepared statements by SQL text. Bounded, because dynamic filter combinations
// could otherwise grow it without limit: when full it is emptied (the working set is small and
// preparing again is cheap) and evictions() counts the statements it dropped.
class StmtCache {
 public:
  static constexpr size_t kMaxStatements = 64;
  // The statement cached for `sql`, reset and ready for new bindings; nullptr when there is none.
  SqlStmt* Find(const std::string& sql) {
    auto it = map_.find(sql);
    if (it == map_.end()) return nullptr;
    it->second->Reset();
    return it->second.get();
  }
  // Caches a freshly prepared statement for `sql` and returns it.
  SqlStmt* Add(const std::string& sql, std::unique_ptr<SqlStmt> st) {
    if (map_.size() >= kMaxStatements) {
      evictions_ += map_.size();
      map_.clear();
    }
    SqlStmt* raw = st.get();
    map_.emplace(sql, std::move(st));
    return raw;
  }
  // Finalizes every statement (before the connection closes).
  void Clear() { map_.clear(); }
  uint64_t evictions() const { return evictions_; }

 private:
  std::unordered_map<std::string, std::unique_ptr<SqlStmt>> map_;
  uint64_t evictions_ = 0;
};

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  virtual Dialect dialect() const = 0;
  // A statement owned by the connection's cache (valid until the connection closes), reset and
  // unbound.
  virtual Result<SqlStmt*> Prepare(const std::string& sql) = 0;
  // Runs one or more statements without results (DDL, BEGIN, ...).
  virtual Status Exec(const std::string& sql) = 0;
  virtual int64_t LastInsertId() = 0;
  virtual int64_t Changes() = 0;
  // Statements (and Exec) running longer than `ms` fail with kLimit; 0: no limit. Default: not
  // enforced.
  virtual void SetStatementTimeout(int64_t ms) { (void)ms; }
};

// Runs `sql` (no rows expected).
Status ExecStmt(SqlStmt* st);

// Schema: applies migrations (version > current, <= target) in order, each in its own transaction,
// and records them in schema_version. Refuses (kCorrupt) a DB whose version is above
// LatestSchemaVersion().
Status Migrate(SqlConn& conn, int target);
Result<int> ReadSchemaVersion(SqlConn& conn);

}  // namespace decnet::storage
