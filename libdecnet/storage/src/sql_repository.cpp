// The repository's queries, written once for both dialects. Rules: every list is keyset-paged on an
// indexed column (never OFFSET); limits are clamped; no statement pointer is held across another
// Prepare() (the statement cache may evict).
#include "sql_repository.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace decnet::storage {
namespace {

using Bind = std::variant<int64_t, double, std::string, std::monostate>;

void BindAll(SqlStmt* st, const std::vector<Bind>& binds) {
  int i = 1;
  for (const Bind& b : binds) {
    if (auto* n = std::get_if<int64_t>(&b))
      st->BindInt(i, *n);
    else if (auto* d = std::get_if<double>(&b))
      st->BindDouble(i, *d);
    else if (auto* t = std::get_if<std::string>(&b))
      st->BindText(i, *t);
    else
      st->BindNull(i);
    ++i;
  }
}

int ClampLimit(int limit) { return std::clamp(limit, 1, 1000); }

// One column of a table and the row member it holds. A table is the list of its columns in SELECT
// order, so a column's name and its member are written once, side by side, for reading and binding.
template <typename Row>
struct Col {
  // Inline, not a pointer: the tables need no relocation, so they stay in read-only shared pages
  // (not in per-process .data.rel.ro). A longer name does not compile.
  char name[24];
  std::variant<std::string Row::*, int64_t Row::*, double Row::*, bool Row::*> member;
};

// "a, b, c": the column names of `cols`, for a SELECT or an INSERT column list.
template <typename Row, size_t N>
std::string ColumnList(const Col<Row> (&cols)[N]) {
  std::string out;
  for (const Col<Row>& c : cols) {
    if (!out.empty()) out += ", ";
    out += c.name;
  }
  return out;
}

void ReadCol(SqlStmt* st, int i, std::string& v) { v = st->ColText(i); }
void ReadCol(SqlStmt* st, int i, int64_t& v) { v = st->ColInt(i); }
void ReadCol(SqlStmt* st, int i, double& v) { v = st->ColDouble(i); }
void ReadCol(SqlStmt* st, int i, bool& v) { v = st->ColInt(i) != 0; }

// The current result row of `st`, selected as ColumnList(cols).
template <typename Row, size_t N>
Row ReadRow(SqlStmt* st, const Col<Row> (&cols)[N]) {
  Row r;
  for (size_t i = 0; i < N; ++i) {
    std::visit([&](auto member) { ReadCol(st, static_cast<int>(i), r.*member); }, cols[i].member);
  }
  return r;
}

// The values of `r` in column order, for "(ColumnList(cols)) VALUES (?, ...)".
template <typename Row, size_t N>
std::vector<Bind> RowBinds(const Row& r, const Col<Row> (&cols)[N]) {
  std::vector<Bind> binds;
  binds.reserve(N);
  for (const Col<Row>& c : cols) {
    std::visit(
        [&](auto member) {
          const auto& v = r.*member;
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, bool>) {
            binds.emplace_back(int64_t{v});
          } else {
            binds.emplace_back(v);
          }
        },
        c.member);
  }
  return binds;
}

constexpr Col<LogRow> kLogTable[] = {
    {"id", &LogRow::id},
    {"ts_us", &LogRow::ts_us},
    {"decky", &LogRow::decky},
    {"service", &LogRow::service},
    {"event_type", &LogRow::event_type},
    {"attacker_ip", &LogRow::attacker_ip},
    {"raw_line", &LogRow::raw_line},
    {"fields", &LogRow::fields},
    {"msg", &LogRow::msg},
};

constexpr Col<BountyRow> kBountyTable[] = {
    {"id", &BountyRow::id},
    {"ts_us", &BountyRow::ts_us},
    {"decky", &BountyRow::decky},
    {"service", &BountyRow::service},
    {"attacker_ip", &BountyRow::attacker_ip},
    {"bounty_type", &BountyRow::bounty_type},
    {"payload", &BountyRow::payload},
};

constexpr Col<CredentialRow> kCredTable[] = {
    {"id", &CredentialRow::id},
    {"ts_us", &CredentialRow::ts_us},
    {"attacker_ip", &CredentialRow::attacker_ip},
    {"decky", &CredentialRow::decky},
    {"service", &CredentialRow::service},
    {"username", &CredentialRow::username},
    {"secret", &CredentialRow::secret},
    {"secret_kind", &CredentialRow::secret_kind},
    {"secret_printable", &CredentialRow::secret_printable},
    {"secret_encoding", &CredentialRow::secret_encoding},
};

