// The mssql service: TDS messages, PRELOGIN, LOGIN7 (and the TDS 4.2 login hydra sends) with the
// password capture, and a handful of batches a scanner or an operator runs first. See mssql.h.
#include "decnet/services/db/mssql.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include "decnet/decoy/persona.h"

namespace decnet::services::db {
namespace mssql {

namespace {
uint32_t Le32(std::string_view p, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(p[at + i])) << (8 * i);
  return v;
}
uint16_t Le16(std::string_view p, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[at]) |
                               (static_cast<unsigned char>(p[at + 1]) << 8));
}
void PutUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}
void PutUnit(uint16_t u, std::string* out) {
  out->push_back(static_cast<char>(u & 0xFF));
  out->push_back(static_cast<char>(u >> 8));
}
}  // namespace

std::optional<Message> MessageReader::Next() {
  while (!failed_ && buf_.size() >= kHeader) {
    const auto* b = reinterpret_cast<const unsigned char*>(buf_.data());
    const size_t len = (size_t(b[2]) << 8) | b[3];
    if (len < kHeader || len > kMaxPacket) {
      failed_ = true;
      break;
    }
    if (buf_.size() < len) return std::nullopt;
    if (!in_message_) partial_ = Message{b[0], {}};
    in_message_ = true;
    const bool eom = (b[1] & 0x01) != 0;
    if (partial_.body.size() + len - kHeader > max_) {
      failed_ = true;
      break;
    }
    partial_.body.append(buf_, kHeader, len - kHeader);
    buf_.erase(0, len);
    if (eom) {
      in_message_ = false;
      return std::move(partial_);
    }
  }
  if (failed_) buf_.clear();
  return std::nullopt;
}

std::string Utf16ToUtf8(std::string_view u16, bool* lossy) {
  std::string out;
  const size_t n = u16.size() / 2;
  if (u16.size() % 2) *lossy = true;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t u = Le16(u16, 2 * i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
      const uint32_t lo = Le16(u16, 2 * (i + 1));
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        PutUtf8(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), &out);
        ++i;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      *lossy = true;
      PutUtf8(0xFFFD, &out);
      continue;
    }
    PutUtf8(u, &out);
  }
  if (u16.size() % 2) PutUtf8(0xFFFD, &out);
  return out;
}

std::string Utf8ToUtf16(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      ok = (d & 0xC0) == 0x80;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      cp = 0xFFFD;
      len = 1;
    }
    if (cp >= 0x10000) {
      PutUnit(static_cast<uint16_t>(0xD800 + ((cp - 0x10000) >> 10)), &out);
      PutUnit(static_cast<uint16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)), &out);
    } else {
      PutUnit(static_cast<uint16_t>(cp), &out);
    }
    i += len;
  }
  return out;
}

std::string Deobfuscate(std::string_view obf) {
  std::string out(obf);
  for (char& c : out) {
    const auto b = static_cast<unsigned char>(c) ^ 0xA5;
    c = static_cast<char>(((b << 4) | (b >> 4)) & 0xFF);
  }
  return out;
}

bool ParseLogin7(std::string_view m, Login* out) {
  constexpr size_t kFixed = 86;  // through ChangePassword's pair is 94; TDS 7.0 stops at 86
  if (m.size() < kFixed) return false;
  const uint32_t declared = Le32(m, 0);
  if (declared > m.size() || declared < kFixed) return false;
  m = m.substr(0, declared);
  out->tds_version = Le32(m, 4);
  out->packet_size = Le32(m, 8);
  out->client_pid = Le32(m, 16);
  // Each field: offset and length in UTF-16 units, both from the start of LOGIN7.
  auto field = [&](size_t at, std::string* raw) {
    const size_t off = Le16(m, at), chars = Le16(m, at + 2);
    if (chars == 0) return true;
    if (off > m.size() || chars * 2 > m.size() - off) return false;
    *raw = std::string(m.substr(off, chars * 2));
    return true;
  };
  std::string host, user, pass, app, server, lib, lang, db;
  if (!field(36, &host) || !field(40, &user) || !field(44, &pass) || !field(48, &app) ||
      !field(52, &server) || !field(60, &lib) || !field(64, &lang) || !field(68, &db))
    return false;
  bool lossy = false;
  out->host = Utf16ToUtf8(host, &lossy);
  out->user = Utf16ToUtf8(user, &lossy);
  out->app = Utf16ToUtf8(app, &lossy);
  out->server = Utf16ToUtf8(server, &lossy);
  out->library = Utf16ToUtf8(lib, &lossy);
  out->language = Utf16ToUtf8(lang, &lossy);
  out->database = Utf16ToUtf8(db, &lossy);
  out->password_raw = Deobfuscate(pass);
  out->password = Utf16ToUtf8(out->password_raw, &out->password_lossy);
  return true;
}

