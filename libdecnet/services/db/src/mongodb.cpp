// The mongodb service: wire framing (OP_MSG, OP_QUERY/OP_REPLY), the command set a ransom bot walks
// through, SCRAM-SHA-256 capture, and a small fake data set per persona. See mongodb.h.
#include "decnet/services/db/mongodb.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "decnet/core/text.h"
#include "decnet/decoy/persona.h"
#include "scram.h"

namespace decnet::services::db {

using bson::Elem;
using bson::Value;

namespace mongodb {
namespace {

int32_t Le32(const char* p) {
  uint32_t v = 0;
  for (int n = 0; n < 4; ++n) v |= uint32_t(static_cast<unsigned char>(p[n])) << (8 * n);
  return static_cast<int32_t>(v);
}

// One element budget for all the documents of one message (bson::Limits::max_elements).
struct Budget {
  size_t left = bson::Limits{}.max_elements;
};

bool ReadDoc(std::string_view* in, Value* out, std::string* why, Budget* budget) {
  size_t used = 0, counted = 0;
  bson::Error err = bson::Error::kNone;
  bson::Limits lim;
  lim.max_elements = budget->left;
  if (!bson::Parse(*in, lim, out, &used, &err, &counted)) {
    *why = std::string("bson_") + bson::ErrorName(err);
    return false;
  }
  budget->left -= counted;
  in->remove_prefix(used);
  return true;
}

}  // namespace

std::optional<std::pair<Header, std::string>> MessageReader::Next() {
  if (failed_ || buf_.size() < 4) return std::nullopt;
  const int32_t len = Le32(buf_.data());
  if (len < 16 || static_cast<size_t>(len) > max_) {
    failed_ = true;
    buf_.clear();
    return std::nullopt;
  }
  if (buf_.size() < static_cast<size_t>(len)) return std::nullopt;
  Header h{len, Le32(buf_.data() + 4), Le32(buf_.data() + 8), Le32(buf_.data() + 12)};
  std::pair<Header, std::string> out{h, buf_.substr(16, len - 16)};
  buf_.erase(0, len);
  return out;
}

constexpr size_t kMaxSequenceDocs = 100000;  // mongod's maxWriteBatchSize

bool ParseOpMsg(std::string_view body, Command* out, std::string* why) {
  if (body.size() < 4) return (*why = "opmsg_truncated", false);
  const auto flags = static_cast<uint32_t>(Le32(body.data()));
  body.remove_prefix(4);
  if (flags & 1) {  // checksumPresent: a CRC-32C we do not verify, only strip
    if (body.size() < 4) return (*why = "opmsg_truncated", false);
    body.remove_suffix(4);
  }
  bool have_body = false;
  std::vector<Elem> seqs;
  Budget budget;
  while (!body.empty()) {
    const char kind = body[0];
    body.remove_prefix(1);
    if (kind == 0) {
      if (have_body) return (*why = "opmsg_two_bodies", false);
      if (!ReadDoc(&body, &out->doc, why, &budget)) return false;
      have_body = true;
    } else if (kind == 1) {
      if (body.size() < 4) return (*why = "opmsg_truncated", false);
      const int32_t size = Le32(body.data());
      if (size < 5 || static_cast<size_t>(size) > body.size())
        return (*why = "opmsg_bad_sequence", false);
      std::string_view seq = body.substr(4, size - 4);
      body.remove_prefix(size);
      const size_t nul = seq.find('\0');
      if (nul == std::string_view::npos) return (*why = "opmsg_bad_sequence", false);
      Elem e{std::string(seq.substr(0, nul)), Value::Arr({})};
      seq.remove_prefix(nul + 1);
      while (!seq.empty()) {
        if (e.val.kids.size() >= kMaxSequenceDocs) return (*why = "opmsg_too_many_docs", false);
        Value d;
        if (!ReadDoc(&seq, &d, why, &budget)) return false;
        e.val.kids.push_back({std::to_string(e.val.kids.size()), std::move(d)});
      }
      seqs.push_back(std::move(e));
    } else {
      return (*why = "opmsg_bad_section", false);
    }
  }
  if (!have_body) return (*why = "opmsg_no_body", false);
  for (Elem& e : seqs) out->doc.kids.push_back(std::move(e));
  const Value* db = out->doc.Get("$db");
  out->db = db && db->type == bson::kString ? db->s : "admin";
  return true;
}

bool ParseOpQuery(std::string_view body, Command* out, std::string* why) {
  if (body.size() < 4) return (*why = "opquery_truncated", false);
  body.remove_prefix(4);  // flags
  const size_t nul = body.find('\0');
  if (nul == std::string_view::npos) return (*why = "opquery_truncated", false);
  const std::string_view ns = body.substr(0, nul);
  body.remove_prefix(nul + 1);
  if (ns.size() < 6 || ns.substr(ns.size() - 5) != ".$cmd")
    return (*why = "opquery_not_cmd", false);
  out->db = std::string(ns.substr(0, ns.size() - 5));
  if (body.size() < 8) return (*why = "opquery_truncated", false);
  body.remove_prefix(8);  // numberToSkip, numberToReturn
  Budget budget;
  if (!ReadDoc(&body, &out->doc, why, &budget)) return false;
  // Old drivers wrap the command: {$query: {...}, $readPreference: ...}.
  if (const Value* q = out->doc.Get("$query"); q && q->type == bson::kDocument) {
    Value inner = *q;
    out->doc = std::move(inner);
  }
  out->legacy = true;
  return true;
}

}  // namespace mongodb

namespace {

using mongodb::Command;

constexpr std::string_view kService = "mongodb";
constexpr size_t kMaxConnectionBytes = 16 << 20;
constexpr size_t kMaxStoredDocs = 256;        // inserted documents kept (all connections)
constexpr size_t kMaxStoredBytes = 1 << 20;   // their BSON bytes, all together
constexpr size_t kMaxDroppedNames = 256;      // dropped databases/collections remembered
constexpr uint32_t kScramIterations = 15000;  // mongod's scramSHA256IterationCount default
constexpr int32_t kOpReply = 1, kOpQuery = 2004, kOpMsg = 2013;

struct Build {
  std::string_view version, git;
  int wire;
  std::string_view distmod, openssl;
};
constexpr Build kBuilds[] = {
    {"6.0.12", "21e6e8e11a45dfbdb7ca6cf95fa8c5f859e2b118", 17, "ubuntu2204",
     "OpenSSL 3.0.2 15 Mar 2022"},
    {"5.0.23", "3d5b8ac3d6a5dd0f4d8c9a7fc5b2a1d3e9e0f1c2", 13, "ubuntu2004",
     "OpenSSL 1.1.1f  31 Mar 2020"},
    {"4.4.25", "3e18c4c56048ddf22a6872edc8b09ffe6e8f6a2b", 9, "ubuntu2004",
     "OpenSSL 1.1.1f  31 Mar 2020"},
    {"3.6.23", "d352e6a4764659e0d0350ce77279de3c1f243e5c", 6, "ubuntu1604",
     "OpenSSL 1.0.2g  1 Mar 2016"},
};

int WireFor(std::string_view v) {
  static constexpr std::pair<std::string_view, int> kWire[] = {
      {"3.6", 6}, {"4.0", 7}, {"4.2", 8}, {"4.4", 9}, {"5.0", 13}, {"6.0", 17}, {"7.0", 21}};
  for (const auto& [pre, w] : kWire)
    if (v.rfind(pre, 0) == 0) return w;
  return 17;
}

// ---- The fake data set
// ----------------------------------------------------------------------------

struct FakeCollection {
  std::string_view name, fields, rows;  // fields comma separated; rows '\n', values '\t'
};
struct FakeDb {
  std::string_view name;
  std::vector<FakeCollection> colls;
};

const std::vector<FakeDb>& AppDbs() {
  static const std::vector<FakeDb> kDbs = {
      {"shop",
       {{"customers", "name,email,phone,city",
         "Laura Kim\tlaura.kim@mailbox.org\t+1-415-555-0142\tSan Francisco\n"
         "Marco Rossi\tm.rossi@libero.it\t+39-06-5550-1933\tRoma\n"
         "Anna Schmidt\tanna.schmidt@web.de\t+49-30-5550-7781\tBerlin"},
        {"orders", "order_no,customer,total,status",
         "100231\tlaura.kim@mailbox.org\t149\tshipped\n"
         "100232\tm.rossi@libero.it\t89\tpending\n"
         "100233\tanna.schmidt@web.de\t312\tdelivered"},
        {"products", "sku,name,price,stock",
         "SKU-1001\tWireless Mouse\t25\t140\nSKU-1002\tUSB-C Dock\t119\t32"}}},
      {"users",
       {{"accounts", "username,email,password,role",
         "admin\tadmin@corp.internal\t$2b$10$"
         "Qx3k1mZcV7uJr8YwP0aL4eXo1T9sN2bH6dF5gK3jL7mP0qR8sT2uW\tadmin\n"
         "jsmith\tj.smith@corp.internal\t$2b$10$"
         "Hh7gT2kLm9Pq4Rs6Vw8Yz0Ab1Cd3Ef5Gh7Ij9Kl1Mn3Op5Qr7St9u\tuser"},
        {"sessions", "token,username,expires",
         "9f8e7d6c5b4a39281706f5e4d3c2b1a0\tadmin\t2024-06-30T12:00:00Z"}}},
      {"crm",
       {{"contacts", "name,company,email",
         "Peter Novak\tNovak Logistics\tpeter@novak-logistics.cz\n"
         "Sofia Lind\tLind & Berg AB\tsofia@lindberg.se"},
        {"leads", "company,value,stage",
         "Acme GmbH\t25000\tproposal\nNordic Foods\t12000\tqualified"}}},
  };
  return kDbs;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t at = s.find(sep);
    out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() < 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- SCRAM-SHA-256 (RFC 5802 / 7677)
// ----------------------------------------------------------------

using scram::B64;
using scram::Hmac;
using scram::SaltedPassword;
using scram::Sha256;
using scram::UnB64;
using scram::Xor;
// The value of attribute `k` ("n", "r", "p", ...) of a SCRAM message.
std::string Attr(std::string_view msg, char k) {
  for (const std::string& part : Split(msg, ','))
    if (part.size() >= 2 && part[0] == k && part[1] == '=') return part.substr(2);
  return {};
}

Value Ok(Value doc) {
  doc.kids.push_back({"ok", Value::Dbl(1)});
  return doc;
}
Value Err(int code, std::string_view name, std::string_view msg) {
  return Value::Doc({{"ok", Value::Dbl(0)},
                     {"errmsg", Value::Str(msg)},
                     {"code", Value::I32(code)},
                     {"codeName", Value::Str(name)}});
}
Value Cursor(std::string_view ns, std::vector<Value> batch, std::string_view key = "firstBatch") {
  return Ok(Value::Doc({{"cursor", Value::Doc({{std::string(key), Value::Arr(std::move(batch))},
                                               {"id", Value::I64(0)},
                                               {"ns", Value::Str(ns)}})}}));
}

struct Health {
  uint64_t sessions = 0, commands = 0, unknown = 0, ransom = 0, inserted = 0, stored_dropped = 0,
           auths = 0, auths_ok = 0, malformed = 0, oversize = 0, unauthorized = 0;
};

class Mongodb final : public decoy::Service {
 public:
  explicit Mongodb(decoy::Host& host) : host_(host) {
    const decoy::Persona& p = host.persona();
    const Build& b = kBuilds[p.Hash(kService, "build") % std::size(kBuilds)];
    version_ = p.Setting(kService, "version", b.version);
    build_ = &b;
    for (const Build& x : kBuilds)
      if (x.version.substr(0, 3) == std::string_view(version_).substr(0, 3)) build_ = &x;
    wire_ = WireFor(version_);
    scram_ = p.Setting(kService, "auth", "none") == "scram";
    for (const std::string& pair : Split(p.Setting(kService, "users", ""), ',')) {
      const size_t colon = pair.find(':');
      if (colon != std::string::npos) users_.emplace(pair.substr(0, colon), pair.substr(colon + 1));
    }
    app_ = &AppDbs()[p.Hash(kService, "app") % AppDbs().size()];
    app_size_ = (8 + p.Hash(kService, "size") % 900) << 20;
    conn_base_ = 3 + p.Hash(kService, "conn") % 4000;
    const uint64_t h = p.Hash(kService, "oid");
    for (int n = 0; n < 5; ++n) oid_mid_.push_back(static_cast<char>((h >> (8 * n)) & 0xFF));
    pid_ = 700 + static_cast<int>(p.Hash(kService, "pid") % 3000);
  }
  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(decoy::Connection& conn) override;
  void AddHealth(std::string* j) const override {
    auto f = [&](std::string_view k, uint64_t v) {
      *j += ",\"mongodb_" + std::string(k) + "\":" + std::to_string(v);
    };
    f("sessions", live_);
    f("commands", h_.commands);
    f("unknown_commands", h_.unknown);
    f("ransom_steps", h_.ransom);
    f("inserted", h_.inserted);
    f("inserted_not_kept", h_.stored_dropped);
    f("auths", h_.auths);
    f("auths_ok", h_.auths_ok);
    f("unauthorized", h_.unauthorized);
    f("malformed", h_.malformed);
    f("oversize", h_.oversize);
  }

  Value Oid(uint32_t n) const {
    std::string raw;
    const uint32_t ts = 1672531200u + n * 86400u;  // 2023 onwards, a day apart
    for (int s = 24; s >= 0; s -= 8) raw.push_back(static_cast<char>((ts >> s) & 0xFF));
    raw += oid_mid_;
    for (int s = 16; s >= 0; s -= 8) raw.push_back(static_cast<char>((n >> s) & 0xFF));
    return Value::Oid(raw);
  }
  bool DbDropped(std::string_view db) const { return dropped_.count(std::string(db) + ".") > 0; }
  bool CollDropped(std::string_view ns) const {
    const size_t dot = ns.find('.');
    return dropped_.count(std::string(ns)) > 0 || DbDropped(ns.substr(0, dot));
  }
  void Drop(std::string key) {
    if (dropped_.size() < kMaxDroppedNames) dropped_.insert(std::move(key));
  }
  // The documents of a collection: the fake ones (unless dropped), then the inserted ones.
  std::vector<Value> Docs(std::string_view db, std::string_view coll) const {
    std::vector<Value> out;
    const std::string ns = std::string(db) + "." + std::string(coll);
    if (db == app_->name && !CollDropped(ns)) {
      uint32_t n = 0;
      for (const FakeCollection& c : app_->colls) {
        n += 10;
        if (c.name != coll) continue;
        const std::vector<std::string> fields = Split(c.fields, ',');
        for (const std::string& row : Split(c.rows, '\n')) {
          Value d = Value::Doc({{"_id", Oid(++n)}});
          const std::vector<std::string> vals = Split(row, '\t');
          for (size_t k = 0; k < fields.size() && k < vals.size(); ++k)
            d.kids.push_back({fields[k], AllDigits(vals[k]) ? Value::I32(std::stoi(vals[k]))
                                                            : Value::Str(vals[k])});
          out.push_back(std::move(d));
        }
      }
    }
    for (const auto& [where, doc] : stored_)
      if (where == ns) out.push_back(doc);
    return out;
  }
  std::vector<std::string> Collections(std::string_view db) const {
    std::set<std::string> names;
    if (db == app_->name)
      for (const FakeCollection& c : app_->colls)
        if (!CollDropped(std::string(db) + "." + std::string(c.name))) names.emplace(c.name);
    if (db == "admin" && !DbDropped("admin")) names.emplace("system.version");
    for (const auto& [where, doc] : stored_)
      if (where.rfind(std::string(db) + ".", 0) == 0) names.insert(where.substr(db.size() + 1));
    return {names.begin(), names.end()};
  }

  decoy::Host& host_;
  std::string version_;
  const Build* build_ = nullptr;
  int wire_ = 17;
  bool scram_ = false;
  std::map<std::string, std::string, std::less<>> users_;
  const FakeDb* app_ = nullptr;
  uint64_t app_size_ = 0;
  uint64_t conn_base_ = 3;
  std::string oid_mid_;
  int pid_ = 1000;
  std::set<std::string> dropped_;  // "db." for a database, "db.coll" for a collection
  std::vector<std::pair<std::string, Value>> stored_;  // ns, inserted document
  size_t stored_bytes_ =
      0;  // of inserts since start (not given back by drops: a bound, not a tally)
  Health h_;
  size_t live_ = 0;
};

class MongoSession final : public decoy::Session {
 public:
  MongoSession(Mongodb& svc, decoy::Connection& conn)
      : svc_(svc), conn_(conn), reader_(mongodb::kMaxMessage) {
    ++svc_.live_;
    ++svc_.h_.sessions;
  }
  ~MongoSession() override { --svc_.live_; }

  void OnData(std::string_view bytes) override {
    if (closing_) return;
    total_in_ += bytes.size();
    if (total_in_ > kMaxConnectionBytes) return Limit("connection_bytes");
    reader_.Feed(bytes);
    while (!closing_) {
      auto msg = reader_.Next();
      if (!msg) break;
      Message(msg->first, msg->second);
    }
    // mongod closes on a bad length ("recv(): message len ... is invalid").
    if (reader_.failed() && !closing_) Limit("message_length");
  }

 private:
  using Handler = Value (MongoSession::*)(const Command&, const std::string& coll);

  decoy::EventLog::Event Ev(std::string_view type) {
    return svc_.host_.log().New(kService, type).From(conn_);
  }
  void Close() {
    closing_ = true;
    conn_.Close();
  }
  void Limit(std::string_view reason) {
    ++svc_.h_.oversize;
    Ev("limit").Add("reason", reason).Emit();
    Close();
  }
  void Malformed(std::string_view why) {
    ++svc_.h_.malformed;
    ++svc_.host_.counters().malformed;
    Ev("malformed").Add("reason", why).Emit();
    Close();  // as mongod does on an unparsable message
  }

  void Message(const mongodb::Header& h, std::string_view body) {
    Command cmd;
    std::string why;
    if (h.op == kOpMsg) {
      if (!mongodb::ParseOpMsg(body, &cmd, &why)) return Malformed(why);
      const bool more_to_come = body.size() >= 4 && (static_cast<unsigned char>(body[0]) & 2);
      const Value reply = Run(cmd);
      if (!more_to_come) SendMsg(h.request_id, reply);
    } else if (h.op == kOpQuery) {
      if (!mongodb::ParseOpQuery(body, &cmd, &why)) return Malformed(why);
      SendReply(h.request_id, Run(cmd));
    } else {
      Malformed("opcode_" + std::to_string(h.op));
    }
  }

  void Frame(int32_t response_to, int32_t op, std::string body) {
    std::string out;
    auto put = [&](int32_t v) {
      for (int n = 0; n < 4; ++n)
        out.push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * n)) & 0xFF));
    };
    put(static_cast<int32_t>(16 + body.size()));
    put(++next_id_);
    put(response_to);
    put(op);
    conn_.Write(out + body);
  }
  void SendMsg(int32_t to, const Value& doc) {
    Frame(to, kOpMsg, std::string("\0\0\0\0\0", 5) + bson::Encode(doc));
  }
  void SendReply(int32_t to, const Value& doc) {
    // responseFlags AwaitCapable, cursorID 0, startingFrom 0, numberReturned 1.
    std::string b("\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0", 20);
    Frame(to, kOpReply, b + bson::Encode(doc));
  }

  static const std::map<std::string, Handler>& Handlers();

  Value Run(const Command& cmd) {
    if (cmd.doc.kids.empty()) return Err(59, "CommandNotFound", "no such command: ''");
    const Elem& first = cmd.doc.kids.front();
    const std::string name = AsciiLower(first.key);
    const std::string coll = first.val.type == bson::kString ? first.val.s : "";
    ++svc_.h_.commands;
    const auto& hs = Handlers();
    const auto it = hs.find(name);
    auto ev = Ev("command");
    ev.Add("db", cmd.db).Add("command", first.key);
    if (!coll.empty()) ev.Add("collection", coll);
    if (cmd.legacy) ev.Add("opcode", "OP_QUERY");
    if (it == hs.end()) {
      ++svc_.h_.unknown;
      ev.Add("result", "CommandNotFound").Emit();
      return Err(59, "CommandNotFound", "no such command: '" + first.key + "'");
    }
    if (svc_.scram_ && !authed_ && !Open(name)) {
      ++svc_.h_.unauthorized;
      ev.Add("result", "Unauthorized").Emit();
      return Err(13, "Unauthorized", "command " + first.key + " requires authentication");
    }
    Detail(name, cmd, &ev);
    ev.Emit();
    return (this->*it->second)(cmd, coll);
  }

  // Commands mongod runs before authentication.
  static bool Open(std::string_view name) {
    return name == "hello" || name == "ismaster" || name == "buildinfo" || name == "ping" ||
           name == "saslstart" || name == "saslcontinue" || name == "endsessions" ||
           name == "whatsmyuri" || name == "connectionstatus" || name == "logout";
  }

  // What a command's event carries beyond its name: the ransom steps and their payloads.
  void Detail(std::string_view name, const Command& cmd, decoy::EventLog::Event* ev) {
    const size_t max = svc_.host_.limits().max_field_bytes;
    if (name == "drop" || name == "dropdatabase" || name == "insert") {
      ++svc_.h_.ransom;
      ev->Add("ransom_step", name == "drop"     ? "drop"
                             : name == "insert" ? "insert"
                                                : "drop_database");
    }
    if (name == "insert")
      if (const Value* d = cmd.doc.Get("documents")) ev->Add("documents", bson::ToText(*d, max));
    for (const char* k : {"filter", "query", "deletes", "updates", "pipeline"})
      if (const Value* f = cmd.doc.Get(k)) ev->Add(k, bson::ToText(*f, max));
  }

  Value Hello(const Command& cmd, const std::string&) {
    const bool legacy_name = AsciiLower(cmd.doc.kids.front().key) == "ismaster";
    Value d = Value::Doc({{legacy_name ? "ismaster" : "isWritablePrimary", Value::Bool(true)}});
    if (svc_.wire_ >= 9)
      d.kids.push_back({"topologyVersion",
                        Value::Doc({{"processId", svc_.Oid(0)}, {"counter", Value::I64(0)}})});
    d.kids.push_back({"maxBsonObjectSize", Value::I32(16777216)});
    d.kids.push_back({"maxMessageSizeBytes", Value::I32(48000000)});
    d.kids.push_back({"maxWriteBatchSize", Value::I32(100000)});
    d.kids.push_back({"localTime", Value::Date(svc_.host_.WallUs() / 1000)});
    d.kids.push_back({"logicalSessionTimeoutMinutes", Value::I32(30)});
    d.kids.push_back(
        {"connectionId", Value::I32(static_cast<int32_t>(svc_.conn_base_ + conn_.id()))});
    d.kids.push_back({"minWireVersion", Value::I32(0)});
    d.kids.push_back({"maxWireVersion", Value::I32(svc_.wire_)});
    d.kids.push_back({"readOnly", Value::Bool(false)});
    if (const Value* m = cmd.doc.Get("saslSupportedMechs"); m && svc_.scram_)
      d.kids.push_back({"saslSupportedMechs", Value::Arr({Value::Str("SCRAM-SHA-256")})});
    return Ok(std::move(d));
  }

  Value BuildInfo(const Command&, const std::string&) {
    std::vector<Value> va;
    for (const std::string& p : Split(svc_.version_, '.'))
      va.push_back(Value::I32(AllDigits(p) ? std::stoi(p) : 0));
    while (va.size() < 4) va.push_back(Value::I32(0));
    va.resize(4);
    const Build& b = *svc_.build_;
    return Ok(Value::Doc(
        {{"version", Value::Str(svc_.version_)},
         {"gitVersion", Value::Str(b.git)},
         {"modules", Value::Arr({})},
         {"allocator", Value::Str("tcmalloc")},
         {"javascriptEngine", Value::Str("mozjs")},
         {"sysInfo", Value::Str("deprecated")},
         {"versionArray", Value::Arr(std::move(va))},
         {"openssl",
          Value::Doc({{"running", Value::Str(b.openssl)}, {"compiled", Value::Str(b.openssl)}})},
         {"buildEnvironment", Value::Doc({{"distmod", Value::Str(b.distmod)},
                                          {"distarch", Value::Str("x86_64")},
                                          {"target_arch", Value::Str("x86_64")},
                                          {"target_os", Value::Str("linux")}})},
         {"bits", Value::I32(64)},
         {"debug", Value::Bool(false)},
         {"maxBsonObjectSize", Value::I32(16777216)},
         {"storageEngines", Value::Arr({Value::Str("devnull"), Value::Str("wiredTiger")})}}));
  }

  Value Ping(const Command&, const std::string&) { return Ok(Value::Doc({})); }

  Value ListDatabases(const Command& cmd, const std::string&) {
    std::map<std::string, int64_t> dbs = {{"admin", 40960}, {"config", 110592}, {"local", 73728}};
    dbs[std::string(svc_.app_->name)] = static_cast<int64_t>(svc_.app_size_);
    for (const auto& [ns, doc] : svc_.stored_) dbs.emplace(ns.substr(0, ns.find('.')), 8192);
    const bool name_only = cmd.doc.Get("nameOnly") && cmd.doc.Get("nameOnly")->AsInt();
    std::vector<Value> out;
    int64_t total = 0;
    for (const auto& [name, size] : dbs) {
      if (svc_.DbDropped(name) && svc_.Collections(name).empty()) continue;
      total += size;
      Value d = Value::Doc({{"name", Value::Str(name)}});
      if (!name_only) {
        d.kids.push_back({"sizeOnDisk", Value::I64(size)});
        d.kids.push_back({"empty", Value::Bool(false)});
      }
      out.push_back(std::move(d));
    }
    Value r = Value::Doc({{"databases", Value::Arr(std::move(out))}});
    if (!name_only) {
      r.kids.push_back({"totalSize", Value::I64(total)});
      r.kids.push_back({"totalSizeMb", Value::I64(total >> 20)});
    }
    return Ok(std::move(r));
  }

  Value ListCollections(const Command& cmd, const std::string&) {
    std::vector<Value> out;
    for (const std::string& c : svc_.Collections(cmd.db))
      out.push_back(
          Value::Doc({{"name", Value::Str(c)},
                      {"type", Value::Str("collection")},
                      {"options", Value::Doc({})},
                      {"info", Value::Doc({{"readOnly", Value::Bool(false)}})},
                      {"idIndex", Value::Doc({{"v", Value::I32(2)},
                                              {"key", Value::Doc({{"_id", Value::I32(1)}})},
                                              {"name", Value::Str("_id_")}})}}));
    return Cursor(cmd.db + ".$cmd.listCollections", std::move(out));
  }

  Value Find(const Command& cmd, const std::string& coll) {
    std::vector<Value> docs = svc_.Docs(cmd.db, coll);
    if (const Value* l = cmd.doc.Get("limit");
        l && l->AsInt() > 0 && static_cast<size_t>(l->AsInt()) < docs.size())
      docs.resize(static_cast<size_t>(l->AsInt()));
    return Cursor(cmd.db + "." + coll, std::move(docs));
  }
  Value GetMore(const Command& cmd, const std::string&) {
    const Value* c = cmd.doc.Get("collection");
    return Cursor(cmd.db + "." + (c && c->type == bson::kString ? c->s : ""), {}, "nextBatch");
  }
  Value KillCursors(const Command&, const std::string&) {
    return Ok(Value::Doc({{"cursorsKilled", Value::Arr({})},
                          {"cursorsNotFound", Value::Arr({})},
                          {"cursorsAlive", Value::Arr({})},
                          {"cursorsUnknown", Value::Arr({})}}));
  }
  Value Aggregate(const Command& cmd, const std::string& coll) {
    return Cursor(cmd.db + "." + coll, {});
  }
  Value Count(const Command& cmd, const std::string& coll) {
    return Ok(
        Value::Doc({{"n", Value::I32(static_cast<int32_t>(svc_.Docs(cmd.db, coll).size()))}}));
  }

  Value Insert(const Command& cmd, const std::string& coll) {
    const Value* docs = cmd.doc.Get("documents");
    int32_t n = 0;
    if (docs && docs->IsDoc()) {
      for (const Elem& e : docs->kids) {
        ++n;
        ++svc_.h_.inserted;
        const size_t bytes = bson::Encode(e.val).size();
        if (svc_.stored_.size() >= kMaxStoredDocs || svc_.stored_bytes_ + bytes > kMaxStoredBytes) {
          ++svc_.h_.stored_dropped;
          continue;
        }
        svc_.stored_bytes_ += bytes;
        svc_.stored_.emplace_back(cmd.db + "." + coll, e.val);
      }
    }
    return Ok(Value::Doc({{"n", Value::I32(n)}}));
  }
  Value Update(const Command&, const std::string&) {
    return Ok(Value::Doc({{"n", Value::I32(0)}, {"nModified", Value::I32(0)}}));
  }
  Value Delete(const Command& cmd, const std::string& coll) {
    const size_t n = svc_.Docs(cmd.db, coll).size();
    svc_.Drop(cmd.db + "." + coll);
    std::erase_if(svc_.stored_, [&](const auto& p) { return p.first == cmd.db + "." + coll; });
    return Ok(Value::Doc({{"n", Value::I32(static_cast<int32_t>(n))}}));
  }
  Value DropColl(const Command& cmd, const std::string& coll) {
    const std::vector<std::string> have = svc_.Collections(cmd.db);
    if (std::find(have.begin(), have.end(), coll) == have.end())
      return Err(26, "NamespaceNotFound", "ns not found");
    svc_.Drop(cmd.db + "." + coll);
    std::erase_if(svc_.stored_, [&](const auto& p) { return p.first == cmd.db + "." + coll; });
    return Ok(
        Value::Doc({{"nIndexesWas", Value::I32(1)}, {"ns", Value::Str(cmd.db + "." + coll)}}));
  }
  Value DropDatabase(const Command& cmd, const std::string&) {
    svc_.Drop(cmd.db + ".");
    std::erase_if(svc_.stored_, [&](const auto& p) { return p.first.rfind(cmd.db + ".", 0) == 0; });
    return Ok(Value::Doc({{"dropped", Value::Str(cmd.db)}}));
  }
  Value Create(const Command&, const std::string&) { return Ok(Value::Doc({})); }
  Value ListIndexes(const Command& cmd, const std::string& coll) {
    return Cursor(cmd.db + "." + coll, {Value::Doc({{"v", Value::I32(2)},
                                                    {"key", Value::Doc({{"_id", Value::I32(1)}})},
                                                    {"name", Value::Str("_id_")}})});
  }

  Value GetLog(const Command& cmd, const std::string&) {
    const Value& arg = cmd.doc.kids.front().val;
    if (arg.type == bson::kString && arg.s == "*")
      return Ok(Value::Doc(
          {{"names", Value::Arr({Value::Str("global"), Value::Str("startupWarnings")})}}));
    std::vector<Value> lines = {
        Value::Str("{\"t\":{\"$date\":\"2024-01-08T09:14:02.113+00:00\"},\"s\":\"I\",\"c\":"
                   "\"NETWORK\",\"id\":23016,"
                   "\"ctx\":\"listener\",\"msg\":\"Waiting for "
                   "connections\",\"attr\":{\"port\":27017,\"ssl\":\"off\"}}")};
    if (!svc_.scram_)
      lines.push_back(
          Value::Str("{\"t\":{\"$date\":\"2024-01-08T09:14:01.980+00:00\"},\"s\":\"W\",\"c\":"
                     "\"CONTROL\",\"id\":22120,"
                     "\"ctx\":\"initandlisten\",\"msg\":\"Access control is not enabled for the "
                     "database. Read and "
                     "write access to data and configuration is "
                     "unrestricted\",\"tags\":[\"startupWarnings\"]}"));
    const auto n = static_cast<int32_t>(lines.size());
    return Ok(
        Value::Doc({{"totalLinesWritten", Value::I32(n)}, {"log", Value::Arr(std::move(lines))}}));
  }

  Value ServerStatus(const Command&, const std::string&) {
    const int64_t now_s = svc_.host_.WallUs() / 1000000;
    const int64_t up = std::max<int64_t>(60, svc_.host_.persona().UptimeSeconds(now_s) - 40);
    return Ok(Value::Doc(
        {{"host", Value::Str(svc_.host_.persona().hostname())},
         {"version", Value::Str(svc_.version_)},
         {"process", Value::Str("mongod")},
         {"pid", Value::I64(svc_.pid_)},
         {"uptime", Value::Dbl(static_cast<double>(up))},
         {"uptimeMillis", Value::I64(up * 1000)},
         {"localTime", Value::Date(now_s * 1000)},
         {"connections",
          Value::Doc({{"current", Value::I32(static_cast<int32_t>(svc_.live_))},
                      {"available", Value::I32(838860)},
                      {"totalCreated", Value::I32(static_cast<int32_t>(svc_.h_.sessions))}})}}));
  }
  Value HostInfo(const Command&, const std::string&) {
    const decoy::Persona& p = svc_.host_.persona();
    return Ok(Value::Doc(
        {{"system", Value::Doc({{"currentTime", Value::Date(svc_.host_.WallUs() / 1000)},
                                {"hostname", Value::Str(p.hostname())},
                                {"cpuAddrSize", Value::I32(64)},
                                {"memSizeMB", Value::I64(7961)},
                                {"numCores", Value::I32(4)},
                                {"cpuArch", Value::Str("x86_64")},
                                {"numaEnabled", Value::Bool(false)}})},
         {"os", Value::Doc({{"type", Value::Str("Linux")},
                            {"name", Value::Str(p.distro())},
                            {"version", Value::Str("Kernel " + p.kernel())}})},
         {"extra", Value::Doc({{"versionString", Value::Str("Linux version " + p.kernel())}})}}));
  }
  Value WhatsMyUri(const Command&, const std::string&) {
    return Ok(Value::Doc(
        {{"you", Value::Str(conn_.remote().ip + ":" + std::to_string(conn_.remote().port))}}));
  }
  Value ConnectionStatus(const Command&, const std::string&) {
    std::vector<Value> users;
    if (authed_)
      users.push_back(Value::Doc({{"user", Value::Str(user_)}, {"db", Value::Str("admin")}}));
    return Ok(
        Value::Doc({{"authInfo", Value::Doc({{"authenticatedUsers", Value::Arr(std::move(users))},
                                             {"authenticatedUserRoles", Value::Arr({})}})}}));
  }
  Value GetParameter(const Command&, const std::string&) {
    const std::string fcv = svc_.version_.substr(0, 3);
    return Ok(
        Value::Doc({{"featureCompatibilityVersion", Value::Doc({{"version", Value::Str(fcv)}})}}));
  }
  Value Empty(const Command&, const std::string&) { return Ok(Value::Doc({})); }

  // ---- SCRAM
  // -------------------------------------------------------------------------------------

  static std::string PayloadOf(const Command& cmd) {
    const Value* p = cmd.doc.Get("payload");
    if (!p) return {};
    if (p->type == bson::kBinary || p->type == bson::kString) return p->s;
    return {};
  }

  Value SaslStart(const Command& cmd, const std::string&) {
    const Value* m = cmd.doc.Get("mechanism");
    const std::string mech = m && m->type == bson::kString ? m->s : "";
    const std::string first = PayloadOf(cmd);
    // gs2 header "n,," (or "y,,"/"p=..,"): the bare message follows the second comma.
    const size_t c1 = first.find(','), c2 = c1 == std::string::npos ? c1 : first.find(',', c1 + 1);
    const std::string bare = c2 == std::string::npos ? first : first.substr(c2 + 1);
    user_ = Attr(bare, 'n');
    ++svc_.h_.auths;
    if (mech != "SCRAM-SHA-256") {
      Ev("auth")
          .Add("user", user_)
          .Add("mechanism", mech)
          .Add("result", "MechanismUnavailable")
          .Emit();
      return Err(334, "MechanismUnavailable",
                 "Unable to use " + mech + " based authentication for user without any " + mech +
                     " credentials registered");
    }
    const std::string cnonce = Attr(bare, 'r');
    if (user_.empty() || cnonce.empty())
      return Err(17, "ProtocolError", "Invalid SCRAM client-first message");
    unsigned char rnd[24];
    randombytes_buf(rnd, sizeof rnd);
    salt_ = Sha256(svc_.host_.persona().decky() + "\n" + user_).substr(0, 28);
    server_first_ = "r=" + cnonce + B64(std::string(reinterpret_cast<char*>(rnd), sizeof rnd)) +
                    ",s=" + B64(salt_) + ",i=" + std::to_string(kScramIterations);
    client_bare_ = bare;
    sasl_ = true;
    return Ok(Value::Doc({{"conversationId", Value::I32(1)},
                          {"done", Value::Bool(false)},
                          {"payload", Value::Bin(server_first_)}}));
  }

  Value SaslContinue(const Command& cmd, const std::string&) {
    if (!sasl_) return Err(17, "ProtocolError", "No SASL session state found");
    if (authed_)
      return Ok(Value::Doc({{"conversationId", Value::I32(1)},
                            {"done", Value::Bool(true)},
                            {"payload", Value::Bin("")}}));
    sasl_ = false;
    const std::string fin = PayloadOf(cmd);
    const size_t at = fin.rfind(",p=");
    std::string proof;
    if (at == std::string::npos || !UnB64(fin.substr(at + 3), &proof))
      return Err(17, "ProtocolError", "Invalid SCRAM client-final message");
    const std::string auth_msg = client_bare_ + "," + server_first_ + "," + fin.substr(0, at);
    std::string server_sig;
    const bool ok = Verify(auth_msg, proof, &server_sig);
    const std::string hash = "$mongodb-scram-sha-256$" + std::to_string(kScramIterations) + "$" +
                             B64(salt_) + "$" + B64(auth_msg) + "$" + B64(proof);
    Ev("auth")
        .Add("mechanism", "SCRAM-SHA-256")
        .Add("success", ok ? "true" : "false")
        .Add("hash_format", "mongodb-scram-sha-256")
        .Secret(user_, hash, "hash")
        .Emit();
    if (!ok) return Err(18, "AuthenticationFailed", "Authentication failed.");
    ++svc_.h_.auths_ok;
    authed_ = true;
    return Ok(Value::Doc({{"conversationId", Value::I32(1)},
                          {"done", Value::Bool(true)},
                          {"payload", Value::Bin("v=" + B64(server_sig))}}));
  }

  bool Verify(const std::string& auth_msg, const std::string& proof, std::string* server_sig) {
    const auto it = svc_.users_.find(user_);
    if (it == svc_.users_.end()) return false;
    const std::string salted = SaltedPassword(it->second, salt_, kScramIterations);
    const std::string client_key = Hmac(salted, "Client Key");
    const std::string want = Xor(client_key, Hmac(Sha256(client_key), auth_msg));
    *server_sig = Hmac(Hmac(salted, "Server Key"), auth_msg);
    return proof.size() == want.size() &&
           sodium_memcmp(proof.data(), want.data(), want.size()) == 0;
  }

  Mongodb& svc_;
  decoy::Connection& conn_;
  mongodb::MessageReader reader_;
  size_t total_in_ = 0;
  bool closing_ = false;
  int32_t next_id_ = 0;
  bool authed_ = false, sasl_ = false;
  std::string user_, salt_, server_first_, client_bare_;
};

