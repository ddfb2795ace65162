// The redis service: a session per connection reading RESP2/inline commands (resp.cpp), answering
// them the way the persona's redis-server version does, and logging each one. See redis.h.
#include "decnet/services/db/redis.h"
#include "decnet/core/text.h"

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decnet/decoy/persona.h"

namespace decnet::services::db {
namespace {

constexpr std::string_view kService = "redis";
constexpr size_t kMaxOverlayKeys = 256;           // SET/DEL entries one connection may make
constexpr size_t kMaxOverlayBytes = 64 << 10;     // their keys and values
constexpr size_t kMaxLoggedCommands = 10000;      // `command` events per connection; then counted
constexpr size_t kMaxLoggedArgs = 32;             // arguments in one `command` event
constexpr size_t kMaxLoggedArgBytes = 256;        // bytes of each of them
constexpr size_t kMaxScriptBytes = 4096;          // of an EVAL script in its `eval` event

// ---- Versions ------------------------------------------------------------------------------------

struct Version {
  std::string text;
  int num = 70015;  // major*10000 + minor*100 + patch
};

Version ParseVersion(std::string text) {
  Version v;
  int a = 0, b = 0, c = 0;
  if (std::sscanf(text.c_str(), "%d.%d.%d", &a, &b, &c) >= 2) v.num = a * 10000 + b * 100 + c;
  v.text = std::move(text);
  return v;
}

struct DistroBuild {
  std::string_view distro, version, gcc, allocator;
};
// What each distribution's own package reports (redis-server -v / INFO server).
constexpr DistroBuild kBuilds[] = {
    {"debian", "7.0.15", "12.2.0", "jemalloc-5.3.0"},
    {"ubuntu22", "6.0.16", "11.2.0", "jemalloc-5.2.1"},
    {"ubuntu20", "5.0.7", "9.3.0", "jemalloc-5.2.1"},
    {"rocky9", "6.2.7", "11.3.1", "jemalloc-5.1.0"},
    {"centos7", "3.2.12", "4.8.5", "jemalloc-3.6.0"},
    {"alpine", "7.2.4", "13.2.1", "jemalloc-5.3.0"},
};

// ---- The static store ----------------------------------------------------------------------------

enum class KType : uint8_t { kString, kHash, kList, kSet, kZset };
const char* TypeName(KType t) {
  switch (t) {
    case KType::kString: return "string";
    case KType::kHash: return "hash";
    case KType::kList: return "list";
    case KType::kSet: return "set";
    case KType::kZset: return "zset";
  }
  return "none";
}

struct StaticKey {
  std::string_view name;
  KType type;
  std::string_view value;  // containers: items separated by '\n' (hash: field, value; zset: member, score)
  int64_t ttl;             // seconds, -1 none
  bool always;             // on every decky; the others by the persona's hash
};
// What a small web application's redis holds: sessions, a Celery broker, caches, counters.
constexpr StaticKey kStore[] = {
    {"config:app", KType::kString,
     R"({"db_host":"10.0.2.15","db_name":"app_prod","db_user":"app","smtp_host":"mail.internal","debug":false})",
     -1, true},
    {"stats:visits", KType::kString, "184223", -1, true},
    {"user:1042", KType::kHash, "name\nj.smith\nemail\nj.smith@corp.internal\nrole\nadmin\nlast_login\n1764512201", -1, true},
    {"session:3f9a1c2e7b6d4e10", KType::kString, R"({"user_id":1042,"role":"admin","csrf":"b61e0f2a9c"})", 1800, false},
    {"session:8c02d7aa41f3b9e5", KType::kString, R"({"user_id":1107,"role":"user","csrf":"0d9e6c11f4"})", 1620, false},
    {"celery", KType::kList,
     R"({"body":"W1tdLCB7fSwgeyJjYWxsYmFja3MiOiBudWxsfV0=","headers":{"task":"reports.tasks.nightly"}})", -1, false},
    {"_kombu.binding.celery", KType::kSet, "celery\x06\x16\x06\x16" "celery", -1, false},
    {"cache:homepage", KType::kString, "<!DOCTYPE html><html><head><title>Portal</title></head><body>", 300, false},
    {"rate:login:10.0.3.17", KType::kString, "3", 60, false},
    {"queue:mail", KType::kList, R"({"to":"ops@corp.internal","tpl":"backup_report"})", -1, false},
    {"leaderboard", KType::kZset, "alice\n1520\nbob\n1337\ncarol\n998", -1, false},
    {"api_keys", KType::kHash, "billing\n9f2c1e6b7d3a48c0b5e1f7a2d4c6e8b0\nmonitoring\n41d7c3a9e0f2b6d8", -1, false},
    {"jobs:failed", KType::kList, "export-2291\nexport-2290", -1, false},
    {"lock:cron:cleanup", KType::kString, "1", 240, false},
    {"users:online", KType::kSet, "1042\n1107\n1133", -1, false},
};
constexpr size_t kStoreSize = sizeof kStore / sizeof kStore[0];

std::vector<std::string_view> Items(std::string_view v) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at <= v.size()) {
    size_t nl = v.find('\n', at);
    if (nl == std::string_view::npos) nl = v.size();
    out.push_back(v.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

// ---- Replies -------------------------------------------------------------------------------------

bool Eq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
// %s of a C string: stops at the first NUL.
std::string_view CStr(std::string_view s) {
  const size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}
std::string Simple(std::string_view s) { return "+" + std::string(s) + "\r\n"; }
// addReplyErrorFormat(): CR and LF become spaces so the reply stays one line.
std::string Err(std::string_view s) {
  std::string out = "-";
  out.append(s);
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  return out + "\r\n";
}
std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
std::string Arr(size_t n) { return "*" + std::to_string(n) + "\r\n"; }
constexpr std::string_view kNil = "$-1\r\n";
constexpr std::string_view kOk = "+OK\r\n";
constexpr std::string_view kNoAuth = "-NOAUTH Authentication required.\r\n";
constexpr std::string_view kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr std::string_view kSyntax = "-ERR syntax error\r\n";
constexpr std::string_view kNotInt = "-ERR value is not an integer or out of range\r\n";
constexpr std::string_view kOom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

bool ParseInt(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  int64_t r = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (r > (INT64_MAX - (s[i] - '0')) / 10) return false;
    r = r * 10 + (s[i] - '0');
  }
  *v = s[0] == '-' ? -r : r;
  return true;
}

std::string Human(uint64_t n) {  // bytesToHuman()
  char buf[32];
  if (n < 1024) std::snprintf(buf, sizeof buf, "%" PRIu64 "B", n);
  else if (n < (1ULL << 20)) std::snprintf(buf, sizeof buf, "%.2fK", n / 1024.0);
  else if (n < (1ULL << 30)) std::snprintf(buf, sizeof buf, "%.2fM", n / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.2fG", n / 1073741824.0);
  return buf;
}

std::string Hex(uint64_t h, size_t digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < digits; ++i) out.push_back(kHex[(h >> ((i % 16) * 4)) & 15]);
  return out;
}

// ---- The command table ---------------------------------------------------------------------------

enum class Op : uint8_t {
  kDefaultOk, kDefaultNil, kDefaultZero, kDefaultOne, kDefaultEmpty,
  kPing, kEcho, kAuth, kHello, kInfo, kConfig, kKeys, kGet, kSet, kSetnx, kSetex, kMset, kDel,
  kExists, kType, kTtl, kPttl, kDbsize, kSelect, kScan, kClient, kCommand, kReplicaof, kModule,
  kSave, kBgsave, kEval, kEvalsha, kScript, kFlushall, kFlushdb, kShutdown, kTime, kLastsave,
  kRole, kDebug, kMget, kHgetall, kHget, kLrange, kSmembers, kLen, kZrange, kRandomkey, kIncr,
  kMonitor, kMulti, kExec, kAcl, kSync,
};

struct Cmd {
  std::string_view name;
  int arity;    // redis's: > 0 exact, < 0 at least -arity
  Op op;
  int since;    // first version that has it
};

constexpr Cmd kCommands[] = {
    {"get", 2, Op::kGet, 0}, {"set", -3, Op::kSet, 0}, {"setnx", 3, Op::kSetnx, 0},
    {"setex", 4, Op::kSetex, 0}, {"psetex", 4, Op::kSetex, 0}, {"append", 3, Op::kDefaultOne, 0},
    {"strlen", 2, Op::kLen, 0}, {"del", -2, Op::kDel, 0}, {"unlink", -2, Op::kDel, 40000},
    {"exists", -2, Op::kExists, 0}, {"setrange", 4, Op::kDefaultZero, 0},
    {"getrange", 4, Op::kDefaultNil, 0}, {"incr", 2, Op::kIncr, 0}, {"decr", 2, Op::kIncr, 0},
    {"incrby", 3, Op::kIncr, 0}, {"decrby", 3, Op::kIncr, 0}, {"incrbyfloat", 3, Op::kIncr, 0},
    {"mget", -2, Op::kMget, 0}, {"mset", -3, Op::kMset, 0}, {"msetnx", -3, Op::kDefaultZero, 0},
    {"getset", 3, Op::kDefaultNil, 0}, {"getdel", 2, Op::kDefaultNil, 60200},
    {"getex", -2, Op::kDefaultNil, 60200}, {"rpush", -3, Op::kDefaultOne, 0},
    {"lpush", -3, Op::kDefaultOne, 0}, {"rpushx", -3, Op::kDefaultZero, 0},
    {"lpushx", -3, Op::kDefaultZero, 0}, {"linsert", 5, Op::kDefaultZero, 0},
    {"rpop", -2, Op::kDefaultNil, 0}, {"lpop", -2, Op::kDefaultNil, 0},
    {"brpop", -3, Op::kDefaultNil, 0}, {"blpop", -3, Op::kDefaultNil, 0},
    {"llen", 2, Op::kLen, 0}, {"lindex", 3, Op::kDefaultNil, 0}, {"lset", 4, Op::kDefaultOk, 0},
    {"lrange", 4, Op::kLrange, 0}, {"ltrim", 4, Op::kDefaultOk, 0}, {"lrem", 4, Op::kDefaultZero, 0},
    {"rpoplpush", 3, Op::kDefaultNil, 0}, {"sadd", -3, Op::kDefaultOne, 0},
    {"srem", -3, Op::kDefaultZero, 0}, {"smove", 4, Op::kDefaultZero, 0},
    {"sismember", 3, Op::kDefaultZero, 0}, {"scard", 2, Op::kLen, 0},
    {"spop", -2, Op::kDefaultNil, 0}, {"srandmember", -2, Op::kDefaultNil, 0},
    {"sinter", -2, Op::kDefaultEmpty, 0}, {"sunion", -2, Op::kDefaultEmpty, 0},
    {"sdiff", -2, Op::kDefaultEmpty, 0}, {"smembers", 2, Op::kSmembers, 0},
    {"zadd", -4, Op::kDefaultOne, 0}, {"zincrby", 4, Op::kDefaultNil, 0},
    {"zrem", -3, Op::kDefaultZero, 0}, {"zrange", -4, Op::kZrange, 0},
    {"zrevrange", -4, Op::kZrange, 0}, {"zrangebyscore", -4, Op::kDefaultEmpty, 0},
    {"zcard", 2, Op::kLen, 0}, {"zscore", 3, Op::kDefaultNil, 0}, {"zrank", -3, Op::kDefaultNil, 0},
    {"hset", -4, Op::kDefaultOne, 0}, {"hsetnx", 4, Op::kDefaultOne, 0}, {"hget", 3, Op::kHget, 0},
    {"hmset", -4, Op::kDefaultOk, 0}, {"hmget", -3, Op::kDefaultEmpty, 0},
    {"hincrby", 4, Op::kDefaultOne, 0}, {"hdel", -3, Op::kDefaultZero, 0}, {"hlen", 2, Op::kLen, 0},
    {"hkeys", 2, Op::kDefaultEmpty, 0}, {"hvals", 2, Op::kDefaultEmpty, 0},
    {"hgetall", 2, Op::kHgetall, 0}, {"hexists", 3, Op::kDefaultZero, 0},
    {"hscan", -3, Op::kDefaultEmpty, 0}, {"sscan", -3, Op::kDefaultEmpty, 0},
    {"zscan", -3, Op::kDefaultEmpty, 0}, {"randomkey", 1, Op::kRandomkey, 0},
    {"select", 2, Op::kSelect, 0}, {"swapdb", 3, Op::kDefaultOk, 40000},
    {"move", 3, Op::kDefaultZero, 0}, {"rename", 3, Op::kDefaultOk, 0},
    {"renamenx", 3, Op::kDefaultOne, 0}, {"expire", 3, Op::kDefaultOne, 0},
    {"expireat", 3, Op::kDefaultOne, 0}, {"pexpire", 3, Op::kDefaultOne, 0},
    {"pexpireat", 3, Op::kDefaultOne, 0}, {"persist", 2, Op::kDefaultZero, 0},
    {"keys", 2, Op::kKeys, 0}, {"scan", -2, Op::kScan, 0}, {"dbsize", 1, Op::kDbsize, 0},
    {"auth", -2, Op::kAuth, 0}, {"ping", -1, Op::kPing, 0}, {"echo", 2, Op::kEcho, 0},
    {"save", 1, Op::kSave, 0}, {"bgsave", -1, Op::kBgsave, 0},
    {"bgrewriteaof", 1, Op::kBgsave, 0}, {"shutdown", -1, Op::kShutdown, 0},
    {"lastsave", 1, Op::kLastsave, 0}, {"type", 2, Op::kType, 0}, {"multi", 1, Op::kMulti, 0},
    {"exec", 1, Op::kExec, 0}, {"discard", 1, Op::kExec, 0}, {"sync", 1, Op::kSync, 0},
    {"psync", -3, Op::kSync, 0}, {"replconf", -1, Op::kDefaultOk, 0},
    {"flushdb", -1, Op::kFlushdb, 0}, {"flushall", -1, Op::kFlushall, 0},
    {"sort", -2, Op::kDefaultEmpty, 0}, {"info", -1, Op::kInfo, 0},
    {"monitor", 1, Op::kMonitor, 0}, {"ttl", 2, Op::kTtl, 0}, {"pttl", 2, Op::kPttl, 0},
    {"touch", -2, Op::kExists, 30201}, {"slaveof", 3, Op::kReplicaof, 0},
    {"replicaof", 3, Op::kReplicaof, 50000}, {"role", 1, Op::kRole, 20812},
    {"debug", -2, Op::kDebug, 0}, {"config", -2, Op::kConfig, 0},
    {"subscribe", -2, Op::kDefaultEmpty, 0}, {"unsubscribe", -1, Op::kDefaultEmpty, 0},
    {"psubscribe", -2, Op::kDefaultEmpty, 0}, {"punsubscribe", -1, Op::kDefaultEmpty, 0},
    {"publish", 3, Op::kDefaultZero, 0}, {"pubsub", -2, Op::kDefaultEmpty, 0},
    {"watch", -2, Op::kDefaultOk, 0}, {"unwatch", 1, Op::kDefaultOk, 0},
    {"dump", 2, Op::kDefaultNil, 0}, {"object", -2, Op::kDefaultNil, 0},
    {"memory", -2, Op::kDefaultZero, 40000}, {"client", -2, Op::kClient, 0},
    {"hello", -1, Op::kHello, 60000}, {"eval", -3, Op::kEval, 0}, {"evalsha", -3, Op::kEvalsha, 0},
    {"slowlog", -2, Op::kDefaultEmpty, 0}, {"script", -2, Op::kScript, 0},
    {"time", 1, Op::kTime, 0}, {"bitcount", -2, Op::kDefaultZero, 0},
    {"wait", 3, Op::kDefaultZero, 30000}, {"command", -1, Op::kCommand, 0},
    {"pfadd", -2, Op::kDefaultOne, 0}, {"pfcount", -2, Op::kDefaultZero, 0},
    {"xadd", -5, Op::kDefaultNil, 50000}, {"xlen", 2, Op::kDefaultZero, 50000},
    {"xrange", -4, Op::kDefaultEmpty, 50000}, {"latency", -2, Op::kDefaultEmpty, 0},
    {"lolwut", -1, Op::kDefaultNil, 50000}, {"acl", -2, Op::kAcl, 60000},
    {"module", -2, Op::kModule, 40000}, {"reset", 1, Op::kDefaultOk, 60200},
    {"copy", -3, Op::kDefaultZero, 60200}, {"function", -2, Op::kDefaultEmpty, 70000},
    {"readonly", 1, Op::kDefaultOk, 0}, {"readwrite", 1, Op::kDefaultOk, 0},
    {"cluster", -2, Op::kDefaultNil, 30000},
};

// ---- The service ---------------------------------------------------------------------------------

class Redis;

struct Health {
  uint64_t sessions = 0, commands = 0, unlogged = 0, auth = 0, rce = 0, protocol_errors = 0,
           overlay_refused = 0;
};

class RedisSession;

class Redis final : public decoy::Service {
 public:
  explicit Redis(decoy::Host& host) : host_(host) {
    const decoy::Persona& p = host.persona();
    const DistroBuild* build = &kBuilds[0];
    for (const DistroBuild& b : kBuilds)
      if (b.distro == p.distro()) build = &b;
    version_ = ParseVersion(p.Setting(kService, "version", build->version));
    gcc_ = build->gcc;
    allocator_ = build->allocator;
    auth_required_ = p.Setting(kService, "auth", "required") != "none";
    password_ = p.Setting(kService, "password", "");
    store_mask_ = p.Hash(kService, "store");
  }
  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(decoy::Connection& conn) override;
  void AddHealth(std::string* j) const override {
    *j += ",\"redis_sessions\":" + std::to_string(live_) +
          ",\"redis_commands\":" + std::to_string(h_.commands) +
          ",\"redis_commands_unlogged\":" + std::to_string(h_.unlogged) +
          ",\"redis_auth\":" + std::to_string(h_.auth) +
          ",\"redis_rce_events\":" + std::to_string(h_.rce) +
          ",\"redis_protocol_errors\":" + std::to_string(h_.protocol_errors) +
          ",\"redis_overlay_refused\":" + std::to_string(h_.overlay_refused);
  }

  decoy::Host& host_;
  Version version_;
  std::string_view gcc_, allocator_;
  bool auth_required_ = true;
  std::string password_;
  uint64_t store_mask_ = 0;
  Health h_;
  size_t live_ = 0;

  bool Has(size_t i) const { return kStore[i].always || ((store_mask_ >> i) & 1); }
  uint64_t H(std::string_view key) const { return host_.persona().Hash(kService, key); }
};

class RedisSession final : public decoy::Session {
 public:
  RedisSession(Redis& svc, decoy::Connection& conn) : svc_(svc), conn_(conn) {
    ++svc_.live_;
    ++svc_.h_.sessions;
    authed_ = !svc_.auth_required_;
    parser_.set_unauthenticated(!authed_ && svc_.version_.num >= 50000);
    client_id_ = 3 + svc_.H("client_base") % 4000 + conn.id();
  }
  ~RedisSession() override { --svc_.live_; }

  void OnData(std::string_view bytes) override {
    if (closing_) return;
    const bool ok = parser_.Feed(bytes, [this](std::vector<std::string>& argv) {
      Execute(argv);
      return !closing_;
    });
    if (!ok) {
      ++svc_.h_.protocol_errors;
      if (parser_.refused_by_bound()) {
        ++svc_.host_.counters().lines_too_long;
      } else {
        ++svc_.host_.counters().malformed;
      }
      svc_.host_.log().New(kService, "protocol_error").From(conn_)
          .Add("error", parser_.error().empty() ? "query buffer limit" : parser_.error()).Emit();
      if (!parser_.error().empty()) Reply(Err("ERR " + parser_.error()));
      Close();
    }
  }

 private:
  struct Entry {
    uint8_t db;
    bool deleted;
    KType type;
    std::string key, value;
  };
  struct View {
    bool found = false;
    KType type = KType::kString;
    std::string_view value;
    int64_t ttl = -1;
  };

  void Reply(std::string_view s) { conn_.Write(s); }
  void Close() {
    closing_ = true;
    conn_.Close();
  }
  const Version& V() const { return svc_.version_; }
  decoy::EventLog::Event Ev(std::string_view type) {
    auto ev = svc_.host_.log().New(kService, type);
    ev.From(conn_);
    return ev;
  }

  // ---- store ----
  View Lookup(std::string_view key) const { return LookupIn(db_, key); }
  View LookupIn(uint8_t db, std::string_view key) const {
    View v;
    for (auto it = overlay_.rbegin(); it != overlay_.rend(); ++it) {
      if (it->db == db && it->key == key) {
        if (it->deleted) return v;
        v.found = true;
        v.type = it->type;
        v.value = it->value;
        return v;
      }
    }
    if (db != 0 || (flushed_ & 1)) return v;
    for (size_t i = 0; i < kStoreSize; ++i) {
      if (svc_.Has(i) && kStore[i].name == key) {
        v.found = true;
        v.type = kStore[i].type;
        v.value = kStore[i].value;
        v.ttl = kStore[i].ttl;
        return v;
      }
    }
    return v;
  }
  std::vector<std::string_view> Keys() const { return KeysIn(db_); }
  // The static keys of db 0 (unless flushed or shadowed by the overlay), then the overlay's own.
  std::vector<std::string_view> KeysIn(uint8_t db) const {
    std::vector<std::string_view> out;
    if (db == 0 && !(flushed_ & 1)) {
      for (size_t i = 0; i < kStoreSize; ++i) {
        if (!svc_.Has(i)) continue;
        bool shadowed = false;
        for (const Entry& e : overlay_) shadowed |= e.db == 0 && e.key == kStore[i].name;
        if (!shadowed) out.push_back(kStore[i].name);
      }
    }
    for (const Entry& e : overlay_)
      if (e.db == db && !e.deleted) out.push_back(e.key);
    return out;
  }
  size_t KeyCount(uint8_t db, size_t* expires) const {
    const auto keys = KeysIn(db);
    size_t e = 0;
    for (auto k : keys) e += LookupIn(db, k).ttl >= 0;
    if (expires) *expires = e;
    return keys.size();
  }
  // False (and the caller answers OOM, as a redis at maxmemory does) when the overlay is full.
  bool Put(std::string_view key, std::string_view value, bool deleted) {
    for (Entry& e : overlay_) {
      if (e.db == db_ && e.key == key) {
        const size_t grow = value.size() > e.value.size() ? value.size() - e.value.size() : 0;
        if (overlay_bytes_ + grow > kMaxOverlayBytes) return Refuse();
        overlay_bytes_ = overlay_bytes_ + value.size() - e.value.size();
        e.value.assign(value);
        e.deleted = deleted;
        e.type = KType::kString;
        ++dirty_;
        return true;
      }
    }
    if (overlay_.size() >= kMaxOverlayKeys || overlay_bytes_ + key.size() + value.size() > kMaxOverlayBytes)
      return Refuse();
    overlay_.push_back(Entry{db_, deleted, KType::kString, std::string(key), std::string(value)});
    overlay_bytes_ += key.size() + value.size();
    ++dirty_;
    return true;
  }
  bool Refuse() {
    ++svc_.h_.overlay_refused;
    return false;
  }

  // ---- dispatch ----
  void Execute(std::vector<std::string>& argv) {
    ++svc_.h_.commands;
    ++commands_;
    const std::string name = AsciiLower(argv[0].substr(0, 64));
    LogCommand(name, argv);
    // Checked before the command table, as processCommand() does.
    if (name == "quit") {
      Reply(kOk);
      return Close();
    }
    if (name == "host:" || name == "post") {
      // securityWarningCommand(): an HTTP request sent to redis; closed without a reply.
      Ev("http_probe").Add("command", name).Emit();
      return Close();
    }
    const Cmd* cmd = nullptr;
    for (const Cmd& c : kCommands)
      if (c.name == name && V().num >= c.since) cmd = &c;
    const int argc = static_cast<int>(argv.size());
    if (cmd == nullptr) return Reply(UnknownCommand(argv));
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity)
      return Reply(Err("ERR wrong number of arguments for '" + std::string(cmd->name) + "' command"));
    if (!authed_ && cmd->op != Op::kAuth && cmd->op != Op::kHello) return Reply(kNoAuth);
    Run(*cmd, argv);
  }

  std::string UnknownCommand(const std::vector<std::string>& argv) const {
    if (V().num < 40000) return Err("ERR unknown command '" + std::string(CStr(argv[0])) + "'");
    const bool quotes = V().num >= 60200;
    std::string args;
    for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
      const std::string_view a = CStr(argv[i]).substr(0, 128 - args.size());
      args += quotes ? "'" + std::string(a) + "' " : "`" + std::string(a) + "`, ";
    }
    if (quotes)
      return Err("ERR unknown command '" + std::string(CStr(argv[0]).substr(0, 128)) +
                 "', with args beginning with: " + args);
    return Err("ERR unknown command `" + std::string(CStr(argv[0])) + "`, with args beginning with: " + args);
  }