bool ParseLogin42(std::string_view m, Login* out) {
  // host[30] len, user[30] len, password[30] len, hostproc[30] len, ...: cleartext, 8-bit.
  constexpr size_t kMin = 93;
  if (m.size() < kMin) return false;
  auto field = [&](size_t at) {
    const size_t n = std::min<size_t>(static_cast<unsigned char>(m[at + 30]), 30);
    return std::string(m.substr(at, n));
  };
  out->tds_version = 0x42000000;
  out->host = field(0);
  out->user = field(31);
  out->password = out->password_raw = field(62);
  if (m.size() >= 124) out->client_pid = 0;
  return true;
}

}  // namespace mssql

namespace {

using mssql::Login;

constexpr std::string_view kService = "mssql";
constexpr size_t kMaxLogin = 16 << 10;
constexpr size_t kMaxBatch = 1 << 20;
constexpr size_t kMaxConnectionBytes = 8 << 20;
constexpr size_t kMaxLoggedQueries = 10000;
constexpr uint32_t kTds72 = 0x72090002, kTds74 = 0x74000004;
constexpr uint8_t kTabular = 0x04, kPrelogin = 0x12, kLogin7 = 0x10, kLogin42 = 0x02,
                  kSqlBatch = 0x01, kAttention = 0x06;

struct Release {
  std::string_view key, build, level, date, windows, linux_os;
};
// @@VERSION of each release's RTM build as SQL Server prints it (Developer Edition).
constexpr Release kReleases[] = {
    {"2017", "14.0.1000.169", "RTM", "Aug 22 2017 17:04:49",
     "Windows Server 2016 Datacenter 10.0 <X64> (Build 14393: ) (Hypervisor)",
     "Linux (Ubuntu 16.04.3 LTS)"},
    {"2019", "15.0.2000.5", "RTM", "Sep 24 2019 13:48:23",
     "Windows Server 2019 Datacenter 10.0 <X64> (Build 17763: ) (Hypervisor)",
     "Linux (Ubuntu 18.04.3 LTS) <X64>"},
    {"2022", "16.0.1000.6", "RTM", "Oct  8 2022 05:58:25",
     "Windows Server 2022 Datacenter 10.0 <X64> (Build 20348: ) (Hypervisor)",
     "Linux (Ubuntu 20.04.5 LTS) <X64>"},
};

struct Health {
  uint64_t sessions = 0, prelogins = 0, logins = 0, logins_ok = 0, queries = 0, unlogged = 0,
           cmdshell = 0, protocol_errors = 0, oversize = 0;
};

std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}
std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && (std::isspace(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == ';')) --b;
  return std::string(s.substr(a, b - a));
}
// The client's TDS version as [MS-TDS] writes it ("0x74000004"; 0x42000000 for a 4.2 login).
std::string TdsName(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}
uint32_t Le32Of(std::string_view p) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string o;
  for (unsigned char c : s) o += {d[c >> 4], d[c & 15]};
  return o;
}
std::string U16(uint16_t v) { return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}; }
std::string U32(uint32_t v) { return U16(v & 0xFFFF) + U16(v >> 16); }
std::string BVarchar(std::string_view utf8) {
  std::string u = mssql::Utf8ToUtf16(utf8).substr(0, 510);
  return std::string(1, static_cast<char>(u.size() / 2)) + u;
}
std::string UsVarchar(std::string_view utf8) {
  std::string u = mssql::Utf8ToUtf16(utf8).substr(0, 8000);
  return U16(static_cast<uint16_t>(u.size() / 2)) + u;
}
// Latin1_General / SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, CI/AS flags, sort id 52.
const std::string kCollation("\x09\x04\xD0\x00\x34", 5);