const std::map<std::string, MongoSession::Handler>& MongoSession::Handlers() {
  static const std::map<std::string, Handler> kHandlers = {
      {"hello", &MongoSession::Hello},
      {"ismaster", &MongoSession::Hello},
      {"buildinfo", &MongoSession::BuildInfo},
      {"ping", &MongoSession::Ping},
      {"listdatabases", &MongoSession::ListDatabases},
      {"listcollections", &MongoSession::ListCollections},
      {"find", &MongoSession::Find},
      {"getmore", &MongoSession::GetMore},
      {"killcursors", &MongoSession::KillCursors},
      {"aggregate", &MongoSession::Aggregate},
      {"count", &MongoSession::Count},
      {"insert", &MongoSession::Insert},
      {"update", &MongoSession::Update},
      {"delete", &MongoSession::Delete},
      {"drop", &MongoSession::DropColl},
      {"dropdatabase", &MongoSession::DropDatabase},
      {"create", &MongoSession::Create},
      {"listindexes", &MongoSession::ListIndexes},
      {"getlog", &MongoSession::GetLog},
      {"serverstatus", &MongoSession::ServerStatus},
      {"hostinfo", &MongoSession::HostInfo},
      {"whatsmyuri", &MongoSession::WhatsMyUri},
      {"connectionstatus", &MongoSession::ConnectionStatus},
      {"getparameter", &MongoSession::GetParameter},
      {"endsessions", &MongoSession::Empty},
      {"logout", &MongoSession::Empty},
      {"saslstart", &MongoSession::SaslStart},
      {"saslcontinue", &MongoSession::SaslContinue},
  };
  return kHandlers;
}

std::unique_ptr<decoy::Session> Mongodb::NewSession(decoy::Connection& conn) {
  return std::make_unique<MongoSession>(*this, conn);
}

}  // namespace

std::unique_ptr<decoy::Service> MakeMongodb(decoy::Host& host) {
  return std::make_unique<Mongodb>(host);
}

}  // namespace decnet::services::db