  void LogCommand(const std::string& name, const std::vector<std::string>& argv) {
    if (commands_ > kMaxLoggedCommands) {
      ++svc_.h_.unlogged;
      return;
    }
    auto ev = Ev("command");
    ev.Add("command", name).Add("argc", static_cast<int64_t>(argv.size()));
    if (name != "auth" && name != "hello") {  // secrets travel in the credential shape only
      std::string args;
      for (size_t i = 1; i < argv.size() && i <= kMaxLoggedArgs; ++i) {
        if (i > 1) args.push_back(' ');
        args.append(argv[i], 0, kMaxLoggedArgBytes);
      }
      if (argv.size() > 1) ev.Add("args", args);
    }
    if (commands_ == kMaxLoggedCommands) ev.Add("note", "further commands of this session not logged");
    ev.Emit();
  }

  void Run(const Cmd& cmd, std::vector<std::string>& a) {
    const size_t n = a.size();
    switch (cmd.op) {
      case Op::kDefaultOk: return Reply(kOk);
      case Op::kDefaultNil: return Reply(kNil);
      case Op::kDefaultZero: return Reply(Int(0));
      case Op::kDefaultOne: return Reply(Int(1));
      case Op::kDefaultEmpty: return Reply(Arr(0));
      case Op::kPing:
        if (n > 2) return Reply(Err("ERR wrong number of arguments for 'ping' command"));
        return Reply(n == 2 ? Bulk(a[1]) : "+PONG\r\n");
      case Op::kEcho: return Reply(Bulk(a[1]));
      case Op::kAuth: return Auth(a);
      case Op::kHello: return Hello(a);
      case Op::kInfo: return Reply(Bulk(Info(a)));
      case Op::kConfig: return Config(a);
      case Op::kKeys: {
        std::vector<std::string_view> match;
        for (auto k : Keys())
          if (GlobMatch(a[1], k)) match.push_back(k);
        return Reply(BulkArray(match));
      }
      case Op::kScan: return Scan(a);
      case Op::kGet: {
        View v = Lookup(a[1]);
        if (!v.found) return Reply(kNil);
        if (v.type != KType::kString) return Reply(kWrongType);
        return Reply(Bulk(v.value));
      }
      case Op::kMget: {
        std::string out = Arr(n - 1);
        for (size_t i = 1; i < n; ++i) {
          View v = Lookup(a[i]);
          out += v.found && v.type == KType::kString ? Bulk(v.value) : kNil;
        }
        return Reply(out);
      }
      case Op::kSet: {
        bool nx = false, xx = false;
        for (size_t i = 3; i < n; ++i) {
          if (Eq(a[i], "nx")) nx = true;
          else if (Eq(a[i], "xx")) xx = true;
          else if ((Eq(a[i], "ex") || Eq(a[i], "px") || Eq(a[i], "exat") || Eq(a[i], "pxat")) && i + 1 < n) {
            int64_t t = 0;
            if (!ParseInt(a[++i], &t)) return Reply(kNotInt);
            if (t <= 0) return Reply(Err("ERR invalid expire time in 'set' command"));
          } else if (!Eq(a[i], "keepttl") && !Eq(a[i], "get")) {
            return Reply(kSyntax);
          }
        }
        if (nx && xx) return Reply(kSyntax);
        const bool exists = Lookup(a[1]).found;
        if ((nx && exists) || (xx && !exists)) return Reply(kNil);
        return Reply(Put(a[1], a[2], false) ? kOk : kOom);
      }
      case Op::kSetnx:
        if (Lookup(a[1]).found) return Reply(Int(0));
        return Reply(Put(a[1], a[2], false) ? Int(1) : kOom);
      case Op::kSetex: {
        int64_t t = 0;
        if (!ParseInt(a[2], &t)) return Reply(kNotInt);
        if (t <= 0) return Reply(Err("ERR invalid expire time in '" + std::string(cmd.name) + "' command"));
        return Reply(Put(a[1], a[3], false) ? kOk : kOom);
      }
      case Op::kMset:
        if (n % 2 == 0) return Reply(Err("ERR wrong number of arguments for 'mset' command"));
        for (size_t i = 1; i + 1 < n; i += 2)
          if (!Put(a[i], a[i + 1], false)) return Reply(kOom);
        return Reply(kOk);
      case Op::kIncr: {
        View v = Lookup(a[1]);
        int64_t cur = 0, by = 1;
        if (v.found && (v.type != KType::kString)) return Reply(kWrongType);
        if (v.found && !ParseInt(v.value, &cur)) return Reply(kNotInt);
        if (n == 3 && cmd.name != "incrbyfloat" && !ParseInt(a[2], &by)) return Reply(kNotInt);
        if (cmd.name == "decr" || cmd.name == "decrby") by = -by;
        if (cmd.name == "incrbyfloat") return Reply(Bulk(std::to_string(cur)));
        const std::string next = std::to_string(cur + by);
        return Reply(Put(a[1], next, false) ? Int(cur + by) : kOom);
      }
      case Op::kDel: {
        int64_t gone = 0;
        for (size_t i = 1; i < n; ++i) {
          if (!Lookup(a[i]).found) continue;
          if (!Put(a[i], "", true)) return Reply(kOom);
          ++gone;
        }
        return Reply(Int(gone));
      }
      case Op::kExists: {
        int64_t c = 0;
        for (size_t i = 1; i < n; ++i) c += Lookup(a[i]).found;
        return Reply(Int(c));
      }
      case Op::kType: {
        View v = Lookup(a[1]);
        return Reply(Simple(v.found ? TypeName(v.type) : "none"));
      }
      case Op::kTtl:
      case Op::kPttl: {
        View v = Lookup(a[1]);
        if (!v.found) return Reply(Int(-2));
        if (v.ttl < 0) return Reply(Int(-1));
        // Counts down second by second and starts over, as a key its application keeps refreshing.
        const int64_t now = svc_.host_.WallUs() / 1000000 + static_cast<int64_t>(svc_.H(a[1]) % 997);
        const int64_t left = v.ttl - now % v.ttl;
        return Reply(Int(cmd.op == Op::kTtl ? left : left * 1000 - 137));
      }
      case Op::kLen: {
        View v = Lookup(a[1]);
        if (!v.found) return Reply(Int(0));
        if (cmd.name == "strlen") {
          return Reply(v.type == KType::kString ? Int(static_cast<int64_t>(v.value.size())) : kWrongType);
        }
        const KType want = cmd.name == "llen" ? KType::kList : cmd.name == "scard" ? KType::kSet
                           : cmd.name == "hlen" ? KType::kHash : KType::kZset;
        if (v.type != want) return Reply(kWrongType);
        const size_t items = Items(v.value).size();
        return Reply(Int(static_cast<int64_t>(want == KType::kHash || want == KType::kZset ? items / 2 : items)));
      }
      case Op::kHgetall:
      case Op::kHget:
      case Op::kLrange:
      case Op::kSmembers:
      case Op::kZrange: return Container(cmd, a);
      case Op::kDbsize: return Reply(Int(static_cast<int64_t>(Keys().size())));
      case Op::kRandomkey: {
        auto keys = Keys();
        if (keys.empty()) return Reply(kNil);
        return Reply(Bulk(keys[(commands_ * 7) % keys.size()]));
      }
      case Op::kSelect: {
        int64_t d = 0;
        if (!ParseInt(a[1], &d)) return Reply(kNotInt);
        if (d < 0 || d > 15) return Reply(Err("ERR DB index is out of range"));
        db_ = static_cast<uint8_t>(d);
        return Reply(kOk);
      }
      case Op::kClient: return Client(a);
      case Op::kCommand: return Command(a);
      case Op::kReplicaof: return Replicaof(cmd, a);
      case Op::kModule: return Module(a);
      case Op::kSave:
      case Op::kBgsave: return Save(cmd);
      case Op::kEval: return Eval(a);
      case Op::kEvalsha:
        return Reply("-NOSCRIPT No matching script. Please use EVAL.\r\n");
      case Op::kScript: {
        ++svc_.h_.rce;
        Ev("eval").Add("command", "script " + AsciiLower(a[1].substr(0, 16)))
            .Add("script", n > 2 ? std::string_view(a[2]).substr(0, kMaxScriptBytes) : "").Emit();
        if (Eq(a[1], "load") && n == 3) return Reply(Bulk(Hex(svc_.H(a[2]), 16) + Hex(svc_.H(a[2] + "1"), 16) + Hex(svc_.H(a[2] + "2"), 8)));
        if (Eq(a[1], "exists")) {
          std::string out = Arr(n - 2);
          for (size_t i = 2; i < n; ++i) out += Int(0);
          return Reply(out);
        }
        if (Eq(a[1], "flush") || Eq(a[1], "kill")) return Reply(kOk);
        return Reply(Err("ERR unknown subcommand '" + std::string(CStr(a[1])) + "'. Try SCRIPT HELP."));
      }
      case Op::kFlushall:
      case Op::kFlushdb: {
        ++svc_.h_.rce;
        Ev("flushall").Add("command", cmd.name).Add("db", static_cast<int64_t>(db_)).Emit();
        if (cmd.op == Op::kFlushall) {
          flushed_ = 0xffff;
          overlay_.clear();
          overlay_bytes_ = 0;
        } else {
          flushed_ |= static_cast<uint16_t>(1u << db_);
          overlay_.erase(std::remove_if(overlay_.begin(), overlay_.end(),
                                        [this](const Entry& e) { return e.db == db_; }),
                         overlay_.end());
        }
        ++dirty_;
        return Reply(kOk);
      }
      case Op::kShutdown:
        ++svc_.h_.rce;
        Ev("shutdown").Emit();
        return Close();  // a real redis exits: every client sees its connection drop
      case Op::kTime: {
        const int64_t us = svc_.host_.WallUs();
        return Reply(Arr(2) + Bulk(std::to_string(us / 1000000)) + Bulk(std::to_string(us % 1000000)));
      }
      case Op::kLastsave: return Reply(Int(LastSave()));
      case Op::kRole:
        if (!master_host_.empty())
          return Reply(Arr(5) + Bulk("slave") + Bulk(master_host_) + Int(MasterPort()) + Bulk("connect") + Int(-1));
        return Reply(Arr(3) + Bulk("master") + Int(0) + Arr(0));
      case Op::kDebug:
        if (V().num >= 70000)
          return Reply(Err("ERR DEBUG command not allowed. If the enable-debug-command option is set to "
                           "\"local\", you can run it from a local connection, otherwise you need to set "
                           "this option in the configuration file, and then restart the server."));
        return Reply(kOk);
      case Op::kMonitor: return Reply(kOk);
      case Op::kMulti:
        return Reply(kOk);  // commands are answered one by one; EXEC returns an empty array
      case Op::kExec: return Reply(cmd.name == "discard" ? kOk : Arr(0));
      case Op::kAcl:
        if (Eq(a[1], "whoami")) return Reply(Bulk("default"));
        if (Eq(a[1], "users")) return Reply(Arr(1) + Bulk("default"));
        if (Eq(a[1], "list"))
          return Reply(Arr(1) + Bulk(svc_.auth_required_ ? "user default on #" + Hex(svc_.H("acl"), 16) +
                                                               Hex(svc_.H("acl2"), 16) + Hex(svc_.H("acl3"), 16) +
                                                               Hex(svc_.H("acl4"), 16) + " ~* &* +@all"
                                                         : "user default on nopass ~* &* +@all"));
        return Reply(kOk);
      case Op::kSync:
        // A replica asking for a full sync: redis would stream an RDB; refuse as a busy master does.
        return Reply(Err("ERR Can't SYNC while not connected with my master"));
    }
  }