class Mssql final : public decoy::Service {
 public:
  explicit Mssql(decoy::Host& host) : host_(host) {
    const decoy::Persona& p = host.persona();
    const std::string v = p.Setting(kService, "version", "2019");
    rel_ = &kReleases[1];
    for (const Release& r : kReleases)
      if (v == r.key || v == r.build) rel_ = &r;
    build_ = v.find('.') != std::string::npos ? v : std::string(rel_->build);
    linux_ = p.Setting(kService, "os", "windows") == "linux";
    instance_ = p.Setting(kService, "instance", "");
    std::string hn = p.hostname().substr(0, p.hostname().find('.'));
    for (char& c : hn) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    machine_ = hn.empty() ? "SQL01" : hn;
    const std::string users = p.Setting(kService, "users", "");
    for (size_t at = 0; at <= users.size();) {
      size_t comma = users.find(',', at);
      if (comma == std::string::npos) comma = users.size();
      const std::string pair = users.substr(at, comma - at);
      const size_t colon = pair.find(':');
      if (colon != std::string::npos)
        users_.emplace_back(pair.substr(0, colon), pair.substr(colon + 1));
      at = comma + 1;
    }
    app_db_ = p.Hash(kService, "app") % 2 ? "CRM" : "Inventory";
  }
  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(decoy::Connection& conn) override;
  void AddHealth(std::string* j) const override {
    *j += ",\"mssql_sessions\":" + std::to_string(live_) +
          ",\"mssql_prelogins\":" + std::to_string(h_.prelogins) +
          ",\"mssql_logins\":" + std::to_string(h_.logins) +
          ",\"mssql_logins_ok\":" + std::to_string(h_.logins_ok) +
          ",\"mssql_queries\":" + std::to_string(h_.queries) +
          ",\"mssql_queries_unlogged\":" + std::to_string(h_.unlogged) +
          ",\"mssql_cmdshell\":" + std::to_string(h_.cmdshell) +
          ",\"mssql_protocol_errors\":" + std::to_string(h_.protocol_errors) +
          ",\"mssql_oversize\":" + std::to_string(h_.oversize);
  }
  bool Accepts(std::string_view user, std::string_view pass) const {
    for (const auto& [u, pw] : users_)
      if (u == user && pw == pass) return true;
    return false;
  }
  // The 4 version bytes of PRELOGIN and LOGINACK: major, minor, build (big-endian).
  std::array<uint8_t, 4> VersionBytes() const {
    unsigned major = 0, minor = 0, build = 0;
    std::sscanf(build_.c_str(), "%u.%u.%u", &major, &minor, &build);
    return {static_cast<uint8_t>(major), static_cast<uint8_t>(minor),
            static_cast<uint8_t>(build >> 8), static_cast<uint8_t>(build & 0xFF)};
  }
  std::string ServerName() const {
    return instance_.empty() ? machine_ : machine_ + "\\" + instance_;
  }
  std::string Version() const {
    const std::string year(rel_->key);
    return "Microsoft SQL Server " + year + " (" + std::string(rel_->level) + ") - " + build_ +
           " (X64) \n\t" + std::string(rel_->date) + " \n\tCopyright (C) " + year +
           " Microsoft Corporation\n\tDeveloper Edition (64-bit) on " +
           std::string(linux_ ? rel_->linux_os : rel_->windows) + "\n";
  }

  decoy::Host& host_;
  const Release* rel_ = nullptr;
  std::string build_, instance_, machine_, app_db_;
  bool linux_ = false;
  std::vector<std::pair<std::string, std::string>> users_;
  Health h_;
  size_t live_ = 0;
};

