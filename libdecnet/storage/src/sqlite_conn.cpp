#include "sqlite_conn.h"

#include <time.h>

#include <string>

namespace decnet::storage {
namespace {

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

class SqliteStmt final : public SqlStmt {
 public:
  SqliteStmt(SqliteConn* conn, sqlite3* db, sqlite3_stmt* st) : conn_(conn), db_(db), st_(st) {}
  ~SqliteStmt() override { sqlite3_finalize(st_); }
  void BindInt(int i, int64_t v) override { sqlite3_bind_int64(st_, i, v); }
  void BindDouble(int i, double v) override { sqlite3_bind_double(st_, i, v); }
  void BindText(int i, std::string_view v) override {
    sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int i) override { sqlite3_bind_null(st_, i); }
  Result<bool> Step() override {
    if (!started_) {
      conn_->StatementStarting();
      started_ = true;
    }
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error e = SqliteError(db_, rc, sqlite3_sql(st_));
    sqlite3_reset(st_);
    return e;
  }
  int64_t ColInt(int c) override { return sqlite3_column_int64(st_, c); }
  double ColDouble(int c) override { return sqlite3_column_double(st_, c); }
  std::string ColText(int c) override {
    const unsigned char* p = sqlite3_column_text(st_, c);
    int n = sqlite3_column_bytes(st_, c);
    return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
  }
  bool ColNull(int c) override { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
  void Reset() override {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    started_ = false;
  }

 private:
  SqliteConn* conn_;
  bool started_ = false;
  sqlite3* db_;
  sqlite3_stmt* st_;
};

}  // namespace

Error SqliteError(sqlite3* db, int rc, const std::string& what) {
  int primary = rc & 0xff;
  Errc code = Errc::kIo;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) code = Errc::kUnavailable;
  if (primary == SQLITE_CONSTRAINT) code = Errc::kBusy;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) code = Errc::kCorrupt;
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_FULL || primary == SQLITE_IOERR)
    code = Errc::kUnavailable;
  if (primary == SQLITE_INTERRUPT) code = Errc::kLimit;  // the statement time limit
  std::string msg = "sqlite: ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!what.empty()) msg += " (" + what.substr(0, 120) + ")";
  return MakeError(code, std::move(msg));
}

Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const DbConfig& cfg) {
  if (cfg.path.empty()) return MakeError(Errc::kInvalidArgument, "sqlite: db_path is empty");
  // Memory statistics take a global mutex on every allocation; we never read them. Only effective
  // before SQLite initializes (the first open in the process); later calls fail harmlessly.
  static const bool kConfigured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)kConfigured;
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(cfg.path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db, rc, cfg.path);
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteConn> conn(new SqliteConn(db));
  sqlite3_busy_timeout(db, static_cast<int>(cfg.busy_timeout_ms));
  // Negative cache_size is KiB. WAL lets readers run beside the one writer; NORMAL is durable
  // across process crashes (the ingester's exactly-once) and loses at most the last commits on
  // power loss.
  std::string pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-" +
                        std::to_string(cfg.cache_kib > 0 ? cfg.cache_kib : 64) +
                        "; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;";
  if (Status s = conn->Exec(pragmas); !s) return s.error();
  return conn;
}

SqliteConn::~SqliteConn() {
  cache_.Clear();
  sqlite3_close(db_);
}

Result<SqlStmt*> SqliteConn::Prepare(const std::string& sql) {
  if (SqlStmt* cached = cache_.Find(sql)) return cached;
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &st, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
  return cache_.Add(sql, std::make_unique<SqliteStmt>(this, db_, st));
}

void SqliteConn::SetStatementTimeout(int64_t ms) {
  timeout_ns_ = ms > 0 ? ms * 1000000 : 0;
  deadline_ns_ = 0;
  // Every 4096 VM instructions (~tens of microseconds): cheap, and fine-grained enough that a scan
  // stops within a fraction of a millisecond past its budget.
  sqlite3_progress_handler(db_, timeout_ns_ ? 4096 : 0, timeout_ns_ ? &SqliteConn::OnProgress : nullptr,
                           this);
}

void SqliteConn::StatementStarting() {
  if (timeout_ns_) deadline_ns_ = MonotonicNs() + timeout_ns_;
}

int SqliteConn::OnProgress(void* self) {
  auto* c = static_cast<SqliteConn*>(self);
  return c->deadline_ns_ != 0 && MonotonicNs() > c->deadline_ns_ ? 1 : 0;  // non-zero: interrupt
}

Status SqliteConn::Exec(const std::string& sql) {
  StatementStarting();
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string m = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Error e = SqliteError(nullptr, rc, sql);
    e.message = "sqlite: " + m + " (" + sql.substr(0, 120) + ")";
    return e;
  }
  return Ok();
}

}  // namespace decnet::storage