  std::string BulkArray(const std::vector<std::string_view>& items) const {
    std::string out = Arr(items.size());
    for (auto s : items) out += Bulk(s);
    return out;
  }

  void Container(const Cmd& cmd, const std::vector<std::string>& a) {
    View v = Lookup(a[1]);
    const KType want = cmd.op == Op::kHgetall || cmd.op == Op::kHget ? KType::kHash
                       : cmd.op == Op::kLrange                       ? KType::kList
                       : cmd.op == Op::kSmembers                     ? KType::kSet
                                                                     : KType::kZset;
    if (!v.found) return Reply(cmd.op == Op::kHget ? kNil : Arr(0));
    if (v.type != want) return Reply(kWrongType);
    auto items = Items(v.value);
    if (cmd.op == Op::kHget) {
      for (size_t i = 0; i + 1 < items.size(); i += 2)
        if (items[i] == a[2]) return Reply(Bulk(items[i + 1]));
      return Reply(kNil);
    }
    if (cmd.op == Op::kZrange) {
      const bool scores = a.size() > 4 && Eq(a.back(), "withscores");
      std::vector<std::string_view> out;
      for (size_t i = 0; i + 1 < items.size(); i += 2) {
        out.push_back(items[i]);
        if (scores) out.push_back(items[i + 1]);
      }
      return Reply(BulkArray(out));
    }
    if (cmd.op == Op::kLrange) {
      int64_t start = 0, stop = 0;
      if (!ParseInt(a[2], &start) || !ParseInt(a[3], &stop)) return Reply(kNotInt);
      const int64_t len = static_cast<int64_t>(items.size());
      if (start < 0) start = std::max<int64_t>(0, len + start);
      if (stop < 0) stop = len + stop;
      if (stop >= len) stop = len - 1;
      std::vector<std::string_view> out;
      for (int64_t i = start; i <= stop; ++i) out.push_back(items[static_cast<size_t>(i)]);
      return Reply(BulkArray(out));
    }
    return Reply(BulkArray(items));
  }