// One result column (NVARCHAR(4000)) and its rows; a nullopt cell is NULL.
struct Result {
  std::vector<std::string> cols;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class MssqlSession final : public decoy::Session {
 public:
  MssqlSession(Mssql& svc, decoy::Connection& conn) : svc_(svc), conn_(conn), reader_(kMaxLogin) {
    ++svc_.live_;
    ++svc_.h_.sessions;
    spid_ = static_cast<uint16_t>(51 + conn.id() % 200);
  }
  ~MssqlSession() override { --svc_.live_; }

  void OnData(std::string_view bytes) override {
    if (closing_) return;
    total_in_ += bytes.size();
    if (total_in_ > kMaxConnectionBytes) return Limit("connection_bytes");
    reader_.Feed(bytes);
    while (!closing_) {
      auto m = reader_.Next();
      if (!m) break;
      Dispatch(*m);
    }
    if (reader_.failed() && !closing_) Limit("packet_length");
  }

 private:
  enum class State : uint8_t { kLogin, kBatch };

  decoy::EventLog::Event Ev(std::string_view type) {
    return svc_.host_.log().New(kService, type).From(conn_);
  }
  void Close() {
    closing_ = true;
    conn_.Close();
  }
  void Limit(std::string_view why) {
    ++svc_.h_.oversize;
    Ev("limit").Add("reason", why).Emit();
    Close();
  }
  void ProtocolError(std::string_view what, std::string_view body) {
    ++svc_.h_.protocol_errors;
    Ev("protocol_error").Add("error", what).Add("head_hex", Hex(body.substr(0, 32))).Emit();
    Close();
  }
  bool Modern() const { return tds_ >= kTds72; }

  // A tabular-result message, cut into packets of the negotiated size.
  void Send(std::string_view tokens) {
    const size_t room = packet_size_ - mssql::kHeader;
    size_t at = 0;
    do {
      const size_t n = std::min(room, tokens.size() - at);
      const bool last = at + n == tokens.size();
      std::string h(1, static_cast<char>(kTabular));
      h.push_back(last ? 0x01 : 0x00);
      const size_t len = n + mssql::kHeader;
      h += {static_cast<char>(len >> 8),     static_cast<char>(len & 0xFF),
            static_cast<char>(spid_ >> 8),   static_cast<char>(spid_ & 0xFF),
            static_cast<char>(++packet_id_), 0};
      conn_.Write(h + std::string(tokens.substr(at, n)));
      at += n;
    } while (at < tokens.size());
  }
  // ERROR (0xAA) or INFO (0xAB) as the server builds it: its name as ServerName, no proc, line 1.
  std::string Message(uint8_t token, uint32_t number, uint8_t state, uint8_t cls,
                      std::string_view text, std::string_view proc = "") {
    std::string b = U32(number) + static_cast<char>(state) + static_cast<char>(cls) +
                    UsVarchar(text) + BVarchar(svc_.ServerName()) + BVarchar(proc) +
                    (Modern() ? U32(1) : U16(1));
    return std::string(1, static_cast<char>(token)) + U16(static_cast<uint16_t>(b.size())) + b;
  }
  std::string Done(uint16_t status, uint16_t cmd, uint64_t rows) {
    std::string d = "\xFD" + U16(status) + U16(cmd) + U32(rows & 0xFFFFFFFF);
    if (Modern()) d += U32(0);
    return d;
  }
  std::string EnvChange(uint8_t type, std::string_view now, std::string_view before) {
    std::string b = static_cast<char>(type) + BVarchar(now) + BVarchar(before);
    return "\xE3" + U16(static_cast<uint16_t>(b.size())) + b;
  }

  void Dispatch(const mssql::Message& m) {
    if (m.type == kAttention) return Send(Done(0x0020, 0, 0));  // DONE_ATTN
    if (state_ == State::kLogin) {
      if (m.type == kPrelogin) return Prelogin(m.body);
      if (m.type == kLogin7 || m.type == kLogin42) return LoginMsg(m.type, m.body);
      return ProtocolError("unexpected_before_login", m.body);
    }
    if (m.type == kSqlBatch) return Batch(m.body);
    ProtocolError("unsupported_message", m.body);
  }

  // ---- PRELOGIN ------------------------------------------------------------------------------

  void Prelogin(std::string_view b) {
    ++svc_.h_.prelogins;
    auto ev = Ev("prelogin");
    // Options: token, offset (BE), length (BE) until 0xFF; each value must lie inside the body.
    for (size_t at = 0; at + 5 <= b.size() && static_cast<unsigned char>(b[at]) != 0xFF; at += 5) {
      const auto tok = static_cast<unsigned char>(b[at]);
      const size_t off = (size_t(static_cast<unsigned char>(b[at + 1])) << 8) |
                         static_cast<unsigned char>(b[at + 2]);
      const size_t len = (size_t(static_cast<unsigned char>(b[at + 3])) << 8) |
                         static_cast<unsigned char>(b[at + 4]);
      if (off > b.size() || len > b.size() - off) break;
      const std::string_view v = b.substr(off, len);
      if (tok == 0 && len >= 6)
        ev.Add("client_version", std::to_string(static_cast<unsigned char>(v[0])) + "." +
                                     std::to_string(static_cast<unsigned char>(v[1])) + "." +
                                     std::to_string((static_cast<unsigned char>(v[2]) << 8) |
                                                    static_cast<unsigned char>(v[3])));
      if (tok == 1 && len >= 1) ev.Add("encryption", static_cast<unsigned char>(v[0]));
      if (tok == 2) ev.Add("instance", std::string(v.substr(0, v.find('\0'))));
    }
    ev.Emit();
    // VERSION, ENCRYPTION (NOT_SUP), INSTOPT, THREADID (empty), terminator: SQL Server's layout.
    const auto vb = svc_.VersionBytes();
    std::string opts(
        "\x00\x00\x15\x00\x06\x01\x00\x1b\x00\x01\x02\x00\x1c\x00\x01\x03\x00\x1d\x00\x00\xff", 21);
    opts += {static_cast<char>(vb[0]),
             static_cast<char>(vb[1]),
             static_cast<char>(vb[2]),
             static_cast<char>(vb[3]),
             0,
             0};
    opts += std::string("\x02\x00", 2);  // ENCRYPT_NOT_SUP, INSTOPT "" (matched)
    std::string h("\x04\x01\x00\x25\x00\x00\x01\x00", 8);
    conn_.Write(h + opts);
  }

  // ---- LOGIN ---------------------------------------------------------------------------------

  void LoginMsg(uint8_t type, std::string_view body) {
    Login l;
    const bool ok = type == kLogin7 ? mssql::ParseLogin7(body, &l) : mssql::ParseLogin42(body, &l);
    if (!ok) return ProtocolError("bad_login", body);
    ++svc_.h_.logins;
    if (l.tds_version >= 0x70000000 && l.tds_version <= kTds74)
      tds_ = l.tds_version;
    else if (l.tds_version > kTds74)
      tds_ = kTds74;
    else
      tds_ = 0x70000000;  // TDS 4.2: answered with the 7.0 token widths (2-byte line, 4-byte count)
    user_ = l.user;
    const bool accepted = svc_.Accepts(l.user, l.password);
    auto ev = Ev("auth");
    ev.Secret(l.user, l.password, "plaintext")
        .Add("success", accepted ? "true" : "false")
        .Add("hostname", l.host)
        .Add("app", l.app)
        .Add("server", l.server)
        .Add("library", l.library)
        .Add("database", l.database)
        .Add("client_pid", static_cast<int64_t>(l.client_pid))
        .Add("tds_version", TdsName(l.tds_version));
    if (l.password_lossy) ev.Add("password_utf16_hex", Hex(l.password_raw));
    ev.Emit();
    if (!accepted) {
      Send(Message(0xAA, 18456, 1, 14, "Login failed for user '" + l.user + "'.") +
           Done(0x0002, 0, 0));
      return Close();
    }
    ++svc_.h_.logins_ok;
    state_ = State::kBatch;
    reader_.set_max(kMaxBatch);
    if (l.packet_size >= 512 && l.packet_size <= mssql::kMaxPacket) packet_size_ = l.packet_size;
    Send(LoginAck());
  }

  std::string LoginAck() {
    std::string t = EnvChange(1, "master", "master") +
                    Message(0xAB, 5701, 2, 0, "Changed database context to 'master'.");
    if (Modern()) {
      std::string c = "\x07" + std::string(1, 5) + kCollation + std::string(1, 0);
      t += "\xE3" + U16(static_cast<uint16_t>(c.size())) + c;
    }
    t += EnvChange(2, "us_english", "") +
         Message(0xAB, 5703, 1, 0, "Changed language setting to us_english.");
    const auto vb = svc_.VersionBytes();
    const uint32_t v = tds_;
    std::string a = std::string(1, 1) +
                    std::string{static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF),
                                static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)} +
                    BVarchar("Microsoft SQL Server") +
                    std::string{static_cast<char>(vb[0]), static_cast<char>(vb[1]),
                                static_cast<char>(vb[2]), static_cast<char>(vb[3])};
    t += "\xAD" + U16(static_cast<uint16_t>(a.size())) + a;
    t += EnvChange(4, std::to_string(packet_size_), "4096");
    return t + Done(0, 0, 0);
  }

  // ---- Batches -------------------------------------------------------------------------------

  void Batch(std::string_view body) {
    // TDS 7.2+: ALL_HEADERS first (its total length includes itself).
    if (Modern() && body.size() >= 4) {
      const uint32_t total = Le32Of(body);
      if (total >= 4 && total <= body.size()) body.remove_prefix(total);
    }
    bool lossy = false;
    const std::string text = mssql::Utf16ToUtf8(body, &lossy);
    const std::string q = Trim(text), low = Lower(q);
    std::string tag, command;
    if (low.find("xp_cmdshell") != std::string::npos) {
      tag = "xp_cmdshell";
      command = QuotedAfter(q, low.find("xp_cmdshell"));
      ++svc_.h_.cmdshell;
    }
    LogQuery(q, tag, command);
    Send(Answer(q, low));
  }

  void LogQuery(const std::string& q, const std::string& tag, const std::string& command) {
    ++svc_.h_.queries;
    if (++logged_ > kMaxLoggedQueries) {
      ++svc_.h_.unlogged;
      return;
    }
    auto ev = Ev("query").Add("user", user_).Add("db", db_).Add("query", q);
    if (!tag.empty()) ev.Add("tags", tag);
    if (!command.empty()) ev.Add("command", command);
    ev.Emit();
  }

  // The first '...' literal after `from` ('' inside is a quote), or "".
  static std::string QuotedAfter(const std::string& q, size_t from) {
    const size_t a = q.find('\'', from);
    if (a == std::string::npos) return "";
    std::string out;
    for (size_t i = a + 1; i < q.size(); ++i) {
      if (q[i] == '\'') {
        if (i + 1 < q.size() && q[i + 1] == '\'') {
          out += '\'';
          ++i;
          continue;
        }
        break;
      }
      out += q[i];
    }
    return out;
  }

  std::string Error(uint32_t n, uint8_t state, uint8_t cls, std::string_view text,
                    std::string_view proc = "") {
    return Message(0xAA, n, state, cls, text, proc) + Done(0x0002, 0, 0);
  }
  static std::string FirstWord(const std::string& q) {
    size_t a = 0;
    while (a < q.size() && std::isspace(static_cast<unsigned char>(q[a]))) ++a;
    size_t b = a;
    while (b < q.size() && !std::isspace(static_cast<unsigned char>(q[b])) && q[b] != '(' &&
           q[b] != ';')
      ++b;
    return q.substr(a, std::min<size_t>(b - a, 128));
  }

  std::string Answer(const std::string& q, const std::string& low) {
    if (q.empty()) return Done(0, 0, 0);
    if (low.find("sp_configure") != std::string::npos) return SpConfigure(low);
    if (low.find("xp_cmdshell") != std::string::npos && low.rfind("select", 0) != 0)
      return Error(15281, 1, 16,
                   "SQL Server blocked access to procedure 'sys.xp_cmdshell' of component "
                   "'xp_cmdshell' because this component is turned off as part of the security "
                   "configuration for this server. A system administrator can enable the use of "
                   "'xp_cmdshell' by using sp_configure. For more information about enabling "
                   "'xp_cmdshell', search for 'xp_cmdshell' in SQL Server Books Online.",
                   "xp_cmdshell");
    if (low == "reconfigure" || low.rfind("set ", 0) == 0 || low.rfind("use ", 0) == 0)
      return low.rfind("use ", 0) == 0 ? Use(q.substr(4)) : Done(0, 0, 0);
    if (low.rfind("select ", 0) == 0) return Select(q.substr(7), low.substr(7));
    return Error(102, 1, 15, "Incorrect syntax near '" + FirstWord(q) + "'.");
  }

  std::string SpConfigure(const std::string& low) {
    if (low.find("show advanced options") != std::string::npos) {
      advanced_ = true;
      return Message(0xAB, 15457, 1, 0,
                     "Configuration option 'show advanced options' changed from 0 to 1. Run the "
                     "RECONFIGURE statement to install.") +
             Done(0, 0xE0, 0);
    }
    // Without 'show advanced options' the option is hidden; with it, this login may not change it.
    if (!advanced_)
      return Error(15123, 1, 16,
                   "The configuration option 'xp_cmdshell' does not exist, or it may be an "
                   "advanced option.",
                   "sp_configure");
    return Error(15247, 1, 16, "User does not have permission to perform this action.",
                 "sp_configure");
  }

  std::string Use(std::string db) {
    db = Trim(db);
    if (db.size() > 2 && db.front() == '[' && db.back() == ']') db = db.substr(1, db.size() - 2);
    for (const std::string& d : Databases())
      if (Lower(d) == Lower(db)) {
        std::string old = db_;
        db_ = d;
        return EnvChange(1, d, old) +
               Message(0xAB, 5701, 1, 0, "Changed database context to '" + d + "'.") +
               Done(0, 0, 0);
      }
    return Error(
        911, 1, 16,
        "Database '" + db + "' does not exist. Make sure that the name is entered correctly.");
  }

  std::vector<std::string> Databases() const {
    return {"master", "tempdb", "model", "msdb", svc_.app_db_};
  }

  std::string Select(const std::string& list, const std::string& low) {
    const size_t from = low.find(" from ");
    if (from != std::string::npos) {
      std::string obj = Trim(list.substr(from + 6));
      obj = obj.substr(0, obj.find_first_of(" \t\r\n"));
      const std::string lo = Lower(obj);
      if (lo == "sys.databases" || lo == "master.sys.databases" || lo == "sysdatabases" ||
          lo == "master..sysdatabases" || lo == "master.dbo.sysdatabases") {
        Result r{{"name"}, {}};
        for (const std::string& d : Databases()) r.rows.push_back({d});
        return Rows(r);
      }
      return Error(208, 1, 16, "Invalid object name '" + obj.substr(0, 128) + "'.");
    }
    Result r;
    r.rows.emplace_back();
    for (const std::string& item : SplitTop(list)) {
      std::optional<std::string> v;
      if (!Eval(Trim(item), &v))
        return Error(102, 1, 15, "Incorrect syntax near '" + FirstWord(item) + "'.");
      r.cols.emplace_back();
      r.rows[0].push_back(v);
    }
    return Rows(r);
  }

  // The select list split at commas outside parentheses and quotes.
  static std::vector<std::string> SplitTop(const std::string& s) {
    std::vector<std::string> out(1);
    int depth = 0;
    bool quote = false;
    for (char c : s) {
      if (c == '\'') quote = !quote;
      if (!quote && c == '(') ++depth;
      if (!quote && c == ')') --depth;
      if (!quote && depth == 0 && c == ',') {
        if (out.size() >= 32) break;
        out.emplace_back();
        continue;
      }
      out.back() += c;
    }
    return out;
  }

  bool Eval(const std::string& e, std::optional<std::string>* v) {
    const std::string l = Lower(e);
    if (l == "@@version") return *v = svc_.Version(), true;
    if (l == "@@servername") return *v = svc_.ServerName(), true;
    if (l == "@@servicename")
      return *v = svc_.instance_.empty() ? "MSSQLSERVER" : svc_.instance_, true;
    if (l == "@@spid") return *v = std::to_string(spid_), true;
    if (l == "@@language") return *v = "us_english", true;
    if (l == "db_name()") return *v = db_, true;
    if (l == "system_user" || l == "suser_sname()" || l == "suser_name()" || l == "user_name()" ||
        l == "current_user")
      return *v = l == "user_name()" || l == "current_user" ? "dbo" : user_, true;
    if (l == "is_srvrolemember('sysadmin')") return *v = "1", true;
    if (!l.empty() && std::all_of(l.begin(), l.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      return *v = l, true;
    if (l.size() >= 2 && l.front() == '\'' && l.back() == '\'')
      return *v = e.substr(1, e.size() - 2), true;
    if (l.rfind("serverproperty(", 0) == 0 && l.back() == ')')
      return *v = Property(QuotedAfter(l, 0)), true;
    return false;
  }

  std::optional<std::string> Property(const std::string& p) {
    const std::string year(svc_.rel_->key);
    if (p == "productversion") return svc_.build_;
    if (p == "productlevel") return std::string(svc_.rel_->level);
    if (p == "edition") return "Developer Edition (64-bit)";
    if (p == "engineedition") return "3";
    if (p == "productmajorversion") return svc_.build_.substr(0, svc_.build_.find('.'));
    if (p == "machinename" || p == "computernamephysicalnetbios") return svc_.machine_;
    if (p == "servername") return svc_.ServerName();
    if (p == "instancename")
      return svc_.instance_.empty() ? std::nullopt : std::optional(svc_.instance_);
    if (p == "isclustered" || p == "isintegratedsecurityonly" || p == "ishadrenabled") return "0";
    if (p == "collation") return "SQL_Latin1_General_CP1_CI_AS";
    return std::nullopt;  // what SQL Server returns for a property it does not know
  }

  // COLMETADATA (NVARCHAR(4000) columns), ROWs, DONE with the count.
  std::string Rows(const Result& r) {
    std::string t = "\x81" + U16(static_cast<uint16_t>(r.cols.size()));
    for (const std::string& c : r.cols) {
      t += Modern() ? U32(0) : U16(0);
      t += U16(0x0001 | 0x0008);  // nullable, updateable unknown
      t += "\xE7" + U16(8000) + kCollation + BVarchar(c);
    }
    for (const auto& row : r.rows) {
      t += '\xD1';
      for (const auto& cell : row) {
        if (!cell) {
          t += U16(0xFFFF);
          continue;
        }
        const std::string u = mssql::Utf8ToUtf16(*cell).substr(0, 8000);
        t += U16(static_cast<uint16_t>(u.size())) + u;
      }
    }
    return t + Done(0x0010, 0xC1, r.rows.size());
  }

  Mssql& svc_;
  decoy::Connection& conn_;
  mssql::MessageReader reader_;
  State state_ = State::kLogin;
  bool closing_ = false, advanced_ = false;
  size_t total_in_ = 0, logged_ = 0;
  uint32_t tds_ = kTds74;
  size_t packet_size_ = 4096;
  uint8_t packet_id_ = 0;
  uint16_t spid_ = 51;  // @@SPID, also in every packet header we send
  std::string user_, db_ = "master";
};

std::unique_ptr<decoy::Session> Mssql::NewSession(decoy::Connection& conn) {
  return std::make_unique<MssqlSession>(*this, conn);
}

}  // namespace

std::unique_ptr<decoy::Service> MakeMssql(decoy::Host& host) {
  return std::make_unique<Mssql>(host);
}

}  // namespace decnet::services::db
