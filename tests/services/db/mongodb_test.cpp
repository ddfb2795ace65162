// The mongodb service through FakeConnection: the handshake both opcodes carry, the ransom-bot walk
// (listDatabases, listCollections, find, drop, dropDatabase, insert of the note), every step an
// event, SCRAM-SHA-256 capture and login, unknown commands worded as mongod, and hostile messages
// (a 2^31 length, truncation, bad BSON, 10,000 levels of nesting) refused, counted and closed.
#include "decnet/services/db/mongodb.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <memory>
#include <string>

#include "mongodb_fuzz_entry.h"

namespace decnet::services::db {
namespace {

using bson::Value;
using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;
using fuzz::MongoFrame;
using fuzz::MongoMsg;
using fuzz::MongoQuery;

int32_t Le32(std::string_view s) {
  uint32_t v = 0;
  for (int n = 0; n < 4; ++n) v |= uint32_t(static_cast<unsigned char>(s[n])) << (8 * n);
  return static_cast<int32_t>(v);
}

using Settings = std::map<std::string, std::string, std::less<>>;

struct Fixture {
  explicit Fixture(Settings settings = {}) {
    decoy::PersonaInputs pi;
    pi.settings["mongodb"] = std::move(settings);
    decky = std::make_unique<TestDecky>(pi);
    svc = MakeMongodb(*decky->decky);
    conn = std::make_unique<FakeConnection>(*decky->decky, 27017);
    session = svc->NewSession(*conn);
    session->OnOpen();
  }
  // Sends one message and parses the one reply (OP_MSG or OP_REPLY) back.
  Value Call(const std::string& msg) {
    session->OnData(msg);
    const std::string out = conn->Take();
    EXPECT_GE(out.size(), 21u);
    if (out.size() < 21) return {};
    EXPECT_EQ(static_cast<size_t>(Le32(out)), out.size());
    const int32_t op = Le32(out.substr(12));
    const size_t skip = op == 2013 ? 21 : 36;
    Value v;
    size_t used = 0;
    bson::Error err;
    EXPECT_TRUE(bson::Parse(out.substr(skip), bson::Limits{}, &v, &used, &err))
        << bson::ErrorName(err);
    return v;
  }
  Value Cmd(std::string_view db, Value doc) {
    doc.kids.push_back({"$db", Value::Str(db)});
    return Call(MongoMsg(doc));
  }
  std::unique_ptr<TestDecky> decky;
  std::unique_ptr<decoy::Service> svc;
  std::unique_ptr<FakeConnection> conn;
  std::unique_ptr<decoy::Session> session;
};

std::string Str(const Value& v, std::string_view key) {
  const Value* x = v.Get(key);
  return x && x->type == bson::kString ? x->s : "";
}
double OkOf(const Value& v) { return v.Get("ok") ? v.Get("ok")->d : -1; }

TEST(Mongodb, LegacyIsMasterAndHelloCarryTheWireVersionOfTheVersion) {
  Fixture f(Settings{{"version", "4.4.25"}});
  Value r = f.Call(MongoQuery("admin", Value::Doc({{"isMaster", Value::I32(1)}})));
  EXPECT_EQ(OkOf(r), 1);
  ASSERT_NE(r.Get("ismaster"), nullptr);
  EXPECT_TRUE(r.Get("ismaster")->b);
  EXPECT_EQ(r.Get("maxWireVersion")->i, 9);
  r = f.Cmd("admin", Value::Doc({{"hello", Value::I32(1)}}));
  EXPECT_TRUE(r.Get("isWritablePrimary")->b);
  Fixture g(Settings{{"version", "3.6.23"}});
  EXPECT_EQ(g.Cmd("admin", Value::Doc({{"ismaster", Value::I32(1)}})).Get("maxWireVersion")->i, 6);
  Fixture h(Settings{{"version", "6.0.12"}});
  EXPECT_EQ(h.Cmd("admin", Value::Doc({{"hello", Value::I32(1)}})).Get("maxWireVersion")->i, 17);
}

TEST(Mongodb, BuildInfoAndServerStatusNameTheVersion) {
  Fixture f(Settings{{"version", "5.0.23"}});
  Value r = f.Cmd("admin", Value::Doc({{"buildInfo", Value::I32(1)}}));
  EXPECT_EQ(Str(r, "version"), "5.0.23");
  EXPECT_EQ(Str(r, "gitVersion").size(), 40u);
  ASSERT_NE(r.Get("openssl"), nullptr);
  EXPECT_NE(Str(*r.Get("openssl"), "running").find("OpenSSL"), std::string::npos);
  EXPECT_EQ(r.Get("versionArray")->kids.size(), 4u);
  // nmap's probe: OP_QUERY serverStatus on test.$cmd; its match wants "version" as a string.
  r = f.Call(MongoQuery("test", Value::Doc({{"serverStatus", Value::Dbl(1)}})));
  EXPECT_EQ(Str(r, "version"), "5.0.23");
  EXPECT_EQ(Str(r, "process"), "mongod");
  EXPECT_EQ(OkOf(f.Cmd("admin", Value::Doc({{"ping", Value::I32(1)}}))), 1);
}

TEST(Mongodb, RansomBotWalkIsLoggedStepByStep) {
  Fixture f;
  Value r = f.Cmd("admin", Value::Doc({{"listDatabases", Value::I32(1)}}));
  std::string app;
  for (const auto& e : r.Get("databases")->kids) {
    const std::string n = Str(e.val, "name");
    if (n != "admin" && n != "config" && n != "local") app = n;
    EXPECT_GT(e.val.Get("sizeOnDisk")->i, 0);
  }
  ASSERT_FALSE(app.empty());
  r = f.Cmd(app, Value::Doc({{"listCollections", Value::I32(1)}}));
  const auto& colls = r.Get("cursor")->Get("firstBatch")->kids;
  ASSERT_FALSE(colls.empty());
  const std::string coll = Str(colls[0].val, "name");
  r = f.Cmd(app, Value::Doc({{"find", Value::Str(coll)}, {"filter", Value::Doc({})}}));
  const auto& docs = r.Get("cursor")->Get("firstBatch")->kids;
  ASSERT_GE(docs.size(), 2u);
  EXPECT_EQ(docs[0].val.Get("_id")->type, bson::kObjectId);
  EXPECT_EQ(f.Cmd(app, Value::Doc({{"count", Value::Str(coll)}})).Get("n")->i,
            static_cast<int64_t>(docs.size()));
  EXPECT_EQ(OkOf(f.Cmd(app, Value::Doc({{"drop", Value::Str(coll)}}))), 1);
  EXPECT_EQ(Str(f.Cmd(app, Value::Doc({{"dropDatabase", Value::I32(1)}})), "dropped"), app);
  // The note, as bots send it: documents in a kind-1 section.
  Value note =
      Value::Doc({{"content", Value::Str("All your data is backed up. Send 0.01 BTC to bc1qxyz")}});
  std::string body("\0\0\0\0\0", 5);
  body +=
      bson::Encode(Value::Doc({{"insert", Value::Str("README")}, {"$db", Value::Str("READ_ME")}}));
  std::string seq = "documents" + std::string(1, '\0') + bson::Encode(note);
  const uint32_t sz = static_cast<uint32_t>(4 + seq.size());
  body += '\x01';
  for (int n = 0; n < 4; ++n) body.push_back(static_cast<char>((sz >> (8 * n)) & 0xFF));
  body += seq;
  EXPECT_EQ(f.Call(MongoFrame(2013, body)).Get("n")->i, 1);
  // The dropped database is gone; the note's database is listed and its note can be read back.
  r = f.Cmd("admin",
            Value::Doc({{"listDatabases", Value::I32(1)}, {"nameOnly", Value::Bool(true)}}));
  std::string names;
  for (const auto& e : r.Get("databases")->kids) names += Str(e.val, "name") + ",";
  EXPECT_EQ(names.find(app + ","), std::string::npos) << names;
  EXPECT_NE(names.find("READ_ME,"), std::string::npos) << names;
  r = f.Cmd("READ_ME", Value::Doc({{"find", Value::Str("README")}}));
  EXPECT_EQ(Str(r.Get("cursor")->Get("firstBatch")->kids.at(0).val, "content").substr(0, 9),
            "All your ");

  const auto ev = f.decky->Events("command");
  ASSERT_GE(ev.size(), 9u);
  EXPECT_EQ(ParamOf(ev[0], "command"), "listDatabases");
  EXPECT_EQ(ParamOf(ev[2], "db"), app);
  EXPECT_EQ(ParamOf(ev[2], "collection"), coll);
  EXPECT_EQ(ParamOf(ev[4], "ransom_step"), "drop");
  EXPECT_EQ(ParamOf(ev[5], "ransom_step"), "drop_database");
  EXPECT_EQ(ParamOf(ev[6], "ransom_step"), "insert");
  EXPECT_NE(ParamOf(ev[6], "documents").find("Send 0.01 BTC"), std::string::npos) << ev[6];
}

TEST(Mongodb, DiagnosticsAnswerAsAnOpenServer) {
  Fixture f;
  Value r = f.Cmd("admin", Value::Doc({{"getLog", Value::Str("startupWarnings")}}));
  ASSERT_NE(r.Get("log"), nullptr);
  EXPECT_NE(bson::ToText(*r.Get("log")).find("Access control is not enabled"), std::string::npos);
  EXPECT_EQ(r.Get("totalLinesWritten")->i, 2);
  r = f.Cmd("admin", Value::Doc({{"hostInfo", Value::I32(1)}}));
  EXPECT_EQ(Str(*r.Get("system"), "hostname"), f.decky->persona.hostname());
  EXPECT_EQ(Str(*r.Get("os"), "type"), "Linux");
  EXPECT_EQ(OkOf(f.Cmd("admin", Value::Doc({{"endSessions", Value::Arr({})}}))), 1);
  EXPECT_EQ(Str(f.Cmd("admin", Value::Doc({{"whatsmyuri", Value::I32(1)}})), "you"),
            "203.0.113.7:40123");
  // A delete reports the documents it removed; the collection is then empty.
  r = f.Cmd("admin", Value::Doc({{"listDatabases", Value::I32(1)}}));
  std::string app;
  for (const auto& e : r.Get("databases")->kids)
    if (Str(e.val, "name") != "admin" && Str(e.val, "name") != "config" &&
        Str(e.val, "name") != "local")
      app = Str(e.val, "name");
  const std::string coll = Str(f.Cmd(app, Value::Doc({{"listCollections", Value::I32(1)}}))
                                   .Get("cursor")
                                   ->Get("firstBatch")
                                   ->kids.at(0)
                                   .val,
                               "name");
  EXPECT_GE(f.Cmd(app, Value::Doc({{"delete", Value::Str(coll)}})).Get("n")->i, 1);
  EXPECT_EQ(f.Cmd(app, Value::Doc({{"count", Value::Str(coll)}})).Get("n")->i, 0);
  EXPECT_EQ(ParamOf(f.decky->Events("command").back(), "command"), "count");
}

TEST(Mongodb, UnknownCommandIsWordedAsMongod) {
  Fixture f;
  Value r = f.Cmd("admin", Value::Doc({{"frobnicate", Value::I32(1)}}));
  EXPECT_EQ(OkOf(r), 0);
  EXPECT_EQ(Str(r, "errmsg"), "no such command: 'frobnicate'");
  EXPECT_EQ(r.Get("code")->i, 59);
  EXPECT_EQ(Str(r, "codeName"), "CommandNotFound");
}

// The client side of SCRAM-SHA-256, from the RFC, to drive the server.
std::string H(std::string_view k, std::string_view m) {
  unsigned char o[32];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(k.data()), k.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(m.data()), m.size());
  crypto_auth_hmacsha256_final(&st, o);
  return std::string(reinterpret_cast<char*>(o), 32);
}
std::string B64(std::string_view b) {
  std::string o(sodium_base64_ENCODED_LEN(b.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(o.data(), o.size(), reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  o.resize(std::strlen(o.c_str()));
  return o;
}
std::string UnB64(std::string_view t) {
  std::string o(t.size(), '\0');
  size_t len = 0;
  sodium_base642bin(reinterpret_cast<unsigned char*>(o.data()), o.size(), t.data(), t.size(),
                    nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL);
  o.resize(len);
  return o;
}
Value ScramLogin(Fixture& f, std::string_view user, std::string_view pass) {
  const std::string bare = "n=" + std::string(user) + ",r=clientnonce123";
  Value r = f.Cmd("admin", Value::Doc({{"saslStart", Value::I32(1)},
                                       {"mechanism", Value::Str("SCRAM-SHA-256")},
                                       {"payload", Value::Bin("n,," + bare)}}));
  const std::string first = r.Get("payload")->s;
  std::string nonce, salt;
  int iters = 0;
  for (size_t at = 0; at < first.size();) {
    size_t e = first.find(',', at);
    if (e == std::string::npos) e = first.size();
    const std::string part = first.substr(at, e - at);
    if (part[0] == 'r') nonce = part.substr(2);
    if (part[0] == 's') salt = UnB64(part.substr(2));
    if (part[0] == 'i') iters = std::stoi(part.substr(2));
    at = e + 1;
  }
  std::string u = H(pass, salt + std::string("\0\0\0\1", 4)), salted = u;
  for (int n = 1; n < iters; ++n) {
    u = H(pass, u);
    for (size_t k = 0; k < 32; ++k) salted[k] ^= u[k];
  }
  const std::string ck = H(salted, "Client Key");
  unsigned char sk[32];
  crypto_hash_sha256(sk, reinterpret_cast<const unsigned char*>(ck.data()), ck.size());
  const std::string without = "c=biws,r=" + nonce;
  const std::string am = bare + "," + first + "," + without;
  std::string proof = H(std::string(reinterpret_cast<char*>(sk), 32), am);
  for (size_t k = 0; k < 32; ++k) proof[k] ^= ck[k];
  return f.Cmd("admin", Value::Doc({{"saslContinue", Value::I32(1)},
                                    {"conversationId", Value::I32(1)},
                                    {"payload", Value::Bin(without + ",p=" + B64(proof))}}));
}

TEST(Mongodb, ScramSha256CapturesTheProofAndAcceptsConfiguredUsers) {
  Fixture f(Settings{{"auth", "scram"}, {"users", "admin:s3cret"}});
  Value r = f.Cmd("admin", Value::Doc({{"listDatabases", Value::I32(1)}}));
  EXPECT_EQ(r.Get("code")->i, 13);
  r = ScramLogin(f, "admin", "wrong");
  EXPECT_EQ(r.Get("code")->i, 18);
  EXPECT_EQ(Str(r, "errmsg"), "Authentication failed.");
  r = ScramLogin(f, "admin", "s3cret");
  EXPECT_EQ(OkOf(r), 1);
  EXPECT_TRUE(r.Get("done")->b);
  EXPECT_EQ(r.Get("payload")->s.substr(0, 2), "v=");
  EXPECT_EQ(OkOf(f.Cmd("admin", Value::Doc({{"listDatabases", Value::I32(1)}}))), 1);
  const auto ev = f.decky->Events("auth");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ParamOf(ev[0], "principal"), "admin");
  EXPECT_EQ(ParamOf(ev[0], "secret_kind"), "hash");
  EXPECT_EQ(ParamOf(ev[0], "success"), "false");
  EXPECT_EQ(ParamOf(ev[0], "secret_printable").rfind("$mongodb-scram-sha-256$15000$", 0), 0u);
  EXPECT_EQ(ParamOf(ev[1], "success"), "true");
  // SHA-1 needs SHA-1: refused as mongod refuses an account without SHA-1 credentials.
  r = f.Cmd("admin", Value::Doc({{"saslStart", Value::I32(1)},
                                 {"mechanism", Value::Str("SCRAM-SHA-1")},
                                 {"payload", Value::Bin("n,,n=root,r=abc")}}));
  EXPECT_EQ(r.Get("code")->i, 334);
  EXPECT_EQ(ParamOf(f.decky->Events("auth").back(), "user"), "root");
}

TEST(Mongodb, HostileMessagesAreRefusedCountedAndClosed) {
  {  // a 2^31 length (negative as int32) and a length over our 1 MiB bound
    Fixture f;
    f.session->OnData(std::string("\x00\x00\x00\x80", 4) + std::string(12, '\0'));
    EXPECT_TRUE(f.conn->closed);
    EXPECT_EQ(ParamOf(f.decky->Events("limit").at(0), "reason"), "message_length");
    Fixture g;
    g.session->OnData(std::string("\x01\x00\x20\x00", 4) + std::string(12, '\0'));
    EXPECT_TRUE(g.conn->closed);
  }
  {  // truncated: half a message waits, nothing answered, nothing kept beyond it
    Fixture f;
    const std::string m =
        MongoMsg(Value::Doc({{"ping", Value::I32(1)}, {"$db", Value::Str("admin")}}));
    f.session->OnData(m.substr(0, m.size() / 2));
    EXPECT_TRUE(f.conn->output.empty());
    EXPECT_FALSE(f.conn->closed);
    f.session->OnData(m.substr(m.size() / 2));
    EXPECT_FALSE(f.conn->output.empty());
  }
  {  // bad BSON: a document length past the message
    Fixture f;
    std::string body("\0\0\0\0\0", 5);
    body += std::string("\xff\x00\x00\x00\x10x\x00\x01\x00\x00\x00\x00", 12);
    f.session->OnData(MongoFrame(2013, body));
    EXPECT_TRUE(f.conn->closed);
    EXPECT_EQ(ParamOf(f.decky->Events("malformed").at(0), "reason"), "bson_truncated");
    EXPECT_EQ(f.decky->counters.malformed, 1u);
  }
  {  // 10,000 levels of nesting: refused at depth 100, no stack exhaustion
    std::string doc = std::string("\x05\0\0\0\0", 5);
    for (int n = 0; n < 10000; ++n) {
      std::string outer;
      const uint32_t len = static_cast<uint32_t>(4 + 1 + 2 + doc.size() + 1);
      for (int k = 0; k < 4; ++k) outer.push_back(static_cast<char>((len >> (8 * k)) & 0xFF));
      outer += std::string(
                   "\x03"
                   "a\0",
                   3) +
               doc + std::string(1, '\0');
      doc = std::move(outer);
    }
    Fixture f;
    f.session->OnData(MongoFrame(2013, std::string("\0\0\0\0\0", 5) + doc));
    EXPECT_TRUE(f.conn->closed);
    EXPECT_EQ(ParamOf(f.decky->Events("malformed").at(0), "reason"), "bson_too_deep");
  }
  {  // 30,000 empty documents in one kind-1 section: one element budget for the whole message
    std::string seq = "documents" + std::string(1, '\0');
    for (int n = 0; n < 30000; ++n) seq += std::string("\x05\0\0\0\0", 5);
    std::string body("\0\0\0\0\0", 5);
    body += bson::Encode(Value::Doc({{"insert", Value::Str("c")}, {"$db", Value::Str("x")}}));
    const uint32_t sz = static_cast<uint32_t>(4 + seq.size());
    body += '\x01';
    for (int n = 0; n < 4; ++n) body.push_back(static_cast<char>((sz >> (8 * n)) & 0xFF));
    Fixture f;
    f.session->OnData(MongoFrame(2013, body + seq));
    EXPECT_TRUE(f.conn->closed);
    EXPECT_EQ(ParamOf(f.decky->Events("malformed").at(0), "reason"), "bson_too_many_elements");
  }
  {  // an unknown opcode (OP_COMPRESSED is never advertised)
    Fixture f;
    f.session->OnData(MongoFrame(2012, std::string(9, '\0')));
    EXPECT_TRUE(f.conn->closed);
  }
}

TEST(Mongodb, FuzzEntryOnHostileInputs) {
  const std::string inputs[] = {
      "",
      std::string(64, '\xff'),
      std::string("\x10\0\0\0\x01\0\0\0\0\0\0\0\xdd\x07\0\0", 16),
      bson::Encode(
          Value::Doc({{"insert", Value::Str("x")}, {"documents", Value::Arr({Value::Doc({})})}})),
      fuzz::MongoMsg(Value::Doc({{"find", Value::Str("c")}, {"$db", Value::Str("shop")}})),
  };
  for (const std::string& in : inputs)
    fuzz::MongodbBytes(reinterpret_cast<const uint8_t*>(in.data()), in.size());
}

}  // namespace
}  // namespace decnet::services::db