  void Scan(const std::vector<std::string>& a) {
    int64_t cursor = 0;
    if (!ParseInt(a[1], &cursor) || cursor < 0) return Reply(Err("ERR invalid cursor"));
    std::string_view pattern = "*", type;
    for (size_t i = 2; i < a.size(); i += 2) {
      if (i + 1 >= a.size()) return Reply(kSyntax);
      if (Eq(a[i], "match")) pattern = a[i + 1];
      else if (Eq(a[i], "type")) type = a[i + 1];
      else if (Eq(a[i], "count")) {
        int64_t c = 0;
        if (!ParseInt(a[i + 1], &c)) return Reply(kNotInt);
        if (c < 1) return Reply(kSyntax);
      } else {
        return Reply(kSyntax);
      }
    }
    std::vector<std::string_view> out;
    // The whole (small) keyspace fits in one page: the cursor returned is 0, any cursor asked too.
    if (cursor == 0)
      for (auto k : Keys())
        if (GlobMatch(pattern, k) && (type.empty() || Eq(type, TypeName(Lookup(k).type)))) out.push_back(k);
    return Reply(Arr(2) + Bulk("0") + BulkArray(out));
  }

  // ---- auth ----
  void Auth(const std::vector<std::string>& a) {
    const bool acl = V().num >= 60000;
    if (!acl && a.size() != 2) return Reply(Err("ERR wrong number of arguments for 'auth' command"));
    if (a.size() > 3) return Reply(kSyntax);
    const std::string_view user = a.size() == 3 ? std::string_view(a[1]) : "default";
    const std::string_view pass = a.back();
    bool ok = false;
    std::string reply;
    const std::string wrongpass = V().num >= 60200
        ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        : "-WRONGPASS invalid username-password pair\r\n";
    if (svc_.auth_required_) {
      ok = user == "default" && !svc_.password_.empty() && pass == svc_.password_;
      reply = ok ? kOk : acl ? wrongpass : "-ERR invalid password\r\n";
    } else if (!acl) {
      reply = "-ERR Client sent AUTH, but no password is set\r\n";
    } else if (a.size() == 2) {
      reply = "-ERR AUTH <password> called without any password configured for the default user. "
              "Are you sure your configuration is correct?\r\n";
    } else {
      ok = user == "default";  // the default user is "nopass": any password is accepted
      reply = ok ? kOk : wrongpass;
    }
    LogAuth(user, pass, ok, "auth");
    if (ok) SetAuthed();
    Reply(reply);
  }