// intel_state last: UpsertAttacker binds an empty one as NULL.
constexpr Col<AttackerRow> kAttackerTable[] = {
    {"ip", &AttackerRow::ip},
    {"first_seen_us", &AttackerRow::first_seen_us},
    {"last_seen_us", &AttackerRow::last_seen_us},
    {"event_count", &AttackerRow::event_count},
    {"services", &AttackerRow::services},
    {"deckies", &AttackerRow::deckies},
    {"traversal", &AttackerRow::traversal},
    {"is_traversal", &AttackerRow::is_traversal},
    {"bounty_count", &AttackerRow::bounty_count},
    {"credential_count", &AttackerRow::credential_count},
    {"fingerprints", &AttackerRow::fingerprints},
    {"commands", &AttackerRow::commands},
    {"score", &AttackerRow::score},
    {"score_reasons", &AttackerRow::score_reasons},
    {"updated_at_us", &AttackerRow::updated_at_us},
    {"intel_state", &AttackerRow::intel_state},
};

constexpr Col<AttackerBehaviorRow> kBehaviorTable[] = {
    {"ip", &AttackerBehaviorRow::ip},
    {"os_guess", &AttackerBehaviorRow::os_guess},
    {"hop_distance", &AttackerBehaviorRow::hop_distance},
    {"tcp_fingerprint", &AttackerBehaviorRow::tcp_fingerprint},
    {"retransmit_count", &AttackerBehaviorRow::retransmit_count},
    {"behavior_class", &AttackerBehaviorRow::behavior_class},
    {"beacon_interval_s", &AttackerBehaviorRow::beacon_interval_s},
    {"beacon_jitter_pct", &AttackerBehaviorRow::beacon_jitter_pct},
    {"tool_guesses", &AttackerBehaviorRow::tool_guesses},
    {"timing_stats", &AttackerBehaviorRow::timing_stats},
    {"phase_sequence", &AttackerBehaviorRow::phase_sequence},
    {"updated_at_us", &AttackerBehaviorRow::updated_at_us},
};

constexpr Col<CredentialReuseRow> kReuseTable[] = {
    {"id", &CredentialReuseRow::id},
    {"username", &CredentialReuseRow::username},
    {"secret_kind", &CredentialReuseRow::secret_kind},
    {"secret", &CredentialReuseRow::secret},
    {"secret_encoding", &CredentialReuseRow::secret_encoding},
    {"target_count", &CredentialReuseRow::target_count},
    {"attempt_count", &CredentialReuseRow::attempt_count},
    {"attacker_ips", &CredentialReuseRow::attacker_ips},
    {"deckies", &CredentialReuseRow::deckies},
    {"services", &CredentialReuseRow::services},
    {"first_seen_us", &CredentialReuseRow::first_seen_us},
    {"last_seen_us", &CredentialReuseRow::last_seen_us},
    {"updated_at_us", &CredentialReuseRow::updated_at_us},
};

constexpr Col<UserRow> kUserTable[] = {
    {"uuid", &UserRow::uuid},
    {"username", &UserRow::username},
    {"password_hash", &UserRow::password_hash},
    {"role", &UserRow::role},
    {"must_change_password", &UserRow::must_change_password},
    {"created_at_us", &UserRow::created_at_us},
    {"token_version", &UserRow::token_version},
};

constexpr Col<TopologyRow> kTopoTable[] = {
    {"id", &TopologyRow::id},
    {"name", &TopologyRow::name},
    {"hash", &TopologyRow::hash},
    {"json", &TopologyRow::json},
    {"created_at_us", &TopologyRow::created_at_us},
    {"status", &TopologyRow::status},
};

constexpr Col<DeckyRow> kDeckyTable[] = {
    {"name", &DeckyRow::name},   {"topology_id", &DeckyRow::topology_id},
    {"ip", &DeckyRow::ip},       {"json", &DeckyRow::json},
    {"state", &DeckyRow::state}, {"updated_at_us", &DeckyRow::updated_at_us},
};

// "SELECT <every column of cols> FROM ": the start of a query that ReadRow(cols) reads.
template <typename Row, size_t N>
std::string SelectFrom(const Col<Row> (&cols)[N]) {
  return "SELECT " + ColumnList(cols) + " FROM ";
}

// Stable key of a (kind, username, secret) triple: FNV-1a 64 over the length-prefixed parts, hex.
// The row also stores the triple, and lookups compare it, so a collision cannot merge two
// credentials.
std::string ReuseKey(const CredentialReuseRow& r) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view s) {
    std::string len = std::to_string(s.size()) + ":";
    for (char c : len) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  };
  mix(r.secret_kind);
  mix(r.username);
  mix(r.secret);
  // Mixed in only when not the default, so the keys of text secrets stay what they were.
  if (r.secret_encoding != "utf8") mix(r.secret_encoding);
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Quotes `s` as a JSON string (self-contained: the MySQL plugin does not link core). The values
// come from our own columns, which hold valid UTF-8 written by the ingester.
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// "a,b,a" (GROUP_CONCAT) -> ["a","b"] sorted, unique.
std::string CsvToJsonArray(const std::string& csv) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= csv.size() && !csv.empty()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    items.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",";
    AppendJsonString(out, items[i]);
  }
  return out + "]";
}

// "%<s>%" with LIKE's metacharacters escaped by '!', so the pattern is a literal substring.
std::string LikeSubstring(std::string_view s) {
  std::string pat = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '!') pat.push_back('!');
    pat.push_back(c);
  }
  pat.push_back('%');
  return pat;
}

