// Internal: the Repository written once over SqlConn (both backends use it).
#pragma once

#include <functional>
#include <memory>

#include "sql_conn.h"
#include "decnet/storage/repository.h"

namespace decnet::storage {

// Gives the repository a connection for one operation. SQLite: always the same one. MySQL: a pooled
// connection (the same one for the whole of a transaction).
class ConnSource {
 public:
  virtual ~ConnSource() = default;
  virtual Result<SqlConn*> Get() = 0;
  // Called after a failed operation so a pool can drop a broken connection.
  virtual void Failed(SqlConn* conn, const Error& e) = 0;
  virtual void TxBegun(bool in_tx) = 0;  // pins the connection while a transaction is open
};

std::unique_ptr<Repository> MakeSqlRepository(std::unique_ptr<ConnSource> src, const char* backend);

}  // namespace decnet::storage