  void LogAuth(std::string_view user, std::string_view pass, bool ok, std::string_view via) {
    ++svc_.h_.auth;
    Ev("auth").Secret(user, pass, "plaintext").Add("success", ok ? "true" : "false").Add("via", via).Emit();
  }

  void SetAuthed() {
    authed_ = true;
    parser_.set_unauthenticated(false);
  }

  void Hello(const std::vector<std::string>& a) {
    size_t i = 1;
    if (a.size() > 1) {
      int64_t proto = 0;
      if (!ParseInt(a[1], &proto)) return Reply(Err("ERR Protocol version is not an integer or out of range"));
      if (proto < 2 || proto > 3) return Reply("-NOPROTO unsupported protocol version\r\n");
      if (proto == 3) return Reply("-NOPROTO unsupported protocol version\r\n");  // RESP2 only here
      i = 2;
    }
    for (; i < a.size(); ++i) {
      if (Eq(a[i], "auth") && i + 2 < a.size()) {
        const bool ok = a[i + 1] == "default" &&
                        (svc_.auth_required_ ? !svc_.password_.empty() && a[i + 2] == svc_.password_ : true);
        LogAuth(a[i + 1], a[i + 2], ok, "hello");
        if (!ok) return Reply(V().num >= 60200 ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                                               : "-WRONGPASS invalid username-password pair\r\n");
        SetAuthed();
        i += 2;
      } else if (Eq(a[i], "setname") && i + 1 < a.size()) {
        client_name_ = a[++i].substr(0, 64);
      } else {
        return Reply(Err("ERR Syntax error in HELLO option '" + std::string(CStr(a[i])) + "'"));
      }
    }
    if (!authed_)
      return Reply("-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                   "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
                   "select the RESP protocol version at the same time\r\n");
    Reply(Arr(14) + Bulk("server") + Bulk("redis") + Bulk("version") + Bulk(V().text) + Bulk("proto") +
          Int(2) + Bulk("id") + Int(static_cast<int64_t>(client_id_)) + Bulk("mode") + Bulk("standalone") +
          Bulk("role") + Bulk(master_host_.empty() ? "master" : "replica") + Bulk("modules") + Arr(0));
  }

