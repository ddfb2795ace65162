// The mysql service: the packet layer, the handshake and login (with the credential capture), and
// a small query engine over a fake schema. See mysql.h.
#include "decnet/services/db/mysql.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "decnet/decoy/persona.h"

namespace decnet::services::db {
namespace mysql {

std::optional<std::pair<uint8_t, std::string>> PacketReader::Next() {
  if (failed_ || buf_.size() < 4) return std::nullopt;
  const auto* b = reinterpret_cast<const unsigned char*>(buf_.data());
  const size_t len = b[0] | (b[1] << 8) | (b[2] << 16);
  // 0xFFFFFF starts a multi-packet payload of 16 MiB or more: always beyond our bound.
  if (len > max_ || len == 0xFFFFFF) {
    failed_ = true;
    buf_.clear();
    return std::nullopt;
  }
  if (buf_.size() < 4 + len) return std::nullopt;
  std::pair<uint8_t, std::string> out{b[3], buf_.substr(4, len)};
  buf_.erase(0, 4 + len);
  return out;
}

bool ReadLenenc(std::string_view p, size_t* pos, uint64_t* v) {
  if (*pos >= p.size()) return false;
  const auto c = static_cast<unsigned char>(p[*pos]);
  size_t n = 0;
  if (c < 0xFB) {
    *v = c;
    ++*pos;
    return true;
  }
  if (c == 0xFC)
    n = 2;
  else if (c == 0xFD)
    n = 3;
  else if (c == 0xFE)
    n = 8;
  else
    return false;
  if (p.size() - *pos < 1 + n) return false;
  uint64_t r = 0;
  for (size_t i = 0; i < n; ++i)
    r |= uint64_t(static_cast<unsigned char>(p[*pos + 1 + i])) << (8 * i);
  *pos += 1 + n;
  *v = r;
  return true;
}

namespace {

bool ReadNul(std::string_view p, size_t* pos, std::string* out) {
  if (*pos > p.size()) return false;
  const size_t nul = p.find('\0', *pos);
  if (nul == std::string_view::npos) return false;
  *out = std::string(p.substr(*pos, nul - *pos));
  *pos = nul + 1;
  return true;
}

bool ReadLenencStr(std::string_view p, size_t* pos, std::string* out) {
  uint64_t n = 0;
  if (!ReadLenenc(p, pos, &n) || n > p.size() - *pos) return false;
  *out = std::string(p.substr(*pos, n));
  *pos += n;
  return true;
}

constexpr uint32_t kProtocol41 = 1u << 9, kSsl = 1u << 11, kSecure = 1u << 15, kWithDb = 1u << 3,
                   kPluginAuth = 1u << 19, kAttrs = 1u << 20, kLenencAuth = 1u << 21;

}  // namespace

bool ParseLogin(std::string_view p, LoginRequest* out) {
  if (p.size() < 32) return false;
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(p[at + i])) << (8 * i);
    return v;
  };
  out->caps = u32(0);
  out->max_packet = u32(4);
  out->charset = static_cast<uint8_t>(p[8]);
  if (!(out->caps & kProtocol41)) return false;
  if (p.size() == 32) {
    out->ssl_request = (out->caps & kSsl) != 0;
    return out->ssl_request;
  }
  size_t pos = 32;
  if (!ReadNul(p, &pos, &out->user)) return false;
  if (out->caps & kLenencAuth) {
    if (!ReadLenencStr(p, &pos, &out->auth)) return false;
  } else if (out->caps & kSecure) {
    if (pos >= p.size()) return false;
    const size_t n = static_cast<unsigned char>(p[pos++]);
    if (n > p.size() - pos) return false;
    out->auth = std::string(p.substr(pos, n));
    pos += n;
  } else if (!ReadNul(p, &pos, &out->auth)) {
    return false;
  }
  // The optional tail: clients stop early when they have nothing to say; a missing NUL at the very
  // end is tolerated as real servers do.
  auto tail = [&](std::string* s) {
    if (pos >= p.size()) return true;
    if (ReadNul(p, &pos, s)) return true;
    *s = std::string(p.substr(pos));
    pos = p.size();
    return true;
  };
  if (out->caps & kWithDb) tail(&out->db);
  if (out->caps & kPluginAuth) tail(&out->plugin);
  if ((out->caps & kAttrs) && pos < p.size()) {
    uint64_t total = 0;
    if (!ReadLenenc(p, &pos, &total) || total > p.size() - pos) return false;
    const std::string_view a = p.substr(pos, total);
    size_t ap = 0;
    while (ap < a.size()) {
      std::string k, v;
      if (!ReadLenencStr(a, &ap, &k) || !ReadLenencStr(a, &ap, &v)) return false;
      if (out->attrs.size() >= kMaxAttrs) break;  // the rest is dropped, not an error
      out->attrs.emplace_back(std::move(k), std::move(v));
    }
  }
  return true;
}

}  // namespace mysql