// Builds " WHERE ..." for a LogQuery (without the keyset part unless with_keyset).
std::string LogWhere(const LogQuery& q, bool with_keyset, std::vector<Bind>& binds, bool mysql) {
  std::vector<std::string> conds;
  if (q.since_us) {
    conds.push_back("ts_us >= ?");
    binds.emplace_back(q.since_us);
  }
  if (q.until_us) {
    conds.push_back("ts_us < ?");
    binds.emplace_back(q.until_us);
  }
  auto eq = [&](const char* col, const std::string& v) {
    if (v.empty()) return;
    conds.push_back(std::string(col) + " = ?");
    binds.emplace_back(v);
  };
  eq("attacker_ip", q.attacker_ip);
  eq("decky", q.decky);
  eq("service", q.service);
  eq("event_type", q.event_type);
  if (!q.search.empty()) {
    // SQLite's LIKE reads its operands as C strings and stops at the first NUL byte, so an attacker
    // who puts a NUL early in a line would hide the rest of it from search; instr() compares the
    // stored bytes by length. MySQL's LIKE is length-counted (binary safe) already.
    if (mysql) {
      conds.push_back(
          "(msg LIKE ? ESCAPE '!' OR raw_line LIKE ? ESCAPE '!' OR fields LIKE ? ESCAPE '!')");
    } else {
      conds.push_back("(instr(msg, ?) > 0 OR instr(raw_line, ?) > 0 OR instr(fields, ?) > 0)");
    }
    std::string needle = mysql ? LikeSubstring(q.search) : q.search;
    binds.emplace_back(needle);
    binds.emplace_back(needle);
    binds.emplace_back(needle);
  }
  if (with_keyset && q.before_id > 0) {
    conds.push_back("id < ?");
    binds.emplace_back(q.before_id);
  }
  if (conds.empty()) return "";
  std::string w = " WHERE ";
  for (size_t i = 0; i < conds.size(); ++i) {
    if (i) w += " AND ";
    w += conds[i];
  }
  return w;
}

std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s + ")";
}

class SqlRepository final : public Repository {
 public:
  SqlRepository(std::unique_ptr<ConnSource> src, const char* backend)
      : src_(std::move(src)), backend_(backend) {}

  const char* backend() const override { return backend_; }
  void SetStatementTimeout(int64_t ms) override {
    if (auto c = src_->Get()) (*c)->SetStatementTimeout(ms);
  }
  bool mysql() {
    auto c = src_->Get();
    return c && (*c)->dialect() == Dialect::kMysql;
  }

  // Runs fn(conn) on a connection from the source, reporting failures to it.
  template <typename Fn>
  auto With(Fn fn) -> decltype(fn(std::declval<SqlConn&>())) {
    auto c = src_->Get();
    if (!c) return c.error();
    auto r = fn(**c);
    if (!r) src_->Failed(*c, r.error());
    return r;
  }

  // Prepares, binds, and collects every row through `read`.
  template <typename Row, typename Reader>
  Result<std::vector<Row>> Query(const std::string& sql, const std::vector<Bind>& binds,
                                 Reader read) {
    return With([&](SqlConn& c) -> Result<std::vector<Row>> {
      auto st = c.Prepare(sql);
      if (!st) return st.error();
      BindAll(*st, binds);
      std::vector<Row> rows;
      for (;;) {
        auto more = (*st)->Step();
        if (!more) return more.error();
        if (!*more) break;
        rows.push_back(read(*st));
      }
      (*st)->Reset();
      return rows;
    });
  }

  template <typename Row, typename Reader>
  Result<std::optional<Row>> QueryOne(const std::string& sql, const std::vector<Bind>& binds,
                                      Reader read) {
    auto rows = Query<Row>(sql, binds, read);
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<Row>();
    return std::optional<Row>(std::move(rows->front()));
  }

  // "SELECT <the columns of cols> FROM <from_rest>": every row, read through the table.
  template <typename Row, size_t N>
  Result<std::vector<Row>> Select(const Col<Row> (&cols)[N], const std::string& from_rest,
                                  const std::vector<Bind>& binds) {
    return Query<Row>(SelectFrom(cols) + from_rest, binds,
                      [&](SqlStmt* s) { return ReadRow(s, cols); });
  }
  template <typename Row, size_t N>
  Result<std::optional<Row>> SelectOne(const Col<Row> (&cols)[N], const std::string& from_rest,
                                       const std::vector<Bind>& binds) {
    return QueryOne<Row>(SelectFrom(cols) + from_rest, binds,
                         [&](SqlStmt* s) { return ReadRow(s, cols); });
  }

  Result<int64_t> QueryInt(const std::string& sql, const std::vector<Bind>& binds) {
    auto rows = Query<int64_t>(sql, binds, [](SqlStmt* s) { return s->ColInt(0); });
    if (!rows) return rows.error();
    return rows->empty() ? int64_t{0} : rows->front();
  }