  // ---- config ----
  std::string ConfigValue(std::string_view key) const {
    for (const auto& [k, v] : config_set_)
      if (k == key) return v;
    const bool debian = decoy::IsDebianLike(svc_.host_.persona().distro());
    if (key == "dir") return "/var/lib/redis";
    if (key == "dbfilename") return "dump.rdb";
    if (key == "save") return V().num >= 70000 ? "3600 1 300 100 60 10000" : "900 1 300 10 60 10000";
    if (key == "port") return std::to_string(conn_.local().port);
    if (key == "bind") return svc_.auth_required_ ? "0.0.0.0" : "* -::*";
    if (key == "requirepass") return svc_.auth_required_ ? svc_.password_ : "";
    if (key == "masterauth") return "";
    if (key == "protected-mode") return svc_.auth_required_ ? "yes" : "no";
    if (key == "daemonize") return debian ? "yes" : "no";
    if (key == "supervised") return "systemd";
    if (key == "logfile") return debian ? "/var/log/redis/redis-server.log" : "/var/log/redis/redis.log";
    if (key == "pidfile") return debian ? "/run/redis/redis-server.pid" : "";
    if (key == "databases") return "16";
    if (key == "timeout") return "0";
    if (key == "tcp-keepalive") return "300";
    if (key == "maxclients") return "10000";
    if (key == "maxmemory") return "0";
    if (key == "maxmemory-policy") return "noeviction";
    if (key == "appendonly") return "no";
    if (key == "appendfilename") return "appendonly.aof";
    if (key == "loglevel") return "notice";
    if (key == "slave-read-only" || key == "replica-read-only") return "yes";
    if (key == "rdbcompression") return "yes";
    if (key == "enable-module-command") return "no";
    if (key == "slaveof" || key == "replicaof")
      return master_host_.empty() ? "" : master_host_ + " " + std::to_string(MasterPort());
    return "";
  }

  static constexpr std::string_view kConfigKeys[] = {
      "dbfilename", "requirepass", "masterauth", "logfile", "pidfile", "dir", "save", "bind", "port",
      "timeout", "tcp-keepalive", "databases", "maxclients", "maxmemory", "maxmemory-policy",
      "appendonly", "appendfilename", "loglevel", "protected-mode", "daemonize", "supervised",
      "replica-read-only", "slave-read-only", "rdbcompression", "replicaof", "slaveof"};

