// Internal (MySQL plugin only): SqlConn over one MariaDB Connector/C connection, and the bounded
// pool.
#pragma once

#include <mysql.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "decnet/storage/repository.h"
#include "sql_conn.h"
#include "sql_repository.h"

namespace decnet::storage {

// Resolved connection parameters (from db_url or the separate fields).
struct MysqlParams {
  std::string host, user, password, db, socket;
  unsigned port = 3306;
};
Result<MysqlParams> ResolveMysqlParams(const DbConfig& cfg);

class MysqlConn final : public SqlConn {
 public:
  // Connects, creates the database when missing (if allowed), selects it, sets utf8mb4.
  static Result<std::unique_ptr<MysqlConn>> Connect(const MysqlParams& p);
  ~MysqlConn() override;

  Dialect dialect() const override { return Dialect::kMysql; }
  Result<SqlStmt*> Prepare(const std::string& sql) override;
  Status Exec(const std::string& sql) override;
  int64_t LastInsertId() override { return static_cast<int64_t>(mysql_insert_id(db_)); }
  int64_t Changes() override { return static_cast<int64_t>(mysql_affected_rows(db_)); }

  MYSQL* handle() { return db_; }

 private:
  explicit MysqlConn(MYSQL* db) : db_(db) {}
  MYSQL* db_;
  StmtCache cache_;
};

Error MysqlError(MYSQL* db, const std::string& what);
// True for errors after which the connection cannot be trusted (server gone, lost, timeout).
bool IsConnectionError(unsigned err);

}  // namespace decnet::storage