  // Executes a write; returns the number of changed rows.
  Result<int64_t> Write(const std::string& sql, const std::vector<Bind>& binds,
                        int64_t* insert_id = nullptr) {
    return With([&](SqlConn& c) -> Result<int64_t> {
      auto st = c.Prepare(sql);
      if (!st) return st.error();
      BindAll(*st, binds);
      if (Status s = ExecStmt(*st); !s) return s.error();
      if (insert_id) *insert_id = c.LastInsertId();
      return c.Changes();
    });
  }
  Status WriteStatus(const std::string& sql, const std::vector<Bind>& binds) {
    auto r = Write(sql, binds);
    if (!r) return r.error();
    return Ok();
  }
  Result<int64_t> Insert(const std::string& sql, const std::vector<Bind>& binds) {
    int64_t id = 0;
    auto r = Write(sql, binds, &id);
    if (!r) return r.error();
    return id;
  }

  // REPLACE works in both dialects; every upserted table's key is its primary key and no other row
  // refers to it by rowid.
  std::string Replace(const char* table, const std::string& cols, size_t n) {
    return std::string("REPLACE INTO ") + table + " (" + cols + ") VALUES " + InList(n);
  }
  // Upserts `r`: every column of the table, in order.
  template <typename Row, size_t N>
  Status ReplaceRow(const char* table, const Col<Row> (&cols)[N], const Row& r) {
    return WriteStatus(Replace(table, ColumnList(cols), N), RowBinds(r, cols));
  }

  Result<int> SchemaVersion() override {
    return With([](SqlConn& c) { return ReadSchemaVersion(c); });
  }

  Status Begin() override {
    auto c = src_->Get();
    if (!c) return c.error();
    Status s =
        (*c)->Exec((*c)->dialect() == Dialect::kMysql ? "START TRANSACTION" : "BEGIN IMMEDIATE");
    if (!s) {
      src_->Failed(*c, s.error());
      return s;
    }
    src_->TxBegun(true);
    return s;
  }
  Status Commit() override { return EndTx("COMMIT"); }
  Status Rollback() override { return EndTx("ROLLBACK"); }
  Status EndTx(const char* sql) {
    auto c = src_->Get();
    if (!c) return c.error();
    Status s = (*c)->Exec(sql);
    // A failed COMMIT in SQLite (busy) leaves the transaction open: keep the pin so Rollback can
    // run.
    if (s || std::string(sql) == "ROLLBACK") src_->TxBegun(false);
    if (!s) src_->Failed(*c, s.error());
    return s;
  }

  // ---- logs
  static constexpr const char* kInsertLog =
      "INSERT INTO logs (ts_us, decky, service, event_type, attacker_ip, raw_line, fields, msg) "
      "VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?)";
  // The hot path (the ingester): no intermediate copies, the statement looked up once per call.
  static void BindLog(SqlStmt* st, const LogRow& r, int base = 0) {
    st->BindInt(base + 1, r.ts_us);
    st->BindText(base + 2, r.decky);
    st->BindText(base + 3, r.service);
    st->BindText(base + 4, r.event_type);
    st->BindText(base + 5, r.attacker_ip);
    st->BindText(base + 6, r.raw_line);
    st->BindText(base + 7, r.fields);
    st->BindText(base + 8, r.msg);
  }
  // SQLite: one cached statement stepped per row (in-process, no round trip). MySQL: multi-row
  // INSERTs of kMysqlRowsPerInsert rows, because each statement is a round trip (~0.3 ms on a local
  // socket).
  static constexpr size_t kMysqlRowsPerInsert = 100;
  Status InsertLogs(std::span<const LogRow> rows) override {
    return With([&](SqlConn& c) -> Status {
      size_t i = 0;
      if (c.dialect() == Dialect::kMysql) {
        if (multi_log_sql_.empty()) {
          multi_log_sql_ = kInsertLog;
          for (size_t k = 1; k < kMysqlRowsPerInsert; ++k)
            multi_log_sql_ += ", (?, ?, ?, ?, ?, ?, ?, ?)";
        }
        for (; i + kMysqlRowsPerInsert <= rows.size(); i += kMysqlRowsPerInsert) {
          auto st = c.Prepare(multi_log_sql_);
          if (!st) return st.error();
          for (size_t k = 0; k < kMysqlRowsPerInsert; ++k)
            BindLog(*st, rows[i + k], static_cast<int>(k * 8));
          if (Status s = ExecStmt(*st); !s) return s;
        }
      }
      auto st = c.Prepare(insert_log_sql_);
      if (!st) return st.error();
      for (; i < rows.size(); ++i) {
        BindLog(*st, rows[i]);
        if (Status s = ExecStmt(*st); !s) return s;
      }
      return Ok();
    });
  }
  Result<int64_t> InsertLog(const LogRow& row) override {
    return With([&](SqlConn& c) -> Result<int64_t> {
      auto st = c.Prepare(insert_log_sql_);
      if (!st) return st.error();
      BindLog(*st, row);
      if (Status s = ExecStmt(*st); !s) return s.error();
      return c.LastInsertId();
    });
  }