namespace {

using mysql::LoginRequest;

constexpr std::string_view kService = "mysql";
constexpr size_t kMaxLoginPacket = 16 << 10;     // before login: a HandshakeResponse is < 1 KiB
constexpr size_t kDefaultMaxPacket = 1 << 20;    // after login (mysql: max_allowed_packet 64 MiB)
constexpr size_t kMaxConnectionBytes = 8 << 20;  // all input of one connection; then closed
constexpr size_t kMaxLoggedQueries = 10000;      // `query` events per connection; then counted
constexpr size_t kMaxRows = 1000;
constexpr size_t kMaxStatements = 64;  // of one multi-statement COM_QUERY; the rest is not run //
                                       // rows of one LIMIT

// Capability bits (include/mysql_com.h).
constexpr uint32_t kLongPassword = 1, kFoundRows = 2, kLongFlag = 4, kWithDb = 8, kNoSchema = 16,
                   kOdbc = 64, kLocalFiles = 128, kIgnoreSpace = 256, kProtocol41 = 512,
                   kInteractive = 1024, kIgnoreSigpipe = 4096, kTransactions = 8192,
                   kReserved = 16384, kSecure = 32768, kMultiStatements = 1u << 16,
                   kMultiResults = 1u << 17, kPsMultiResults = 1u << 18, kPluginAuth = 1u << 19,
                   kAttrs = 1u << 20, kLenencAuth = 1u << 21, kExpiredPasswords = 1u << 22;
// What we advertise: no SSL (Debian's MariaDB has no certificate configured), no compression, and
// none of the 8.0 extensions that change the wire format (DEPRECATE_EOF, QUERY_ATTRIBUTES, ...).
constexpr uint32_t kServerCaps = kLongPassword | kFoundRows | kLongFlag | kWithDb | kNoSchema |
                                 kOdbc | kLocalFiles | kIgnoreSpace | kProtocol41 | kInteractive |
                                 kIgnoreSigpipe | kTransactions | kReserved | kSecure |
                                 kMultiStatements | kMultiResults | kPsMultiResults | kPluginAuth |
                                 kAttrs | kLenencAuth | kExpiredPasswords;
constexpr uint16_t kAutocommit = 2;

struct Build {
  std::string_view distro, product, version, comment;
};
// What each distribution's own package reports (SELECT @@version, @@version_comment).
constexpr Build kBuilds[] = {
    {"debian", "mariadb", "10.11.6-MariaDB-0+deb12u1", "Debian 12"},
    {"ubuntu22", "mysql", "8.0.36-0ubuntu0.22.04.1", "(Ubuntu)"},
    {"ubuntu20", "mysql", "8.0.36-0ubuntu0.20.04.1", "(Ubuntu)"},
    {"rocky9", "mysql", "8.0.36", "Source distribution"},
    {"centos7", "mariadb", "5.5.68-MariaDB", "MariaDB Server"},
    {"alpine", "mariadb", "10.11.6-MariaDB", "MariaDB Server"},
};

// ---- The fake schema
// -----------------------------------------------------------------------------

struct Table {
  std::string_view name;
  std::string_view columns;  // comma separated
  std::string_view rows;     // rows separated by '\n', values by '\t'
};
struct Schema {
  std::string_view name;
  std::vector<Table> tables;
};

// One application database per persona (chosen by its hash), beside the system ones.
const std::vector<Schema>& AppSchemas() {
  static const std::vector<Schema> kApps = {
      {"wordpress",
       {{"wp_users", "ID,user_login,user_pass,user_email,user_registered",
         "1\tadmin\t$P$BvS6kX0f7m3b2Qh1c8d9eR4tYz5uW1.\tadmin@corp.internal\t2021-03-14 09:12:44\n"
         "2\tj.smith\t$P$B1q2w3e4r5t6y7u8i9o0pAsDfGhJkL/\tj.smith@corp.internal\t2022-07-01 "
         "16:40:02"},
        {"wp_options", "option_id,option_name,option_value,autoload",
         "1\tsiteurl\thttps://portal.corp.internal\tyes\n2\thome\thttps://"
         "portal.corp.internal\tyes\n"
         "3\tblogname\tCorp Portal\tyes\n4\tadmin_email\tadmin@corp.internal\tyes"},
        {"wp_posts", "ID,post_author,post_title,post_status",
         "1\t1\tHello world!\tpublish\n7\t2\tQ3 maintenance window\tdraft"}}},
      {"app_prod",
       {{"users", "id,username,email,password_hash,role",
         "1\tadmin\tadmin@corp.internal\t$2y$10$"
         "Qe1s8oWc3rK0mV7bX9aLdu4yZ2hN6tP1jF5gH8kL0mN3bV6cX9zA2\tadmin\n"
         "2\tbackup\tops@corp.internal\t$2y$10$"
         "uJ7kL2mN9bV4cX1zA8sD5fG3hJ6kL0qW2eR4tY7uI9oP1aS3dF5gH\tservice\n"
         "3\tm.jones\tm.jones@corp.internal\t$2y$10$"
         "zX2cV4bN6mQ8wE0rT2yU4iO6pA8sD0fG2hJ4kL6zX8cV0bN2mQ4wE\tuser"},
        {"api_keys", "id,name,api_key,created_at",
         "1\tbilling\t9f2c1e6b7d3a48c0b5e1f7a2d4c6e8b0\t2023-01-09 10:00:00\n"
         "2\tmonitoring\t41d7c3a9e0f2b6d8a1c3e5f7b9d0e2f4\t2023-05-22 14:31:07"},
        {"sessions", "id,user_id,ip,expires",
         "3f9a1c2e7b6d4e10\t1\t10.0.3.17\t2026-12-31 23:59:59"}}},
      {"shop",
       {{"customers", "id,name,email,phone",
         "1\tAlice Martin\talice.martin@example.com\t+1-202-555-0141\n"
         "2\tBob Chen\tbob.chen@example.com\t+1-202-555-0177"},
        {"orders", "id,customer_id,total,status",
         "1001\t1\t129.90\tshipped\n1002\t2\t54.00\tpending\n1003\t1\t12.50\trefunded"},
        {"admins", "id,login,password", "1\tshopadmin\t5f4dcc3b5aa765d61d8327deb882cf99"}}},
  };
  return kApps;
}

Schema MysqlSystem() {
  return {"mysql",
          {{"user", "Host,User,plugin,authentication_string",
            "localhost\troot\tauth_socket\t\nlocalhost\tmysql.sys\tcaching_sha2_password\t$A$005$"
            "THISISACOMBINATIONOFINVALIDSALTANDPASSWORDTHATMUSTNEVERBRBEUSED\n"
            "%\tapp\tmysql_native_password\t*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9"},
           {"db", "Host,Db,User", "%\tapp_%\tapp"}}};
}

// ---- Packets and text helpers
// --------------------------------------------------------------------

std::string Le(uint64_t v, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return out;
}
std::string Lenenc(uint64_t v) {
  if (v < 251) return std::string(1, static_cast<char>(v));
  if (v < (1u << 16)) return "\xFC" + Le(v, 2);
  if (v < (1u << 24)) return "\xFD" + Le(v, 3);
  return "\xFE" + Le(v, 8);
}
std::string LenencStr(std::string_view s) { return Lenenc(s.size()) + std::string(s); }
std::string HexOf(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && (std::isspace(static_cast<unsigned char>(s[a])) || s[a] == ';')) ++a;
  while (b > a && (std::isspace(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == ';' ||
                   s[b - 1] == '\0'))
    --b;
  return std::string(s.substr(a, b - a));
}
std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && (s[0] == '`' || s[0] == '\'' || s[0] == '"') && s.back() == s[0])
    return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}
