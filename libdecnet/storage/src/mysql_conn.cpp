// MySQL/MariaDB through the text protocol with client-side escaping (mysql_real_escape_string): the
// statements are small and the server-side prepared-statement API would cost a round trip per
// statement on first use and a bind-buffer dance per column. Connection errors are mapped to
// kUnavailable so the caller retries; the pool (mysql_plugin.cpp) drops and re-creates broken
// connections.
#include "mysql_conn.h"

#include <errmsg.h>
#include <mysqld_error.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace decnet::storage {
namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      char* end = nullptr;
      long v = strtol(hex, &end, 16);
      if (end == hex + 2) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

class MysqlStmt final : public SqlStmt {
 public:
  MysqlStmt(MYSQL* db, const std::string& sql) : db_(db) {
    size_t start = 0;
    for (size_t i = 0; i < sql.size(); ++i) {
      if (sql[i] == '?') {
        parts_.push_back(sql.substr(start, i - start));
        start = i + 1;
      }
    }
    parts_.push_back(sql.substr(start));
    binds_.resize(parts_.size() - 1, "NULL");
  }
  ~MysqlStmt() override { Reset(); }

  void BindInt(int i, int64_t v) override { Set(i, std::to_string(v)); }
  void BindDouble(int i, double v) override {
    char buf[32];
    snprintf(buf, sizeof buf, "%.17g", v);
    Set(i, buf);
  }
  void BindText(int i, std::string_view v) override {
    std::string lit(v.size() * 2 + 3, '\0');
    lit[0] = '\'';
    unsigned long n = mysql_real_escape_string(db_, lit.data() + 1, v.data(), v.size());
    lit.resize(n + 1);
    lit.push_back('\'');
    Set(i, std::move(lit));
  }
  void BindNull(int i) override { Set(i, "NULL"); }

  Result<bool> Step() override {
    if (!ran_) {
      ran_ = true;
      std::string q = parts_[0];
      for (size_t i = 0; i < binds_.size(); ++i) q += binds_[i] + parts_[i + 1];
      if (mysql_real_query(db_, q.data(), q.size()) != 0) return MysqlError(db_, parts_[0]);
      res_ = mysql_store_result(db_);
      if (!res_ && mysql_field_count(db_) != 0) return MysqlError(db_, parts_[0]);
    }
    if (!res_) return false;
    row_ = mysql_fetch_row(res_);
    if (!row_) return false;
    lengths_ = mysql_fetch_lengths(res_);
    return true;
  }
  int64_t ColInt(int c) override { return row_[c] ? strtoll(row_[c], nullptr, 10) : 0; }
  double ColDouble(int c) override { return row_[c] ? strtod(row_[c], nullptr) : 0; }
  std::string ColText(int c) override {
    return row_[c] ? std::string(row_[c], lengths_[c]) : std::string();
  }
  bool ColNull(int c) override { return row_[c] == nullptr; }
  void Reset() override {
    if (res_) mysql_free_result(res_);
    res_ = nullptr;
    row_ = nullptr;
    ran_ = false;
    std::fill(binds_.begin(), binds_.end(), std::string("NULL"));
  }

 private:
  void Set(int i, std::string lit) {
    if (i >= 1 && static_cast<size_t>(i) <= binds_.size()) binds_[i - 1] = std::move(lit);
  }
  MYSQL* db_;
  std::vector<std::string> parts_;
  std::vector<std::string> binds_;
  MYSQL_RES* res_ = nullptr;
  MYSQL_ROW row_ = nullptr;
  unsigned long* lengths_ = nullptr;
  bool ran_ = false;
};

bool SafeIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

}  // namespace

bool IsConnectionError(unsigned err) {
  return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST || err == CR_CONNECTION_ERROR ||
         err == CR_CONN_HOST_ERROR || err == CR_UNKNOWN_HOST || err == CR_COMMANDS_OUT_OF_SYNC ||
         err == ER_CONNECTION_KILLED || err == ER_SERVER_SHUTDOWN ||
         err == 4031 /* idle timeout */ || err == CR_SERVER_LOST_EXTENDED;
}