  Result<std::vector<LogRow>> LogsAfter(int64_t after_id, int limit) override {
    return Select(kLogTable, "logs WHERE id > ? ORDER BY id LIMIT ?",
                  {after_id, int64_t{ClampLimit(limit)}});
  }

  Result<LogPage> QueryLogs(const LogQuery& q) override {
    std::vector<Bind> binds;
    int limit = ClampLimit(q.limit);
    std::string from = "logs" + LogWhere(q, true, binds, mysql()) + " ORDER BY id DESC LIMIT ?";
    binds.emplace_back(int64_t{limit + 1});
    auto rows = Select(kLogTable, from, binds);
    if (!rows) return rows.error();
    LogPage page;
    if (static_cast<int>(rows->size()) > limit) {
      rows->resize(limit);
      page.next_before_id = rows->back().id;
    }
    page.rows = std::move(*rows);
    return page;
  }

  Result<int64_t> CountLogs(const LogQuery& q) override {
    std::vector<Bind> binds;
    return QueryInt("SELECT COUNT(*) FROM logs" + LogWhere(q, false, binds, mysql()), binds);
  }

  Result<std::vector<HistogramBucket>> LogHistogram(const LogQuery& q, int64_t bucket_s) override {
    if (bucket_s <= 0) return MakeError(Errc::kInvalidArgument, "histogram bucket must be > 0 s");
    int64_t width = bucket_s * 1000000;
    std::vector<Bind> binds{width, width};
    bool my = mysql();
    std::string b = my ? "(ts_us DIV ?) * ?" : "(ts_us / ?) * ?";
    std::string sql = "SELECT " + b + " AS b, COUNT(*) FROM logs" + LogWhere(q, false, binds, my) +
                      " GROUP BY b ORDER BY b LIMIT 100000";
    return Query<HistogramBucket>(sql, binds, [](SqlStmt* s) {
      return HistogramBucket{s->ColInt(0), s->ColInt(1)};
    });
  }

  Result<std::vector<KeyCount>> CountBy(const char* col, const LogQuery& q) {
    std::vector<Bind> binds;
    std::string sql = std::string("SELECT ") + col + ", COUNT(*) AS n FROM logs" +
                      LogWhere(q, false, binds, mysql()) + " GROUP BY " + col + " ORDER BY n DESC, " + col +
                      " LIMIT 10000";
    return Query<KeyCount>(sql, binds, [](SqlStmt* s) {
      return KeyCount{s->ColText(0), s->ColInt(1)};
    });
  }
  Result<std::vector<KeyCount>> CountByService(const LogQuery& q) override {
    return CountBy("service", q);
  }
  Result<std::vector<KeyCount>> CountByDecky(const LogQuery& q) override {
    return CountBy("decky", q);
  }

  Result<Stats> GetStats() override {
    Stats s;
    struct Item {
      const char* sql;
      int64_t* out;
    } items[] = {
        {"SELECT COUNT(*) FROM logs", &s.total_logs},
        {"SELECT COUNT(DISTINCT attacker_ip) FROM logs", &s.unique_attackers},
        {"SELECT COUNT(*) FROM bounty", &s.total_bounty},
        {"SELECT COUNT(*) FROM credentials", &s.total_credentials},
        {"SELECT COUNT(*) FROM attackers", &s.attackers},
        {"SELECT COUNT(DISTINCT decky) FROM logs", &s.deckies},
    };
    for (auto& it : items) {
      auto v = QueryInt(it.sql, {});
      if (!v) return v.error();
      *it.out = *v;
    }
    return s;
  }

  // ---- bounty
  Result<int64_t> InsertBounty(const BountyRow& r) override {
    return Insert(
        "INSERT INTO bounty (ts_us, decky, service, attacker_ip, bounty_type, payload) VALUES (?, "
        "?, ?, "
        "?, ?, ?)",
        {r.ts_us, r.decky, r.service, r.attacker_ip, r.bounty_type, r.payload});
  }
  Result<std::vector<BountyRow>> BountyAfter(int64_t after_id, int limit) override {
    return Select(kBountyTable, "bounty WHERE id > ? ORDER BY id LIMIT ?",
                  {after_id, int64_t{ClampLimit(limit)}});
  }
  Result<std::vector<BountyRow>> ListBounty(const std::string& ip, const std::string& type,
                                            int64_t before_id, int limit) override {
    std::vector<Bind> binds;
    std::string where = " WHERE 1=1";
    if (!ip.empty()) {
      where += " AND attacker_ip = ?";
      binds.emplace_back(ip);
    }
    if (!type.empty()) {
      where += " AND bounty_type = ?";
      binds.emplace_back(type);
    }
    if (before_id > 0) {
      where += " AND id < ?";
      binds.emplace_back(before_id);
    }
    binds.emplace_back(int64_t{ClampLimit(limit)});
    return Select(kBountyTable, "bounty" + where + " ORDER BY id DESC LIMIT ?", binds);
  }