std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= s.size()) {
    size_t e = s.find(sep, at);
    if (e == std::string_view::npos) e = s.size();
    out.emplace_back(s.substr(at, e - at));
    at = e + 1;
  }
  return out;
}
// Whitespace-separated words of a statement (quotes kept inside words).
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    size_t j = i;
    char q = 0;
    while (j < s.size() && (q || !std::isspace(static_cast<unsigned char>(s[j])))) {
      if (!q && (s[j] == '\'' || s[j] == '"' || s[j] == '`'))
        q = s[j];
      else if (q && s[j] == q)
        q = 0;
      ++j;
    }
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

struct Health {
  uint64_t sessions = 0, logins = 0, logins_ok = 0, cleartext = 0, queries = 0, unlogged = 0,
           tagged = 0, protocol_errors = 0, oversize = 0;
};

struct Column {
  std::string name;
  bool numeric = false;
};
struct ResultSet {
  std::vector<Column> cols;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class Mysql final : public decoy::Service {
 public:
  explicit Mysql(decoy::Host& host) : host_(host) {
    const decoy::Persona& p = host.persona();
    const Build* b = &kBuilds[0];
    for (const Build& x : kBuilds)
      if (x.distro == p.distro()) b = &x;
    product_ = p.Setting(kService, "product", b->product);
    mariadb_ = product_ == "mariadb";
    std::string_view def_version = b->version, def_comment = b->comment;
    if (product_ != b->product) {  // a product the distro does not ship: its upstream build
      def_version = mariadb_ ? "10.11.6-MariaDB" : "8.0.36";
      def_comment = mariadb_ ? "MariaDB Server" : "MySQL Community Server - GPL";
    }
    version_ = p.Setting(kService, "version", def_version);
    comment_ = p.Setting(kService, "version_comment", def_comment);
    // MariaDB 10.x prefixes the handshake's version with "5.5.5-" so old replicas accept it.
    wire_version_ = (mariadb_ && version_.rfind("10.", 0) == 0 ? "5.5.5-" : "") + version_;
    const bool mysql8 = !mariadb_ && version_.rfind("8.", 0) == 0;
    plugin_ = p.Setting(kService, "auth_plugin",
                        mysql8 ? "caching_sha2_password" : "mysql_native_password");
    for (const std::string& pair : Split(p.Setting(kService, "users", ""), ',')) {
      const size_t colon = pair.find(':');
      if (colon != std::string::npos)
        users_.emplace_back(pair.substr(0, colon), pair.substr(colon + 1));
    }
    const std::string mp = p.Setting(kService, "max_packet", "");
    max_packet_ = mp.empty()
                      ? kDefaultMaxPacket
                      : std::clamp<size_t>(std::strtoull(mp.c_str(), nullptr, 10), 1024, 16 << 20);
    app_ = &AppSchemas()[p.Hash(kService, "app") % AppSchemas().size()];
    conn_base_ = 8 + p.Hash(kService, "conn_base") % 5000;
  }
  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(decoy::Connection& conn) override;
  void AddHealth(std::string* j) const override {
    *j += ",\"mysql_sessions\":" + std::to_string(live_) +
          ",\"mysql_logins\":" + std::to_string(h_.logins) +
          ",\"mysql_logins_ok\":" + std::to_string(h_.logins_ok) +
          ",\"mysql_cleartext\":" + std::to_string(h_.cleartext) +
          ",\"mysql_queries\":" + std::to_string(h_.queries) +
          ",\"mysql_queries_unlogged\":" + std::to_string(h_.unlogged) +
          ",\"mysql_tagged\":" + std::to_string(h_.tagged) +
          ",\"mysql_protocol_errors\":" + std::to_string(h_.protocol_errors) +
          ",\"mysql_oversize\":" + std::to_string(h_.oversize);
  }

  bool Accepts(std::string_view user, std::string_view pass) const {
    for (const auto& [u, pw] : users_)
      if (u == user && pw == pass) return true;
    return false;
  }
  std::vector<Schema> Schemas() const {
    std::vector<Schema> out = {{"information_schema", {}},
                               {app_->name, app_->tables},
                               MysqlSystem(),
                               {"performance_schema", {}}};
    if (!mariadb_) out.push_back({"sys", {}});
    std::sort(out.begin(), out.end(),
              [](const Schema& a, const Schema& b) { return a.name < b.name; });
    return out;
  }

  decoy::Host& host_;
  std::string product_, version_, comment_, wire_version_, plugin_;
  bool mariadb_ = false;
  std::vector<std::pair<std::string, std::string>> users_;
  size_t max_packet_ = kDefaultMaxPacket;
  const Schema* app_ = nullptr;
  uint64_t conn_base_ = 8;
  Health h_;
  size_t live_ = 0;
};

class MysqlSession final : public decoy::Session {
 public:
  MysqlSession(Mysql& svc, decoy::Connection& conn)
      : svc_(svc), conn_(conn), reader_(kMaxLoginPacket) {
    ++svc_.live_;
    ++svc_.h_.sessions;
    thread_id_ = static_cast<uint32_t>((svc_.conn_base_ + conn.id()) & 0xFFFFFF);
    std::random_device rd;
    // generate_user_salt(): printable-ish bytes, never NUL or '$'.
    for (char& c : scramble_) {
      do c = static_cast<char>(1 + rd() % 127);
      while (c == '$');
    }
  }
  ~MysqlSession() override { --svc_.live_; }