Error MysqlError(MYSQL* db, const std::string& what) {
  unsigned e = mysql_errno(db);
  Errc code = Errc::kIo;
  if (IsConnectionError(e) || e == ER_LOCK_WAIT_TIMEOUT || e == ER_LOCK_DEADLOCK)
    code = Errc::kUnavailable;
  if (e == ER_DUP_ENTRY) code = Errc::kBusy;
  std::string msg = "mysql: " + std::string(mysql_error(db)) + " (" + std::to_string(e) + ")";
  if (!what.empty()) msg += " [" + what.substr(0, 100) + "]";
  return MakeError(code, std::move(msg));
}

Result<MysqlParams> ResolveMysqlParams(const DbConfig& cfg) {
  MysqlParams p;
  p.host = cfg.host;
  p.port = static_cast<unsigned>(cfg.port);
  p.user = cfg.user;
  p.password = cfg.password;
  p.db = cfg.name;
  p.socket = cfg.socket;
  if (!cfg.url.empty()) {
    // mysql[+driver]://user[:password]@host[:port]/db[?...]
    std::string_view u = cfg.url;
    size_t scheme = u.find("://");
    if (scheme == std::string_view::npos || u.substr(0, 5) != "mysql")
      return MakeError(Errc::kInvalidArgument,
                       "db_url must look like mysql://user:pass@host:port/db");
    u.remove_prefix(scheme + 3);
    size_t at = u.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view cred = u.substr(0, at);
      size_t colon = cred.find(':');
      p.user = PercentDecode(cred.substr(0, colon));
      p.password = colon == std::string_view::npos ? "" : PercentDecode(cred.substr(colon + 1));
      u.remove_prefix(at + 1);
    }
    size_t slash = u.find('/');
    std::string_view hostport = u.substr(0, slash);
    std::string_view db = slash == std::string_view::npos ? "" : u.substr(slash + 1);
    db = db.substr(0, db.find('?'));
    size_t colon = hostport.rfind(':');
    if (colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
      p.port = static_cast<unsigned>(atoi(std::string(hostport.substr(colon + 1)).c_str()));
      hostport = hostport.substr(0, colon);
    }
    if (!hostport.empty()) p.host = std::string(hostport);
    if (!db.empty()) p.db = std::string(db);
  }
  if (!SafeIdentifier(p.db))
    return MakeError(Errc::kInvalidArgument, "db_name '" + p.db + "' must be [A-Za-z0-9_]{1,64}");
  return p;
}

Result<std::unique_ptr<MysqlConn>> MysqlConn::Connect(const MysqlParams& p) {
  MYSQL* db = mysql_init(nullptr);
  if (!db) return MakeError(Errc::kIo, "mysql_init failed");
  unsigned timeout = 5;
  mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  unsigned rw_timeout = 30;
  mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
  mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
  mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // FOUND_ROWS: an UPDATE that matches but changes nothing still reports the row (kNotFound logic).
  unsigned long flags = CLIENT_FOUND_ROWS;
  const char* sock = p.socket.empty() ? nullptr : p.socket.c_str();
  const char* host = sock ? "localhost" : p.host.c_str();
  if (!mysql_real_connect(db, host, p.user.c_str(), p.password.c_str(), nullptr, p.port, sock,
                          flags)) {
    Error e = MysqlError(db, "");
    e.code = Errc::kUnavailable;
    mysql_close(db);
    return e;
  }
  std::unique_ptr<MysqlConn> conn(new MysqlConn(db));
  std::string create = "CREATE DATABASE IF NOT EXISTS `" + p.db + "` CHARACTER SET utf8mb4";
  (void)conn->Exec(create);  // may lack the privilege; selecting below reports what matters
  if (mysql_select_db(db, p.db.c_str()) != 0) return MysqlError(db, "USE " + p.db);
  if (Status s = conn->Exec("SET SESSION group_concat_max_len = 1048576"); !s) return s.error();
  return conn;
}

MysqlConn::~MysqlConn() {
  cache_.Clear();
  mysql_close(db_);
}

Result<SqlStmt*> MysqlConn::Prepare(const std::string& sql) {
  if (SqlStmt* cached = cache_.Find(sql)) return cached;
  return cache_.Add(sql, std::make_unique<MysqlStmt>(db_, sql));
}

Status MysqlConn::Exec(const std::string& sql) {
  if (mysql_real_query(db_, sql.data(), sql.size()) != 0) return MysqlError(db_, sql);
  // Drain every result set (multi-statement text is not enabled, so at most one).
  if (MYSQL_RES* r = mysql_store_result(db_)) mysql_free_result(r);
  return Ok();
}

}  // namespace decnet::storage