  // ---- credentials
  Result<int64_t> InsertCredential(const CredentialRow& r) override {
    return Insert(
        "INSERT INTO credentials (ts_us, attacker_ip, decky, service, username, secret, "
        "secret_kind, secret_printable, secret_encoding) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {r.ts_us, r.attacker_ip, r.decky, r.service, r.username, r.secret, r.secret_kind,
         r.secret_printable, r.secret_encoding});
  }
  Result<std::vector<CredentialRow>> ListCredentials(const std::string& ip, int64_t before_id,
                                                     int limit) override {
    std::vector<Bind> binds;
    std::string where = " WHERE 1=1";
    if (!ip.empty()) {
      where += " AND attacker_ip = ?";
      binds.emplace_back(ip);
    }
    if (before_id > 0) {
      where += " AND id < ?";
      binds.emplace_back(before_id);
    }
    binds.emplace_back(int64_t{ClampLimit(limit)});
    return Select(kCredTable, "credentials" + where + " ORDER BY id DESC LIMIT ?", binds);
  }
  Result<int64_t> CountCredentials(const std::string& ip) override {
    if (ip.empty()) return QueryInt("SELECT COUNT(*) FROM credentials", {});
    return QueryInt("SELECT COUNT(*) FROM credentials WHERE attacker_ip = ?", {ip});
  }
  Result<int64_t> CountBounty(const std::string& ip) override {
    if (ip.empty()) return QueryInt("SELECT COUNT(*) FROM bounty", {});
    return QueryInt("SELECT COUNT(*) FROM bounty WHERE attacker_ip = ?", {ip});
  }
  Result<std::vector<KeyCount>> CountsByIp(const char* table, std::span<const std::string> ips) {
    std::vector<KeyCount> out;
    auto run = [&](std::span<const std::string> chunk) -> Status {
      std::vector<Bind> binds(chunk.begin(), chunk.end());
      std::string sql = std::string("SELECT attacker_ip, COUNT(*) FROM ") + table;
      if (!chunk.empty()) sql += " WHERE attacker_ip IN " + InList(chunk.size());
      sql += " GROUP BY attacker_ip ORDER BY attacker_ip";
      auto rows = Query<KeyCount>(sql, binds, [](SqlStmt* s) {
        return KeyCount{s->ColText(0), s->ColInt(1)};
      });
      if (!rows) return rows.error();
      out.insert(out.end(), rows->begin(), rows->end());
      return Ok();
    };
    if (ips.empty()) {
      if (Status s = run({}); !s) return s.error();
      return out;
    }
    // Fixed chunk sizes keep the statement cache small and under SQLite's variable limit.
    constexpr size_t kChunk = 64;
    for (size_t i = 0; i < ips.size(); i += kChunk) {
      if (Status s = run(ips.subspan(i, std::min(kChunk, ips.size() - i))); !s) return s.error();
    }
    return out;
  }
  Result<std::vector<KeyCount>> CredentialCountsByIp(std::span<const std::string> ips) override {
    return CountsByIp("credentials", ips);
  }
  Result<std::vector<KeyCount>> BountyCountsByIp(std::span<const std::string> ips) override {
    return CountsByIp("bounty", ips);
  }

  // ---- attackers
  Status UpsertAttacker(const AttackerRow& r) override {
    std::vector<Bind> binds = RowBinds(r, kAttackerTable);
    if (r.intel_state.empty()) binds.back() = std::monostate{};  // intel_state: NULL until set
    return WriteStatus(Replace("attackers", ColumnList(kAttackerTable), binds.size()), binds);
  }
  Result<std::optional<AttackerRow>> GetAttacker(const std::string& ip) override {
    return SelectOne(kAttackerTable, "attackers WHERE ip = ?", {ip});
  }
  Result<AttackerPage> QueryAttackers(const AttackerQuery& q) override {
    const char* key = q.order == AttackerOrder::kScore ? "score" : "last_seen_us";
    std::vector<Bind> binds;
    std::string where = " WHERE 1=1";
    if (!q.search.empty()) {
      // Escaped: a search for "%" or "_" is a literal character, not "every attacker".
      where += " AND ip LIKE ? ESCAPE '!'";
      binds.emplace_back(LikeSubstring(q.search));
    }
    if (q.after_key) {
      // (key, ip) < (after_key, after_ip), spelled out for MySQL's optimizer.
      where += std::string(" AND (") + key + " < ? OR (" + key + " = ? AND ip < ?))";
      if (q.order == AttackerOrder::kScore) {
        binds.emplace_back(*q.after_key);
        binds.emplace_back(*q.after_key);
      } else {
        binds.emplace_back(static_cast<int64_t>(*q.after_key));
        binds.emplace_back(static_cast<int64_t>(*q.after_key));
      }
      binds.emplace_back(q.after_ip);
    }
    int limit = ClampLimit(q.limit);
    binds.emplace_back(int64_t{limit + 1});
    auto rows = Select(kAttackerTable,
                       "attackers" + where + " ORDER BY " + key + " DESC, ip DESC LIMIT ?", binds);
    if (!rows) return rows.error();
    AttackerPage page;
    page.more = static_cast<int>(rows->size()) > limit;
    if (page.more) rows->resize(limit);
    page.rows = std::move(*rows);
    return page;
  }
  Status UpsertAttackerBehavior(const AttackerBehaviorRow& r) override {
    return ReplaceRow("attacker_behavior", kBehaviorTable, r);
  }
  Result<std::optional<AttackerBehaviorRow>> GetAttackerBehavior(const std::string& ip) override {
    return SelectOne(kBehaviorTable, "attacker_behavior WHERE ip = ?", {ip});
  }

  // ---- credential_reuse
  Result<std::vector<CredentialReuseRow>> CredentialReuseGroups(int min_targets,
                                                                int limit) override {
    bool my = mysql();
    std::string target = my ? "CONCAT(decky, ':', service)" : "decky || ':' || service";
    std::string sql =
        "SELECT username, secret_kind, secret, COUNT(DISTINCT " + target +
        ") AS targets, COUNT(*), GROUP_CONCAT(DISTINCT attacker_ip), GROUP_CONCAT(DISTINCT decky), "
        "GROUP_CONCAT(DISTINCT service), MIN(ts_us), MAX(ts_us), secret_encoding FROM credentials "
        "GROUP BY secret_kind, username, secret_encoding, secret HAVING COUNT(DISTINCT " +
        target + ") >= ? ORDER BY targets DESC, MAX(ts_us) DESC LIMIT ?";
    return Query<CredentialReuseRow>(
        sql, {int64_t{std::max(min_targets, 1)}, int64_t{ClampLimit(limit)}}, [](SqlStmt* s) {
          CredentialReuseRow r;
          r.username = s->ColText(0);
          r.secret_kind = s->ColText(1);
          r.secret = s->ColText(2);
          r.target_count = s->ColInt(3);
          r.attempt_count = s->ColInt(4);
          r.attacker_ips = CsvToJsonArray(s->ColText(5));
          r.deckies = CsvToJsonArray(s->ColText(6));
          r.services = CsvToJsonArray(s->ColText(7));
          r.first_seen_us = s->ColInt(8);
          r.last_seen_us = s->ColInt(9);
          r.secret_encoding = s->ColText(10);
          return r;
        });
  }
  Result<UpsertOutcome> UpsertCredentialReuse(const CredentialReuseRow& r) override {
    std::string key = ReuseKey(r);
    auto old = SelectOne(kReuseTable, "credential_reuse WHERE group_key = ?", {key});
    if (!old) return old.error();
    UpsertOutcome out;
    if (!*old) {
      auto ins = Write(
          "INSERT INTO credential_reuse (group_key, username, secret_kind, secret, "
          "secret_encoding, target_count, attempt_count, attacker_ips, deckies, services, "
          "first_seen_us, last_seen_us, updated_at_us) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {key, r.username, r.secret_kind, r.secret, r.secret_encoding, r.target_count,
           r.attempt_count, r.attacker_ips, r.deckies, r.services, r.first_seen_us,
           r.last_seen_us, r.updated_at_us});
      if (!ins) return ins.error();
      out.inserted = out.changed = true;
      return out;
    }
    const CredentialReuseRow& o = **old;
    if (o.username != r.username || o.secret_kind != r.secret_kind || o.secret != r.secret ||
        o.secret_encoding != r.secret_encoding)
      return MakeError(Errc::kBusy, "credential_reuse key collision");
    out.changed = o.target_count != r.target_count || o.attacker_ips != r.attacker_ips ||
                  o.deckies != r.deckies || o.services != r.services;
    auto upd = Write(
        "UPDATE credential_reuse SET target_count = ?, attempt_count = ?, attacker_ips = ?, "
        "deckies = "
        "?, services = ?, first_seen_us = ?, last_seen_us = ?, updated_at_us = ? WHERE group_key = "
        "?",
        {r.target_count, r.attempt_count, r.attacker_ips, r.deckies, r.services, r.first_seen_us,
         r.last_seen_us, r.updated_at_us, key});
    if (!upd) return upd.error();
    return out;
  }
  Result<std::vector<CredentialReuseRow>> ListCredentialReuse(int64_t before_id,
                                                              int limit) override {
    std::vector<Bind> binds;
    std::string where;
    if (before_id > 0) {
      where = " WHERE id < ?";
      binds.emplace_back(before_id);
    }
    binds.emplace_back(int64_t{ClampLimit(limit)});
    return Select(kReuseTable, "credential_reuse" + where + " ORDER BY id DESC LIMIT ?", binds);
  }

  // ---- state
  Result<std::optional<std::string>> GetState(const std::string& key) override {
    std::string sql = mysql() ? "SELECT value FROM state WHERE `key` = ?"
                              : "SELECT value FROM state WHERE key = ?";
    return QueryOne<std::string>(sql, {key}, [](SqlStmt* s) { return s->ColText(0); });
  }
  Status PutState(const std::string& key, const std::string& value) override {
    std::string sql = mysql() ? "REPLACE INTO state (`key`, value) VALUES (?, ?)"
                              : "REPLACE INTO state (key, value) VALUES (?, ?)";
    return WriteStatus(sql, {key, value});
  }

  // ---- users
  Status CreateUser(const UserRow& r) override {
    return WriteStatus(
        "INSERT INTO users (" + ColumnList(kUserTable) + ") VALUES " + InList(std::size(kUserTable)),
        RowBinds(r, kUserTable));
  }
  Result<std::optional<UserRow>> GetUserByName(const std::string& name) override {
    return SelectOne(kUserTable, "users WHERE username = ?", {name});
  }
  Result<std::optional<UserRow>> GetUserByUuid(const std::string& uuid) override {
    return SelectOne(kUserTable, "users WHERE uuid = ?", {uuid});
  }
  Status UpdatePasswordHash(const std::string& uuid, const std::string& hash,
                            bool must_change) override {
    // token_version changes on every call, so MySQL's "0 rows changed when equal" cannot hide a hit.
    auto n = Write(
        "UPDATE users SET password_hash = ?, must_change_password = ?, token_version = "
        "token_version + 1 WHERE uuid = ?",
        {hash, int64_t{must_change}, uuid});
    if (!n) return n.error();
    if (*n == 0) return MakeError(Errc::kNotFound, "no user " + uuid);
    return Ok();
  }
  Result<int64_t> BumpTokenVersion(const std::string& uuid) override {
    auto n = Write("UPDATE users SET token_version = token_version + 1 WHERE uuid = ?", {uuid});
    if (!n) return n.error();
    if (*n == 0) return MakeError(Errc::kNotFound, "no user " + uuid);
    auto v = QueryInt("SELECT token_version FROM users WHERE uuid = ?", {uuid});
    if (!v) return v.error();
    return *v;
  }
  Status SetUserRole(const std::string& uuid, const std::string& role) override {
    auto n = Write("UPDATE users SET role = ?, token_version = token_version + 1 WHERE uuid = ?",
                   {role, uuid});
    if (!n) return n.error();
    if (*n == 0) return MakeError(Errc::kNotFound, "no user " + uuid);
    return Ok();
  }
  Result<std::vector<UserRow>> ListUsers() override {
    return Select(kUserTable, "users ORDER BY username", {});
  }
  Status DeleteUser(const std::string& uuid) override {
    return WriteStatus("DELETE FROM users WHERE uuid = ?", {uuid});
  }

  // ---- topologies / deckies
  Status UpsertTopology(const TopologyRow& r) override {
    return ReplaceRow("topologies", kTopoTable, r);
  }
  Result<std::optional<TopologyRow>> GetTopology(const std::string& id) override {
    return SelectOne(kTopoTable, "topologies WHERE id = ?", {id});
  }
  Result<std::vector<TopologyRow>> ListTopologies() override {
    return Select(kTopoTable, "topologies ORDER BY created_at_us DESC, id DESC LIMIT 10000", {});
  }
  Status SetTopologyStatus(const std::string& id, const std::string& status) override {
    return WriteStatus("UPDATE topologies SET status = ? WHERE id = ?", {status, id});
  }
  Status DeleteTopology(const std::string& id) override {
    if (Status s = WriteStatus("DELETE FROM deckies WHERE topology_id = ?", {id}); !s) return s;
    return WriteStatus("DELETE FROM topologies WHERE id = ?", {id});
  }
  Status UpsertDecky(const DeckyRow& r) override { return ReplaceRow("deckies", kDeckyTable, r); }
  Result<std::optional<DeckyRow>> GetDecky(const std::string& name) override {
    return SelectOne(kDeckyTable, "deckies WHERE name = ?", {name});
  }
  Result<std::vector<DeckyRow>> ListDeckies(const std::string& topology_id) override {
    if (topology_id.empty()) return Select(kDeckyTable, "deckies ORDER BY name", {});
    return Select(kDeckyTable, "deckies WHERE topology_id = ? ORDER BY name", {topology_id});
  }
  Status SetDeckyState(const std::string& name, const std::string& state) override {
    return WriteStatus("UPDATE deckies SET state = ? WHERE name = ?", {state, name});
  }
  Status DeleteDecky(const std::string& name) override {
    return WriteStatus("DELETE FROM deckies WHERE name = ?", {name});
  }

 private:
  std::unique_ptr<ConnSource> src_;
  const char* backend_;
  const std::string insert_log_sql_ = kInsertLog;
  std::string multi_log_sql_;
};

}  // namespace

std::unique_ptr<Repository> MakeSqlRepository(std::unique_ptr<ConnSource> src,
                                              const char* backend) {
  return std::make_unique<SqlRepository>(std::move(src), backend);
}

}  // namespace decnet::storage