  void OnOpen() override { Send(0, Greeting()); }

  void OnData(std::string_view bytes) override {
    if (closing_) return;
    total_in_ += bytes.size();
    if (total_in_ > kMaxConnectionBytes) {
      ++svc_.h_.oversize;
      Ev("limit").Add("reason", "connection_bytes").Emit();
      return Close();
    }
    reader_.Feed(bytes);
    while (!closing_) {
      auto pkt = reader_.Next();
      if (!pkt) break;
      Packet(pkt->first, pkt->second);
    }
    if (reader_.failed() && !closing_) {
      ++svc_.h_.oversize;
      Ev("limit").Add("reason", "packet_size").Emit();
      Err(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
      Close();
    }
  }

  void OnClose(decoy::CloseReason) override {
    if (state_ == State::kSwitch)
      Ev("auth_switch_refused")
          .Add("user", login_.user)
          .Add("plugin", "mysql_clear_password")
          .Emit();
  }

 private:
  enum class State : uint8_t { kLogin, kSwitch, kCommand, kDone };

  decoy::EventLog::Event Ev(std::string_view type) {
    return svc_.host_.log().New(kService, type).From(conn_);
  }
  void Close() {
    closing_ = true;
    conn_.Close();
  }
  void Send(uint8_t seq, std::string_view payload) {
    conn_.Write(Le(payload.size(), 3) + static_cast<char>(seq) + std::string(payload));
  }
  void Reply(std::string_view payload) { Send(seq_++, payload); }
  void Err(uint16_t code, std::string_view state, std::string_view msg) {
    errored_ = true;
    Reply("\xFF" + Le(code, 2) + "#" + std::string(state) + std::string(msg));
  }
  // SERVER_MORE_RESULTS_EXISTS while a multi-statement query has more to answer.
  uint16_t Status() const { return kAutocommit | (more_ ? 8 : 0); }
  void Ok(uint64_t affected = 0) {
    Reply(std::string(1, '\0') + Lenenc(affected) + Lenenc(0) + Le(Status(), 2) + Le(0, 2));
  }
  void Eof() { Reply("\xFE" + Le(0, 2) + Le(Status(), 2)); }
  std::string ProductName() const { return svc_.mariadb_ ? "MariaDB" : "MySQL"; }

  // protocol::HandshakeV10.
  std::string Greeting() const {
    const uint32_t caps = svc_.mariadb_ ? (kServerCaps & ~kLongPassword) : kServerCaps;
    std::string g = "\x0a" + svc_.wire_version_ + std::string(1, '\0') + Le(thread_id_, 4);
    g.append(scramble_.data(), 8);
    g.push_back('\0');
    g += Le(caps & 0xFFFF, 2);
    g.push_back(static_cast<char>(svc_.mariadb_ ? 45 : 255));  // utf8mb4_general_ci / _0900_ai_ci
    g += Le(kAutocommit, 2) + Le(caps >> 16, 2);
    g.push_back(21);
    g += std::string(10, '\0');  // MariaDB: 6 zero bytes and its extended capabilities (none)
    g.append(scramble_.data() + 8, 12);
    g.push_back('\0');
    return g + svc_.plugin_ + std::string(1, '\0');
  }

  void Packet(uint8_t seq, const std::string& p) {
    seq_ = static_cast<uint8_t>(seq + 1);
    switch (state_) {
      case State::kLogin:
        return Login(p);
      case State::kSwitch:
        return Cleartext(p);
      case State::kCommand:
        return Command(p);
      case State::kDone:
        return;
    }
  }

  void ProtocolError(std::string_view what, std::string_view bytes) {
    ++svc_.h_.protocol_errors;
    Ev("protocol_error").Add("error", what).Add("head_hex", HexOf(bytes.substr(0, 32))).Emit();
  }

  void Login(const std::string& p) {
    if (!mysql::ParseLogin(p, &login_)) {
      ProtocolError("bad_handshake", p);
      Err(1043, "08S01", "Bad handshake");
      return Close();
    }
    if (login_.ssl_request) {  // we never offered TLS: a real server without it drops the client
      Ev("tls_request").Emit();
      return Close();
    }
    ++svc_.h_.logins;
    LogLogin();
    const bool empty = login_.auth.empty();
    if (!empty && (login_.caps & kPluginAuth)) {
      // As a server whose account uses a PAM/LDAP plugin: ask for the password itself.
      state_ = State::kSwitch;
      return Reply("\xFE" + std::string("mysql_clear_password") + std::string(1, '\0') +
                   std::string(scramble_.data(), 20) + std::string(1, '\0'));
    }
    Finish(empty && svc_.Accepts(login_.user, ""), !empty);
  }

  void LogLogin() {
    auto ev = Ev("login");
    const std::string plugin = login_.plugin.empty() ? svc_.plugin_ : login_.plugin;
    const std::string salt(scramble_.data(), 20);
    if (login_.auth.empty()) {
      ev.Add("user", login_.user).Add("password", "NO");
    } else if (plugin == "mysql_native_password" && login_.auth.size() == 20) {
      // hashcat -m 11200 (MySQL CRAM (SHA1)).
      ev.Secret(login_.user, "$mysqlna$" + HexOf(salt) + "*" + HexOf(login_.auth), "hash")
          .Add("hash_format", "hashcat_11200");
    } else {
      // caching_sha2_password (XOR of SHA256 chains; no hashcat mode): salt and response in hex.
      ev.Secret(login_.user, HexOf(salt) + "*" + HexOf(login_.auth), "hash")
          .Add("hash_format", plugin);
    }
    ev.Add("plugin", plugin).Add("db", login_.db).Add("caps", std::to_string(login_.caps));
    std::string attrs;
    for (const auto& [k, v] : login_.attrs) {
      if (k == "program_name") ev.Add("program", v);
      if (k == "_client_version") ev.Add("client_version", v);
      if (k == "_client_name") ev.Add("client_name", v);
      if (!attrs.empty()) attrs += ',';
      attrs += k + "=" + v;
    }
    ev.Add("attrs", attrs).Emit();
  }

  void Cleartext(const std::string& p) {
    std::string pass = p;
    if (!pass.empty() && pass.back() == '\0') pass.pop_back();
    ++svc_.h_.cleartext;
    state_ = State::kDone;  // answered: not a refused switch
    const bool ok = svc_.Accepts(login_.user, pass);
    Ev("auth")
        .Secret(login_.user, pass, "plaintext")
        .Add("plugin", "mysql_clear_password")
        .Add("success", ok ? "true" : "false")
        .Emit();
    Finish(ok, true);
  }

  void Finish(bool ok, bool with_password) {
    if (!ok) {
      Err(1045, "28000",
          "Access denied for user '" + login_.user + "'@'" + conn_.remote().ip +
              "' (using password: " + (with_password ? "YES" : "NO") + ")");
      return Close();
    }
    ++svc_.h_.logins_ok;
    Ev("login_success").Add("user", login_.user).Emit();
    state_ = State::kCommand;
    reader_.set_max(svc_.max_packet_);
    if (!login_.db.empty()) {
      if (!FindSchema(login_.db)) {
        Err(1049, "42000", "Unknown database '" + login_.db + "'");
        return Close();
      }
      db_ = login_.db;
    }
    Ok();
  }

  // ---- Commands
  // ----------------------------------------------------------------------------------

  void Command(const std::string& p) {
    if (p.empty()) {
      ProtocolError("empty_command", p);
      return Err(1047, "08S01", "Unknown command");
    }
    const std::string_view arg = std::string_view(p).substr(1);
    switch (static_cast<unsigned char>(p[0])) {
      case 0x01:
        closing_ = true;
        return conn_.Close();  // COM_QUIT: no reply
      case 0x0e:
        return Ok();  // COM_PING
      case 0x02:
        return InitDb(std::string(arg), "init_db");
      case 0x03:
        return Queries(arg);
      case 0x04:
        return Eof();  // COM_FIELD_LIST: no columns
      case 0x09:
        return Reply(
            "Uptime: " + std::to_string(Uptime()) +
            "  Threads: 1  Questions: " + std::to_string(queries_) +
            "  Slow queries: 0  Opens: 33  Open tables: 26  Queries per second avg: 0.000");
      case 0x11: {  // COM_CHANGE_USER: a fresh login
        ProtocolError("change_user", p);
        return Err(1045, "28000",
                   "Access denied for user '" + login_.user + "'@'" + conn_.remote().ip +
                       "' (using password: YES)");
      }
      default:
        ProtocolError("unknown_command", p);
        return Err(1047, "08S01", "Unknown command");
    }
  }

  int64_t Uptime() const {
    return svc_.host_.persona().UptimeSeconds(svc_.host_.WallUs() / 1000000) - 40;
  }

  const Schema* FindSchema(std::string_view name) {
    schemas_ = svc_.Schemas();
    for (const Schema& s : schemas_)
      if (Lower(s.name) == Lower(name)) return &s;
    return nullptr;
  }

  void InitDb(std::string db, std::string_view via) {
    db = Unquote(Trim(db));
    LogQuery(std::string(via) + " " + db, "", db_);
    if (!FindSchema(db)) return Err(1049, "42000", "Unknown database '" + db + "'");
    db_ = db;
    Ok();
  }

  void LogQuery(std::string_view q, std::string_view tags, std::string_view db,
                bool executed = true) {
    ++svc_.h_.queries;
    if (!tags.empty()) ++svc_.h_.tagged;
    if (++queries_ > kMaxLoggedQueries) {
      ++svc_.h_.unlogged;
      return;
    }
    auto ev = Ev("query").Add("user", login_.user).Add("db", db).Add("query", q);
    if (!tags.empty()) ev.Add("tags", tags);
    if (!executed) ev.Add("executed", "false");
    ev.Emit();
  }

  static std::string Tags(const std::string& low) {
    std::string t;
    auto add = [&](std::string_view tag) { t += (t.empty() ? "" : ",") + std::string(tag); };
    if (low.rfind("drop", 0) == 0) add("drop");
    if (low.find("into outfile") != std::string::npos ||
        low.find("into dumpfile") != std::string::npos)
      add("outfile");
    if (low.find("load_file") != std::string::npos) add("load_file");
    if (low.rfind("create", 0) == 0 && low.find("function") != std::string::npos &&
        low.find("soname") != std::string::npos)
      add("udf");
    if (low.find("load data") != std::string::npos) add("load_data");
    return t;
  }

  // COM_QUERY. With CLIENT_MULTI_STATEMENTS the statements are split at top-level ';' (stacked
  // queries: each logged and tagged on its own) and answered in turn; the first error ends the
  // chain, as in mysqld.
  void Queries(std::string_view raw) {
    std::vector<std::string> stmts;
    if (login_.caps & kMultiStatements) {
      for (std::string& st : SplitTop(raw, ';', false)) {
        if (Trim(st).empty()) continue;
        if (stmts.size() < kMaxStatements) {
          stmts.push_back(std::move(st));
        } else {
          ++svc_.h_.unlogged;
        }
      }
    }
    if (stmts.empty()) stmts.emplace_back(raw);
    size_t i = 0;
    for (; i < stmts.size() && !closing_; ++i) {
      more_ = i + 1 < stmts.size();
      errored_ = false;
      Query(stmts[i]);
      if (errored_) break;
    }
    more_ = false;
    // What the error kept from running still tells what the attacker meant.
    for (++i; i < stmts.size(); ++i) {
      const std::string q = Trim(stmts[i]);
      LogQuery(q, Tags(Lower(q)), db_, false);
    }
  }

  void Query(std::string_view raw) {
    const std::string q = Trim(raw);
    const std::string low = Lower(q);
    const std::string tags = Tags(low);
    LogQuery(q, tags, db_);
    const std::vector<std::string> w = Words(low);
    if (w.empty()) return Err(1065, "42000", "Query was empty");
    const std::string& verb = w[0];
    if (tags.find("udf") != std::string::npos) {
      const size_t at = low.find("soname");
      return Err(1126, "HY000",
                 "Can't open shared library '" + Unquote(Trim(q.substr(at + 6))) +
                     "' (errno: 2, cannot open shared object file: No such file or directory)");
    }
    if (tags.find("outfile") != std::string::npos || tags.find("load_data") != std::string::npos)
      return Err(1290, "HY000",
                 "The " + ProductName() +
                     " server is running with the --secure-file-priv option so it cannot execute "
                     "this statement");
    if (verb == "use" && w.size() >= 2) return InitDb(q.substr(3), "use");
    if (verb == "set" || verb == "begin" || verb == "commit" || verb == "rollback" ||
        verb == "start" || verb == "flush" || verb == "lock" || verb == "unlock")
      return Ok();
    if (verb == "insert" || verb == "update" || verb == "delete" || verb == "replace") return Ok(1);
    if (verb == "drop" || verb == "create" || verb == "alter" || verb == "grant" ||
        verb == "truncate")
      return Ok();
    if (verb == "show") return Show(w, q);
    if (verb == "select") return Select(q, low);
    return Syntax(q);
  }

  void Syntax(std::string_view q) {
    Err(1064, "42000",
        "You have an error in your SQL syntax; check the manual that corresponds to your " +
            ProductName() + " server version for the right syntax to use near '" +
            std::string(q.substr(0, 80)) + "' at line 1");
  }

  void Show(const std::vector<std::string>& w, const std::string& q) {
    ResultSet rs;
    if (w.size() >= 2 && (w[1] == "databases" || w[1] == "schemas")) {
      rs.cols = {{"Database"}};
      for (const Schema& s : svc_.Schemas()) rs.rows.push_back({std::string(s.name)});
      return SendRows(rs, "SCHEMATA");
    }
    if (w.size() >= 2 &&
        (w[1] == "tables" || (w[1] == "full" && w.size() >= 3 && w[2] == "tables"))) {
      std::string db = db_;
      for (size_t i = 1; i + 1 < w.size(); ++i)
        if (w[i] == "from" || w[i] == "in") db = Unquote(Words(q)[i + 1]);
      if (db.empty()) return Err(1046, "3D000", "No database selected");
      const Schema* s = FindSchema(db);
      if (!s) return Err(1049, "42000", "Unknown database '" + db + "'");
      rs.cols = {{"Tables_in_" + std::string(s->name)}};
      for (const Table& t : s->tables) rs.rows.push_back({std::string(t.name)});
      return SendRows(rs, "TABLES");
    }
    if (w.size() >= 2 && w[1] == "grants") {
      rs.cols = {{"Grants for " + login_.user + "@%"}};
      rs.rows.push_back(
          {"GRANT ALL PRIVILEGES ON *.* TO `" + login_.user + "`@`%` WITH GRANT OPTION"});
      return SendRows(rs, "");
    }
    if (w.size() >= 2 &&
        (w[1] == "variables" || w[1] == "status" || w[1] == "warnings" || w[1] == "processlist" ||
         w[1] == "engines" || w[1] == "session" || w[1] == "global")) {
      rs.cols = {{"Variable_name"}, {"Value"}};
      if (q.find("version") != std::string::npos || w.size() == 2) {
        rs.rows.push_back({"version", svc_.version_});
        rs.rows.push_back({"version_comment", svc_.comment_});
      }
      return SendRows(rs, "");
    }
    Syntax(q.substr(std::min<size_t>(q.size(), 5)));
  }

  // A select-list item without FROM: a system variable or one of the usual functions.
  std::optional<std::optional<std::string>> Value(std::string e) {
    e = Lower(Trim(e));
    if (e.rfind("@@session.", 0) == 0) e = "@@" + e.substr(10);
    if (e.rfind("@@global.", 0) == 0) e = "@@" + e.substr(9);
    const std::string ident = login_.user + "@" + conn_.remote().ip;
    if (e == "@@version" || e == "version()") return svc_.version_;
    if (e == "@@version_comment") return svc_.comment_;
    if (e == "database()" || e == "schema()")
      return db_.empty() ? std::optional<std::string>() : db_;
    if (e == "user()" || e == "session_user()" || e == "system_user()") return ident;
    if (e == "current_user()" || e == "current_user") return login_.user + "@%";
    if (e == "connection_id()") return std::to_string(thread_id_);
    if (e == "@@hostname") return svc_.host_.persona().hostname();
    if (e == "@@port") return std::string("3306");
    if (e == "@@datadir") return std::string("/var/lib/mysql/");
    if (e == "@@basedir") return std::string("/usr/");
    if (e == "@@version_compile_os") return std::string("Linux");
    if (e == "@@version_compile_machine") return std::string("x86_64");
    if (e == "@@secure_file_priv") return std::string(svc_.mariadb_ ? "" : "/var/lib/mysql-files/");
    if (e == "@@max_allowed_packet") return std::to_string(svc_.mariadb_ ? 16777216 : 67108864);
    if (e == "@@autocommit") return std::string("1");
    if (e == "@@plugin_dir")
      return std::string(svc_.mariadb_ ? "/usr/lib/mysql/plugin/" : "/usr/lib/mysql/plugin/");
    if (e == "@@character_set_client" || e == "@@character_set_server")
      return std::string("utf8mb4");
    if (e == "now()" || e == "current_timestamp()" || e == "sysdate()") {
      const int64_t t = svc_.host_.WallUs() / 1000000;
      std::tm tm{};
      const time_t tt = static_cast<time_t>(t);
      gmtime_r(&tt, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
      return std::string(buf);
    }
    if (e.rfind("load_file(", 0) == 0)
      return std::optional<std::string>();  // secure_file_priv: NULL
    if (!e.empty() && std::all_of(e.begin(), e.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      return e;
    if (e.size() >= 2 && (e[0] == '\'' || e[0] == '"') && e.back() == e[0])
      return e.substr(1, e.size() - 2);
    return std::nullopt;
  }

  static std::vector<std::string> Items(std::string_view s) { return SplitTop(s, ',', true); }

  // Splits at `sep` outside quotes (and, if `parens`, outside parentheses).
  static std::vector<std::string> SplitTop(std::string_view s, char sep, bool parens) {
    std::vector<std::string> out;
    int depth = 0;
    char q = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (q) {
        if (c == q) q = 0;
        continue;
      }
      if (c == '\'' || c == '"' || c == '`')
        q = c;
      else if (parens && c == '(')
        ++depth;
      else if (parens && c == ')')
        --depth;
      else if (c == sep && depth == 0) {
        out.emplace_back(s.substr(start, i - start));
        start = i + 1;
      }
    }
    out.emplace_back(s.substr(start));
    return out;
  }

  void Select(const std::string& q, const std::string& low) {
    const size_t from = low.find(" from ");
    size_t limit = kMaxRows;
    const size_t lim = low.rfind(" limit ");
    const size_t end =
        from != std::string::npos ? from : (lim != std::string::npos ? lim : q.size());
    if (q.size() < 7 || end < 7) return Syntax(q);
    std::string body = q.substr(7, end - 7);
    if (lim != std::string::npos)
      limit = std::min<size_t>(kMaxRows, std::strtoull(low.c_str() + lim + 7, nullptr, 10));
    if (from == std::string::npos) return SelectValues(body, limit);
    // FROM [db.]table [WHERE a = b AND ...] [LIMIT n]: equalities filter, other conditions are
    // true.
    const std::vector<std::string> after = Words(q.substr(from + 6));
    if (after.empty()) return Syntax(q.substr(from + 1));
    std::string name = after[0], db = db_;
    const size_t dot = name.find('.');
    if (dot != std::string::npos) {
      db = Unquote(name.substr(0, dot));
      name = name.substr(dot + 1);
    }
    name = Unquote(name);
    if (db.empty()) return Err(1046, "3D000", "No database selected");
    const Table* t = Lower(db) == "information_schema" ? Virtual(Lower(name)) : nullptr;
    if (const Schema* s = t ? nullptr : FindSchema(db))
      for (const Table& x : s->tables)
        if (Lower(x.name) == Lower(name)) t = &x;
    if (!t) return Err(1146, "42S02", "Table '" + db + "." + name + "' doesn't exist");
    std::string where;
    if (const size_t w = low.find(" where ", from); w != std::string::npos)
      where = q.substr(w + 7, (lim != std::string::npos && lim > w ? lim : q.size()) - w - 7);
    for (std::string_view cut : {" order by ", " group by "})
      if (const size_t c = Lower(where).find(cut); c != std::string::npos) where.resize(c);
    SelectTable(*t, Trim(body), Trim(where), limit);
  }

  // information_schema.schemata / tables / columns, made from the fake schema.
  const Table* Virtual(const std::string& name) {
    virt_rows_.clear();
    for (const Schema& s : svc_.Schemas()) {
      if (name == "schemata") virt_rows_ += "def\t" + std::string(s.name) + "\tutf8mb4\n";
      for (const Table& t : s.tables) {
        if (name == "tables")
          virt_rows_ += std::string(s.name) + "\t" + std::string(t.name) +
                        "\tBASE TABLE\tInnoDB\t" + std::to_string(Split(t.rows, '\n').size()) +
                        "\n";
        if (name == "columns")
          for (const std::string& c : Split(t.columns, ','))
            virt_rows_ += std::string(s.name) + "\t" + std::string(t.name) + "\t" + c + "\n";
      }
    }
    if (!virt_rows_.empty()) virt_rows_.pop_back();
    static const Table kSchemata{"SCHEMATA", "CATALOG_NAME,SCHEMA_NAME,DEFAULT_CHARACTER_SET_NAME",
                                 ""};
    static const Table kTables{"TABLES", "TABLE_SCHEMA,TABLE_NAME,TABLE_TYPE,ENGINE,TABLE_ROWS",
                               ""};
    static const Table kColumns{"COLUMNS", "TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME", ""};
    const Table* shape = name == "schemata"  ? &kSchemata
                         : name == "tables"  ? &kTables
                         : name == "columns" ? &kColumns
                                             : nullptr;
    if (!shape) return nullptr;
    virt_ = {shape->name, shape->columns, virt_rows_};
    return &virt_;
  }

  void SelectValues(const std::string& body, size_t limit) {
    ResultSet rs;
    std::vector<std::optional<std::string>> row;
    for (const std::string& item : Items(body)) {
      std::string expr = Trim(item), label = expr;
      const std::string l = Lower(expr);
      const size_t as = l.rfind(" as ");
      if (as != std::string::npos) {
        label = Unquote(Trim(expr.substr(as + 4)));
        expr = expr.substr(0, as);
      }
      auto v = Value(expr);
      if (!v) {
        if (l.find('(') != std::string::npos && l[0] != '@')
          return Err(1305, "42000",
                     "FUNCTION " + Lower(expr.substr(0, expr.find('('))) + " does not exist");
        return Err(1054, "42S22", "Unknown column '" + expr + "' in 'field list'");
      }
      rs.cols.push_back({label});
      row.push_back(*v);
    }
    if (limit > 0) rs.rows.push_back(std::move(row));
    SendRows(rs, "");
  }

  // The equalities of a WHERE clause as (column index, value); false (and the error sent) for an
  // unknown column. Anything else (1=1, LIKE, OR, ...) filters nothing.
  bool Filters(const std::vector<std::string>& all, const std::string& where,
               std::vector<std::pair<size_t, std::string>>* out) {
    std::string rest = where;
    while (!rest.empty()) {
      const size_t a = Lower(rest).find(" and ");
      const std::string cond = rest.substr(0, a);
      rest = a == std::string::npos ? "" : rest.substr(a + 5);
      const size_t eq = cond.find('=');
      if (eq == std::string::npos || eq == 0 || cond.find_first_of("<>!") != std::string::npos)
        continue;
      const std::string col = Unquote(Trim(cond.substr(0, eq)));
      if (col.empty() || !std::isalpha(static_cast<unsigned char>(col[0]))) continue;
      auto it = std::find_if(all.begin(), all.end(),
                             [&](const std::string& x) { return Lower(x) == Lower(col); });
      if (it == all.end()) {
        Err(1054, "42S22", "Unknown column '" + col + "' in 'where clause'");
        return false;
      }
      out->emplace_back(static_cast<size_t>(it - all.begin()), Unquote(Trim(cond.substr(eq + 1))));
    }
    return true;
  }

  void SelectTable(const Table& t, const std::string& body, const std::string& where,
                   size_t limit) {
    const std::vector<std::string> all = Split(t.columns, ',');
    std::vector<std::pair<size_t, std::string>> filters;
    if (!Filters(all, where, &filters)) return;
    std::vector<std::vector<std::string>> matched;
    for (const std::string& line : Split(t.rows, '\n')) {
      std::vector<std::string> vals = Split(line, '\t');
      if (line.empty()) continue;
      bool ok = true;
      for (const auto& [i, v] : filters) ok = ok && i < vals.size() && Lower(vals[i]) == Lower(v);
      if (ok) matched.push_back(std::move(vals));
    }
    std::vector<size_t> pick;
    ResultSet rs;
    if (Lower(body) == "count(*)") {
      rs.cols = {{"count(*)", true}};
      rs.rows.push_back({std::to_string(matched.size())});
      return SendRows(rs, t.name);
    }
    for (const std::string& item : Items(body)) {
      const std::string c = Unquote(Trim(item));
      if (c == "*") {
        for (size_t i = 0; i < all.size(); ++i) pick.push_back(i);
        continue;
      }
      auto it = std::find_if(all.begin(), all.end(),
                             [&](const std::string& a) { return Lower(a) == Lower(c); });
      if (it == all.end()) return Err(1054, "42S22", "Unknown column '" + c + "' in 'field list'");
      pick.push_back(static_cast<size_t>(it - all.begin()));
    }
    for (size_t i : pick) rs.cols.push_back({all[i]});
    for (const std::vector<std::string>& vals : matched) {
      if (rs.rows.size() >= limit) break;
      std::vector<std::optional<std::string>> row;
      for (size_t i : pick) row.emplace_back(i < vals.size() ? vals[i] : std::string());
      rs.rows.push_back(std::move(row));
    }
    SendRows(rs, t.name);
  }

  // A text resultset: column count, ColumnDefinition41 each, EOF, rows, EOF.
  void SendRows(const ResultSet& rs, std::string_view table) {
    Reply(Lenenc(rs.cols.size()));
    for (const Column& c : rs.cols) {
      std::string d = LenencStr("def") + LenencStr(table.empty() ? "" : db_) + LenencStr(table) +
                      LenencStr(table) + LenencStr(c.name) + LenencStr(c.name);
      d.push_back(0x0c);
      d += Le(svc_.mariadb_ ? 45 : 255, 2) + Le(c.numeric ? 21 : 1024, 4);
      d.push_back(static_cast<char>(c.numeric ? 0x08 : 0xFD));  // LONGLONG / VAR_STRING
      d += Le(0, 2);
      d.push_back(0);
      d += Le(0, 2);
      Reply(d);
    }
    Eof();
    for (const auto& row : rs.rows) {
      std::string r;
      for (const auto& v : row) r += v ? LenencStr(*v) : std::string("\xFB");
      Reply(r);
    }
    Eof();
  }

  Mysql& svc_;
  decoy::Connection& conn_;
  mysql::PacketReader reader_;
  State state_ = State::kLogin;
  bool closing_ = false;
  bool more_ = false;     // answering a statement of a multi-statement query that has more after it
  bool errored_ = false;  // the current statement was answered with an error
  uint8_t seq_ = 0;
  uint32_t thread_id_ = 0;
  size_t total_in_ = 0;
  size_t queries_ = 0;
  std::array<char, 20> scramble_{};
  LoginRequest login_;
  std::string db_;
  std::vector<Schema> schemas_;
  std::string
      virt_rows_;  // information_schema rows of the current statement (bounded by the schema)
  Table virt_;
};

std::unique_ptr<decoy::Session> Mysql::NewSession(decoy::Connection& conn) {
  return std::make_unique<MysqlSession>(*this, conn);
}

}  // namespace

std::unique_ptr<decoy::Service> MakeMysql(decoy::Host& host) {
  return std::make_unique<Mysql>(host);
}

}  // namespace decnet::services::db