  void Config(const std::vector<std::string>& a) {
    const std::string sub = AsciiLower(a[1].substr(0, 32));
    if (sub == "get") {
      if (a.size() < 3) return Reply(Err("ERR wrong number of arguments for 'config|get' command"));
      std::vector<std::string> out;
      for (size_t i = 2; i < a.size(); ++i)
        for (std::string_view k : kConfigKeys) {
          if (k == "slave-read-only" && V().num >= 50000) continue;
          if (k == "replicaof" && V().num < 50000) continue;
          if (k == "enable-module-command" && V().num < 70000) continue;
          if (!GlobMatch(a[i], k, true)) continue;
          if (std::find(out.begin(), out.end(), k) != out.end()) continue;
          out.emplace_back(k);
          out.push_back(ConfigValue(k));
        }
      std::string r = Arr(out.size());
      for (const auto& s : out) r += Bulk(s);
      return Reply(r);
    }
    if (sub == "set") {
      if (a.size() < 4 || a.size() % 2 != 0)
        return Reply(Err("ERR wrong number of arguments for 'config|set' command"));
      for (size_t i = 2; i + 1 < a.size(); i += 2) {
        const std::string key = AsciiLower(a[i].substr(0, 64));
        ++svc_.h_.rce;
        Ev("config_set").Add("parameter", a[i]).Add("value", a[i + 1]).Emit();
        if (std::find(std::begin(kConfigKeys), std::end(kConfigKeys), key) == std::end(kConfigKeys)) {
          if (V().num >= 70000)
            return Reply(Err("ERR Unknown option or number of arguments for CONFIG SET - '" +
                             std::string(CStr(a[i])) + "'"));
          return Reply(Err("ERR Unsupported CONFIG parameter: " + std::string(CStr(a[i]))));
        }
        if (V().num >= 70000 && (key == "dir" || key == "dbfilename"))  // PROTECTED_CONFIG since 7.0
          return Reply(Err("ERR CONFIG SET failed (possibly related to argument '" + key +
                           "') - can't set protected config"));
        bool found = false;
        for (auto& [k, v] : config_set_)
          if (k == key) v = a[i + 1].substr(0, 1024), found = true;
        if (!found) config_set_.emplace_back(key, a[i + 1].substr(0, 1024));  // bounded by kConfigKeys
        if (key == "dir" || key == "dbfilename") config_chain_ = true;
        if (key == "requirepass" && !a[i + 1].empty()) Ev("config_set_password").Add("value", a[i + 1]).Emit();
      }
      return Reply(kOk);
    }
    if (sub == "resetstat" || sub == "rewrite") return Reply(kOk);
    if (sub == "help") return Reply(Arr(1) + Simple("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    if (V().num >= 60200)
      return Reply(Err("ERR unknown subcommand '" + std::string(CStr(a[1]).substr(0, 128)) + "'. Try CONFIG HELP."));
    return Reply(Err("ERR Unknown subcommand or wrong number of arguments for '" + std::string(CStr(a[1])) +
                     "'. Try CONFIG HELP."));
  }

  // ---- the RCE chain ----
  void Save(const Cmd& cmd) {
    ++svc_.h_.rce;
    size_t expires = 0;
    Ev("save").Add("command", cmd.name).Add("dir", ConfigValue("dir")).Add("dbfilename", ConfigValue("dbfilename"))
        .Add("after_config_set", config_chain_ ? "true" : "false")
        .Add("keys", static_cast<int64_t>(KeyCount(db_, &expires))).Emit();
    dirty_ = 0;
    last_save_ = svc_.host_.WallUs() / 1000000;
    if (cmd.name == "bgrewriteaof") return Reply(Simple("Background append only file rewriting started"));
    if (cmd.name == "bgsave") return Reply(Simple("Background saving started"));
    return Reply(kOk);
  }

  int64_t MasterPort() const {
    int64_t p = 0;
    return ParseInt(master_port_, &p) ? p : 0;
  }

  void Replicaof(const Cmd& cmd, const std::vector<std::string>& a) {
    ++svc_.h_.rce;
    Ev("replicaof").Add("command", cmd.name).Add("host", a[1]).Add("port", a[2]).Emit();
    if (Eq(a[1], "no") && Eq(a[2], "one")) {
      master_host_.clear();
      return Reply(kOk);
    }
    int64_t port = 0;
    if (!ParseInt(a[2], &port)) return Reply(kNotInt);
    // The decky never connects: INFO shows a replica whose link to its master stays down.
    master_host_ = a[1].substr(0, 255);
    master_port_ = std::to_string(port);
    Reply(kOk);
  }

  void Module(const std::vector<std::string>& a) {
    if (Eq(a[1], "load")) {
      if (a.size() < 3) return Reply(Err("ERR wrong number of arguments for 'module|load' command"));
      ++svc_.h_.rce;
      std::string args;
      for (size_t i = 3; i < a.size() && i < 3 + kMaxLoggedArgs; ++i) args += (i > 3 ? " " : "") + a[i].substr(0, kMaxLoggedArgBytes);
      Ev("module_load").Add("path", a[2]).Add("args", args).Emit();
      if (V().num >= 70000)  // enable-module-command defaults to "no" since 7.0
        return Reply(Err("ERR MODULE command not allowed. If the enable-module-command option is set to "
                         "\"local\", you can run it from a local connection, otherwise you need to set this "
                         "option in the configuration file, and then restart the server."));
      // The file never arrived (no replication): what redis says when dlopen() fails.
      return Reply(Err("ERR Error loading the extension. Please check the server logs."));
    }
    if (Eq(a[1], "list")) return Reply(Arr(0));
    if (Eq(a[1], "unload")) return Reply(Err("ERR Error unloading module: no such module with that name"));
    return Reply(Err("ERR unknown subcommand '" + std::string(CStr(a[1]).substr(0, 128)) + "'. Try MODULE HELP."));
  }

  void Eval(const std::vector<std::string>& a) {
    ++svc_.h_.rce;
    Ev("eval").Add("command", "eval").Add("script", std::string_view(a[1]).substr(0, kMaxScriptBytes))
        .Add("numkeys", a[2].substr(0, 32)).Emit();
    int64_t numkeys = 0;
    if (!ParseInt(a[2], &numkeys)) return Reply(kNotInt);
    if (numkeys < 0) return Reply(Err("ERR Number of keys can't be negative"));
    if (numkeys > static_cast<int64_t>(a.size()) - 3)
      return Reply(Err("ERR Number of keys can't be greater than number of args"));
    std::string_view s = a[1];
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ';')) s.remove_suffix(1);
    if (s.substr(0, 7) == "return ") {
      std::string_view v = s.substr(7);
      int64_t i = 0;
      if (ParseInt(v, &i)) return Reply(Int(i));
      if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front() &&
          v.substr(1, v.size() - 2).find(v.front()) == std::string_view::npos)
        return Reply(Bulk(v.substr(1, v.size() - 2)));
    }
    // CVE-2022-0543 and friends: the packaged Lua sandbox has no `package`/`io`/`os.execute`.
    for (std::string_view g : {"package", "io", "loadstring", "dofile", "require"}) {
      size_t at = s.find(g);
      while (at != std::string_view::npos) {
        const bool start = at == 0 || !(std::isalnum(static_cast<unsigned char>(s[at - 1])) || s[at - 1] == '_' || s[at - 1] == '.');
        const bool end = at + g.size() >= s.size() || !(std::isalnum(static_cast<unsigned char>(s[at + g.size()])) || s[at + g.size()] == '_');
        if (start && end) {
          const std::string sha = Hex(svc_.H(a[1]), 16) + Hex(svc_.H(a[1] + "1"), 16) + Hex(svc_.H(a[1] + "2"), 8);
          if (V().num >= 70000)
            return Reply(Err("ERR user_script:1: Script attempted to access nonexistent global variable '" +
                             std::string(g) + "' script: " + sha + ", on @user_script:1."));
          return Reply(Err("ERR Error running script (call to f_" + sha +
                           "): @enable_strict_lua:15: user_script:1: Script attempted to access nonexistent "
                           "global variable '" + std::string(g) + "' "));
        }
        at = s.find(g, at + 1);
      }
    }
    Reply(kNil);
  }

  // ---- client / command ----
  std::string ClientLine() const {
    const auto& r = conn_.remote();
    const auto& l = conn_.local();
    auto addr = [](const decoy::Endpoint& e) {
      return (e.ip.find(':') != std::string::npos ? "[" + e.ip + "]" : e.ip) + ":" + std::to_string(e.port);
    };
    std::string s = "id=" + std::to_string(client_id_) + " addr=" + addr(r);
    if (V().num >= 60200) s += " laddr=" + addr(l);
    s += " fd=8 name=" + client_name_ + " age=" + std::to_string(commands_ / 4) +
         " idle=0 flags=N db=" + std::to_string(db_) + " sub=0 psub=0";
    if (V().num >= 70000) s += " ssub=0";
    s += " multi=-1 qbuf=26 qbuf-free=" + std::string(V().num >= 60200 ? "20448" : "32742");
    if (V().num >= 60200) s += " argv-mem=10";
    if (V().num >= 70000) s += " multi-mem=0 rbs=1024 rbp=0";
    s += " obl=0 oll=0 omem=0";
    if (V().num >= 60200) s += " tot-mem=22426";
    s += " events=r cmd=client";
    if (V().num >= 70000) s += "|list";
    if (V().num >= 60000) s += " user=default";
    if (V().num >= 60200) s += " redir=-1";
    if (V().num >= 70000) s += " resp=2";
    return s + "\n";
  }

  void Client(const std::vector<std::string>& a) {
    const std::string sub = AsciiLower(a[1].substr(0, 32));
    if (sub == "list" || sub == "info") return Reply(Bulk(ClientLine()));
    if (sub == "getname") return Reply(client_name_.empty() ? kNil : Bulk(client_name_));
    if (sub == "setname" && a.size() == 3) {
      for (char c : a[2])
        if (c < '!' || c > '~')
          return Reply(Err("ERR Client names cannot contain spaces, newlines or special characters."));
      client_name_ = a[2].substr(0, 64);
      return Reply(kOk);
    }
    if (sub == "id") return Reply(Int(static_cast<int64_t>(client_id_)));
    if (sub == "setinfo" || sub == "reply" || sub == "no-evict" || sub == "tracking" || sub == "pause" ||
        sub == "unpause")
      return Reply(kOk);
    if (sub == "kill") return Reply(a.size() == 3 ? Err("ERR No such client") : Int(0));
    if (V().num >= 60200)
      return Reply(Err("ERR unknown subcommand '" + std::string(CStr(a[1]).substr(0, 128)) + "'. Try CLIENT HELP."));
    return Reply(Err("ERR Unknown subcommand or wrong number of arguments for '" + std::string(CStr(a[1])) +
                     "'. Try CLIENT HELP."));
  }

  std::string CommandEntry(const Cmd& c) const {
    // [name, arity, flags, first key, last key, step] (+ ACL categories since 6.0; + tips, key
    // specs and subcommands since 7.0).
    const bool keyed = c.arity != 1 && c.arity != -1 && c.op != Op::kAuth && c.op != Op::kPing &&
                       c.op != Op::kEcho && c.op != Op::kConfig && c.op != Op::kClient &&
                       c.op != Op::kInfo && c.op != Op::kSelect && c.op != Op::kReplicaof &&
                       c.op != Op::kModule && c.op != Op::kScan && c.op != Op::kKeys;
    const size_t fields = V().num >= 70000 ? 10 : V().num >= 60000 ? 7 : 6;
    std::string s = Arr(fields) + Bulk(c.name) + Int(c.arity) + Arr(0) + Int(keyed) + Int(keyed) + Int(keyed);
    for (size_t i = 6; i < fields; ++i) s += Arr(0);
    return s;
  }

  void Command(const std::vector<std::string>& a) {
    size_t count = 0;
    for (const Cmd& c : kCommands) count += V().num >= c.since;
    if (a.size() == 1) {
      std::string out = Arr(count);
      for (const Cmd& c : kCommands)
        if (V().num >= c.since) out += CommandEntry(c);
      return Reply(out);
    }
    const std::string sub = AsciiLower(a[1].substr(0, 32));
    if (sub == "count") return Reply(Int(static_cast<int64_t>(count)));
    if (sub == "info") {
      std::string out = Arr(a.size() - 2);
      for (size_t i = 2; i < a.size(); ++i) {
        const Cmd* found = nullptr;
        const std::string n = AsciiLower(a[i].substr(0, 64));
        for (const Cmd& c : kCommands)
          if (c.name == n && V().num >= c.since) found = &c;
        out += found ? CommandEntry(*found) : "*-1\r\n";
      }
      return Reply(out);
    }
    if (sub == "docs" && V().num >= 70000) return Reply(Arr(0));
    if (sub == "getkeys" && a.size() > 3) return Reply(Arr(1) + Bulk(a[3]));
    if (V().num >= 60200)
      return Reply(Err("ERR unknown subcommand '" + std::string(CStr(a[1]).substr(0, 128)) + "'. Try COMMAND HELP."));
    return Reply(Err("ERR Unknown subcommand or wrong number of arguments for '" + std::string(CStr(a[1])) +
                     "'. Try COMMAND HELP."));
  }

  // ---- INFO ----
  int64_t LastSave() const {
    if (last_save_) return last_save_;
    return svc_.host_.WallUs() / 1000000 - static_cast<int64_t>(svc_.H("lastsave") % 3000) - 60;
  }

  std::string Info(const std::vector<std::string>& a) const {
    std::vector<std::string> want;
    for (size_t i = 1; i < a.size() && i < 16; ++i) want.push_back(AsciiLower(a[i].substr(0, 32)));
    const bool all = want.empty() || std::find(want.begin(), want.end(), "default") != want.end() ||
                     std::find(want.begin(), want.end(), "all") != want.end() ||
                     std::find(want.begin(), want.end(), "everything") != want.end();
    auto on = [&](std::string_view s) { return all || std::find(want.begin(), want.end(), s) != want.end(); };
    const int64_t now_us = svc_.host_.WallUs();
    const int64_t now = now_us / 1000000;
    const decoy::Persona& p = svc_.host_.persona();
    const int64_t up = std::max<int64_t>(60, p.UptimeSeconds(now) - static_cast<int64_t>(svc_.H("started") % 600));
    const int n = V().num;
    std::string o;
    int sections = 0;
    auto section = [&](std::string_view title) {
      if (sections++) o += "\r\n";
      o += "# ";
      o += title;
      o += "\r\n";
    };
    auto kv = [&](std::string_view k, const std::string& v) {
      o += k;
      o += ':';
      o += v;
      o += "\r\n";
    };
    auto num = [](uint64_t v) { return std::to_string(v); };
    char buf[64];

    if (on("server")) {
      section("Server");
      kv("redis_version", V().text);
      kv("redis_git_sha1", "00000000");
      kv("redis_git_dirty", "0");
      kv("redis_build_id", Hex(svc_.H("build_id"), 16));
      kv("redis_mode", "standalone");
      kv("os", "Linux " + p.kernel() + " x86_64");
      kv("arch_bits", "64");
      if (n >= 60200) kv("monotonic_clock", "POSIX clock_gettime");
      kv("multiplexing_api", "epoll");
      if (n >= 50000) kv("atomicvar_api", n >= 60200 ? "c11-builtin" : "atomic-builtin");
      kv("gcc_version", std::string(svc_.gcc_));
      kv("process_id", num(600 + svc_.H("pid") % 2400));
      if (n >= 70000) kv("process_supervised", "systemd");
      kv("run_id", Hex(svc_.H("run_id"), 16) + Hex(svc_.H("run_id2"), 16) + Hex(svc_.H("run_id3"), 8));
      kv("tcp_port", num(conn_.local().port));
      if (n >= 60200) kv("server_time_usec", std::to_string(now_us));
      kv("uptime_in_seconds", std::to_string(up));
      kv("uptime_in_days", std::to_string(up / 86400));
      kv("hz", "10");
      if (n >= 40000) kv("configured_hz", "10");
      kv("lru_clock", std::to_string(now & ((1 << 24) - 1)));
      kv("executable", "/usr/bin/redis-server");
      kv("config_file", decoy::IsDebianLike(p.distro()) ? "/etc/redis/redis.conf" : "/etc/redis.conf");
      if (n >= 60000) kv("io_threads_active", "0");
    }
    const uint64_t used = 870000 + svc_.H("mem") % 400000 + overlay_bytes_;
    if (on("clients")) {
      section("Clients");
      kv("connected_clients", num(svc_.live_ + svc_.H("clients") % 3));
      if (n >= 70000) kv("cluster_connections", "0");
      if (n >= 60200) kv("maxclients", "10000");
      kv("client_recent_max_input_buffer", n >= 60200 ? "20480" : "4");
      kv("client_recent_max_output_buffer", "0");
      kv("blocked_clients", "0");
      if (n >= 60000) kv("tracking_clients", "0");
      if (n >= 60000) kv("clients_in_timeout_table", "0");
    }
    if (on("memory")) {
      section("Memory");
      const uint64_t rss = used * 3 + svc_.H("rss") % 2000000;
      const uint64_t peak = used + 150000 + svc_.H("peak") % 900000;
      const uint64_t gib = 1ULL << (1 + svc_.H("ram") % 5);  // 2..32 GiB
      const uint64_t total = gib * 1073741824ULL - (svc_.H("ram2") % 300) * 1048576ULL;
      kv("used_memory", num(used));
      kv("used_memory_human", Human(used));
      kv("used_memory_rss", num(rss));
      kv("used_memory_rss_human", Human(rss));
      kv("used_memory_peak", num(peak));
      kv("used_memory_peak_human", Human(peak));
      std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * used / peak);
      kv("used_memory_peak_perc", buf);
      kv("used_memory_overhead", num(used * 9 / 10));
      kv("used_memory_startup", num(used * 8 / 10));
      kv("used_memory_dataset", num(used / 10));
      std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * (used / 10) / (used - used * 8 / 10));
      kv("used_memory_dataset_perc", buf);
      kv("total_system_memory", num(total));
      kv("total_system_memory_human", Human(total));
      kv("used_memory_lua", "31744");
      kv("used_memory_lua_human", "31.00K");
      kv("used_memory_scripts", "0");
      kv("used_memory_scripts_human", "0B");
      kv("maxmemory", "0");
      kv("maxmemory_human", "0B");
      kv("maxmemory_policy", "noeviction");
      std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(rss) / used);
      kv("mem_fragmentation_ratio", buf);
      kv("mem_allocator", std::string(svc_.allocator_));
      kv("lazyfree_pending_objects", "0");
    }
    if (on("persistence")) {
      section("Persistence");
      kv("loading", "0");
      kv("rdb_changes_since_last_save", num(dirty_ + svc_.H("dirty") % 40));
      kv("rdb_bgsave_in_progress", "0");
      kv("rdb_last_save_time", std::to_string(LastSave()));
      kv("rdb_last_bgsave_status", "ok");
      kv("rdb_last_bgsave_time_sec", "0");
      kv("rdb_current_bgsave_time_sec", "-1");
      kv("aof_enabled", "0");
      kv("aof_rewrite_in_progress", "0");
      kv("aof_rewrite_scheduled", "0");
      kv("aof_last_rewrite_time_sec", "-1");
      kv("aof_current_rewrite_time_sec", "-1");
      kv("aof_last_bgrewrite_status", "ok");
      kv("aof_last_write_status", "ok");
    }
    if (on("stats")) {
      section("Stats");
      const uint64_t days = static_cast<uint64_t>(up / 86400) + 1;
      const uint64_t conns = 12 + days * (20 + svc_.H("conns") % 300) + svc_.h_.sessions;
      const uint64_t cmds = conns * (30 + svc_.H("cmds") % 70) + svc_.h_.commands;
      kv("total_connections_received", num(conns));
      kv("total_commands_processed", num(cmds));
      kv("instantaneous_ops_per_sec", "0");
      kv("total_net_input_bytes", num(cmds * 41));
      kv("total_net_output_bytes", num(cmds * 97));
      kv("instantaneous_input_kbps", "0.00");
      kv("instantaneous_output_kbps", "0.00");
      kv("rejected_connections", "0");
      kv("sync_full", "0");
      kv("sync_partial_ok", "0");
      kv("sync_partial_err", "0");
      kv("expired_keys", num(cmds / 23));
      kv("evicted_keys", "0");
      kv("keyspace_hits", num(cmds / 3));
      kv("keyspace_misses", num(cmds / 17));
      kv("pubsub_channels", "0");
      kv("pubsub_patterns", "0");
      kv("latest_fork_usec", num(180 + svc_.H("fork") % 600));
      kv("migrate_cached_sockets", "0");
    }
    if (on("replication")) {
      section("Replication");
      if (master_host_.empty()) {
        kv("role", "master");
        kv("connected_slaves", "0");
      } else {
        kv("role", "slave");
        kv("master_host", master_host_);
        kv("master_port", master_port_);
        kv("master_link_status", "down");
        kv("master_last_io_seconds_ago", "-1");
        kv("master_sync_in_progress", "0");
        kv("slave_read_repl_offset", "1");
        kv("slave_repl_offset", "1");
        kv("master_link_down_since_seconds", "-1");
        kv("slave_priority", "100");
        kv("slave_read_only", "1");
        kv("connected_slaves", "0");
      }
      if (n >= 60200) kv("master_failover_state", "no-failover");
      if (n >= 40000) {
        kv("master_replid", Hex(svc_.H("replid"), 16) + Hex(svc_.H("replid2"), 16) + Hex(svc_.H("replid3"), 8));
        kv("master_replid2", "0000000000000000000000000000000000000000");
        kv("master_repl_offset", "0");
        kv("second_repl_offset", "-1");
      }
      kv("repl_backlog_active", "0");
      kv("repl_backlog_size", "1048576");
      kv("repl_backlog_first_byte_offset", "0");
      kv("repl_backlog_histlen", "0");
    }
    if (on("cpu")) {
      section("CPU");
      const double secs = static_cast<double>(up);
      auto f = [&](double v) {
        std::snprintf(buf, sizeof buf, "%.6f", v);
        return std::string(buf);
      };
      kv("used_cpu_sys", f(secs * (0.0009 + (svc_.H("cpu") % 50) / 100000.0)));
      kv("used_cpu_user", f(secs * (0.0007 + (svc_.H("cpu2") % 50) / 100000.0)));
      kv("used_cpu_sys_children", f(0.012 * static_cast<double>(svc_.H("cpu3") % 40)));
      kv("used_cpu_user_children", f(0.009 * static_cast<double>(svc_.H("cpu4") % 40)));
    }
    if (on("modules") && n >= 60000) section("Modules");
    if (on("cluster")) {
      section("Cluster");
      kv("cluster_enabled", "0");
    }
    if (on("keyspace")) {
      section("Keyspace");
      for (uint8_t d = 0; d < 16; ++d) {
        size_t expires = 0;
        const size_t keys = KeyCount(d, &expires);
        if (keys == 0) continue;
        kv("db" + std::to_string(d), "keys=" + std::to_string(keys) + ",expires=" + std::to_string(expires) +
                                         ",avg_ttl=" + std::to_string(expires ? 812345 + svc_.H("ttl") % 400000 : 0));
      }
    }
    return o;
  }

  Redis& svc_;
  decoy::Connection& conn_;
  RespParser parser_;
  bool authed_ = false;
  bool closing_ = false;
  bool config_chain_ = false;
  uint8_t db_ = 0;
  uint16_t flushed_ = 0;
  uint64_t client_id_ = 0;
  size_t commands_ = 0;
  uint64_t dirty_ = 0;
  int64_t last_save_ = 0;
  std::string client_name_, master_host_, master_port_;
  std::vector<std::pair<std::string, std::string>> config_set_;
  std::vector<Entry> overlay_;
  size_t overlay_bytes_ = 0;
};

std::unique_ptr<decoy::Session> Redis::NewSession(decoy::Connection& conn) {
  return std::make_unique<RedisSession>(*this, conn);
}

}  // namespace

std::unique_ptr<decoy::Service> MakeRedis(decoy::Host& host) { return std::make_unique<Redis>(host); }

}  // namespace decnet::services::db
