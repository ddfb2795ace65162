// The mysql service byte for byte through FakeConnection: the v10 greeting per persona, the login
// (hash captured in hashcat 11200 form, the switch to mysql_clear_password, 1045 as the server
// words it), the query engine and its tags, and hostile packets before and after login.
#include "decnet/services/db/mysql.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "decnet/decoy/testing.h"
#include "mysql_fuzz_entry.h"

namespace decnet::services::db {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;
using fuzz::MysqlFrame;
using fuzz::MysqlLoginPacket;

struct Pkt {
  uint8_t seq;
  std::string body;
};
std::vector<Pkt> Packets(const std::string& out) {
  std::vector<Pkt> v;
  size_t at = 0;
  while (at + 4 <= out.size()) {
    const auto* b = reinterpret_cast<const unsigned char*>(out.data() + at);
    const size_t len = b[0] | (b[1] << 8) | (b[2] << 16);
    EXPECT_LE(at + 4 + len, out.size());
    v.push_back({b[3], out.substr(at + 4, len)});
    at += 4 + len;
  }
  EXPECT_EQ(at, out.size());
  return v;
}

decoy::PersonaInputs Inputs(std::string distro, std::map<std::string, std::string> s = {}) {
  decoy::PersonaInputs in;
  in.distro = std::move(distro);
  for (auto& [k, v] : s) in.settings["mysql"][k] = v;
  return in;
}

struct Client {
  explicit Client(decoy::PersonaInputs in)
      : decky(std::move(in)), svc(MakeMysql(*decky.decky)), conn(*decky.decky, 3306) {
    session = svc->NewSession(conn);
    session->OnOpen();
    greeting = conn.Take();
  }
  ~Client() {
    if (session) session->OnClose(decoy::CloseReason::kPeer);
  }
  std::vector<Pkt> Send(std::string_view bytes) {
    session->OnData(bytes);
    return Packets(conn.Take());
  }
  // The 20-byte scramble of the greeting.
  std::string Scramble() const {
    const std::string g = Packets(greeting).at(0).body;
    const size_t v = g.find('\0', 1);
    return g.substr(v + 5, 8) + g.substr(v + 5 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10, 12);
  }
  // Logs in as root:toor through the cleartext switch.
  void Login(std::string_view db = "", uint32_t caps = 0) {
    auto r = Send(MysqlFrame(1, MysqlLoginPacket("root", std::string(20, '\x11'), db, caps)));
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].body[0], '\xFE');
    r = Send(MysqlFrame(3, std::string("toor\0", 5)));
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].body[0], '\0') << r[0].body;
  }
  std::vector<Pkt> Query(std::string_view q) {
    return Send(MysqlFrame(0, "\x03" + std::string(q)));
  }
  TestDecky decky;
  std::unique_ptr<decoy::Service> svc;
  FakeConnection conn;
  std::unique_ptr<decoy::Session> session;
  std::string greeting;
};

std::string Hex(std::string_view s) {
  static const char k[] = "0123456789abcdef";
  std::string o;
  for (unsigned char c : s) o += {k[c >> 4], k[c & 15]};
  return o;
}

// The values of a text resultset's rows, each row's values joined by '|'.
std::vector<std::string> Rows(const std::vector<Pkt>& r) {
  std::vector<std::string> rows;
  if (r.empty() || r[0].body[0] == '\xFF' || r[0].body[0] == '\0') return rows;
  const size_t ncols = static_cast<unsigned char>(r[0].body[0]);
  for (size_t i = 2 + ncols; i + 1 < r.size(); ++i) {
    std::string row;
    size_t pos = 0;
    const std::string& b = r[i].body;
    for (size_t c = 0; c < ncols; ++c) {
      if (c) row += '|';
      if (b[pos] == '\xFB') {
        row += "NULL";
        ++pos;
        continue;
      }
      uint64_t n = 0;
      EXPECT_TRUE(mysql::ReadLenenc(b, &pos, &n));
      row += b.substr(pos, n);
      pos += n;
    }
    rows.push_back(row);
  }
  return rows;
}
std::string ErrText(const std::vector<Pkt>& r) {
  if (r.size() != 1 || r[0].body[0] != '\xFF') return "(not an error)";
  const auto& b = r[0].body;
  return std::to_string(static_cast<unsigned char>(b[1]) |
                        (static_cast<unsigned char>(b[2]) << 8)) +
         " " + b.substr(4, 5) + " " + b.substr(9);
}

TEST(MysqlGreeting, MariadbOnDebian) {
  Client c(Inputs("debian"));
  auto p = Packets(c.greeting);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].seq, 0);
  const std::string& g = p[0].body;
  EXPECT_EQ(g[0], '\x0a');
  EXPECT_EQ(g.substr(1, g.find('\0') - 1), "5.5.5-10.11.6-MariaDB-0+deb12u1");
  const size_t v = g.find('\0');
  EXPECT_EQ(g[v + 5 + 8], '\0');  // filler after scramble part 1
  const uint16_t lo =
      static_cast<unsigned char>(g[v + 14]) | (static_cast<unsigned char>(g[v + 15]) << 8);
  EXPECT_EQ(lo & 1, 0);      // CLIENT_MYSQL clear: a MariaDB server
  EXPECT_NE(lo & 0x200, 0);  // PROTOCOL_41
  EXPECT_EQ(lo & 0x800, 0);  // no SSL offered
  EXPECT_EQ(static_cast<unsigned char>(g[v + 16]), 45);
  EXPECT_EQ(static_cast<unsigned char>(g[v + 21]), 21);  // auth data length
  EXPECT_EQ(g.substr(g.size() - 22), std::string("mysql_native_password\0", 22));
  const std::string s = c.Scramble();
  EXPECT_EQ(s.size(), 20u);
  EXPECT_EQ(s.find('\0'), std::string::npos);
  // A new connection gets a new scramble (the hash is salted per attempt).
  Client d(Inputs("debian"));
  EXPECT_NE(d.Scramble(), s);
}

TEST(MysqlGreeting, MysqlOnUbuntuAndOverrides) {
  Client c(Inputs("ubuntu22"));
  const std::string g = Packets(c.greeting)[0].body;
  EXPECT_EQ(g.substr(1, g.find('\0') - 1), "8.0.36-0ubuntu0.22.04.1");
  EXPECT_EQ(g.substr(g.size() - 22), std::string("caching_sha2_password\0", 22));
  const size_t v = g.find('\0');
  EXPECT_EQ(static_cast<unsigned char>(g[v + 4]), 0);  // thread id < 2^24 (nmap's pattern needs it)
  Client o(Inputs("ubuntu22",
                  {{"product", "mariadb"}, {"version", "10.6.16-MariaDB-0ubuntu0.22.04.1"}}));
  const std::string h = Packets(o.greeting)[0].body;
  EXPECT_EQ(h.substr(1, h.find('\0') - 1), "5.5.5-10.6.16-MariaDB-0ubuntu0.22.04.1");
  Client n(Inputs("ubuntu22", {{"auth_plugin", "mysql_native_password"}}));
  EXPECT_NE(Packets(n.greeting)[0].body.find("mysql_native_password"), std::string::npos);
}

TEST(MysqlLogin, NativeHashThenCleartextWrongPassword) {
  Client c(Inputs("debian", {{"users", "root:toor"}}));
  const std::string resp(20, '\x5a');
  auto r = c.Send(MysqlFrame(1, MysqlLoginPacket("root", resp, "", 0x100000).substr(0)));
  // The attrs flag without attrs is tolerated; what matters is the switch.
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].seq, 2);
  EXPECT_EQ(r[0].body.substr(0, 22), std::string("\xFEmysql_clear_password\0", 22));
  EXPECT_EQ(r[0].body.substr(22, 20), c.Scramble());
  auto login = c.decky.Events("login");
  ASSERT_EQ(login.size(), 1u);
  EXPECT_EQ(ParamOf(login[0], "principal"), "root");
  EXPECT_EQ(ParamOf(login[0], "secret_kind"), "hash");
  EXPECT_EQ(ParamOf(login[0], "secret_printable"),
            "$mysqlna$" + Hex(c.Scramble()) + "*" + Hex(resp));
  EXPECT_EQ(ParamOf(login[0], "hash_format"), "hashcat_11200");
  r = c.Send(MysqlFrame(3, std::string("hunter2\0", 8)));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].seq, 4);
  EXPECT_EQ(ErrText(r),
            "1045 28000 Access denied for user 'root'@'203.0.113.7' (using password: YES)");
  EXPECT_TRUE(c.conn.closed);
  auto auth = c.decky.Events("auth");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(ParamOf(auth[0], "secret_printable"), "hunter2");
  EXPECT_EQ(ParamOf(auth[0], "secret_kind"), "plaintext");
  EXPECT_EQ(ParamOf(auth[0], "success"), "false");
  c.session->OnClose(decoy::CloseReason::kService);
  c.session.reset();
  EXPECT_TRUE(c.decky.Events("auth_switch_refused").empty());  // it was answered
}

TEST(MysqlLogin, RightPasswordEmptyPasswordAndRefusedSwitch) {
  {
    Client c(Inputs("debian", {{"users", "root:toor"}}));
    c.Login();
    EXPECT_FALSE(c.conn.closed);
    EXPECT_EQ(ParamOf(c.decky.Events("auth").at(0), "success"), "true");
    EXPECT_EQ(c.decky.Events("login_success").size(), 1u);
  }
  {
    Client c(Inputs("debian", {{"users", "root:toor"}}));
    auto r = c.Send(MysqlFrame(1, MysqlLoginPacket("admin", "")));
    EXPECT_EQ(ErrText(r),
              "1045 28000 Access denied for user 'admin'@'203.0.113.7' (using password: NO)");
    EXPECT_EQ(r[0].seq, 2);
  }
  {
    Client c(Inputs("debian"));
    c.Send(MysqlFrame(1, MysqlLoginPacket("root", std::string(20, 'a'))));
    c.session->OnClose(decoy::CloseReason::kPeer);
    c.session.reset();
    EXPECT_EQ(c.decky.Events("auth_switch_refused").size(), 1u);
  }
  {
    // No account configured: even a cleartext "toor" fails.
    Client c(Inputs("debian"));
    c.Send(MysqlFrame(1, MysqlLoginPacket("root", std::string(20, 'a'))));
    EXPECT_EQ(ErrText(c.Send(MysqlFrame(3, "toor"))).substr(0, 4), "1045");
  }
}

TEST(MysqlLogin, CachingSha2AndAttributes) {
  Client c(Inputs("ubuntu22"));
  std::string p = MysqlLoginPacket("svc", std::string(32, '\x01'), "", 0x100000);
  p.replace(p.size() - 22, 22, std::string("caching_sha2_password\0", 22));
  std::string attrs;
  for (auto [k, v] : {std::pair{"_client_name", "libmariadb"},
                      {"_client_version", "3.3.8"},
                      {"program_name", "mysql"}}) {
    attrs +=
        static_cast<char>(std::strlen(k)) + std::string(k) + static_cast<char>(std::strlen(v)) + v;
  }
  p += static_cast<char>(attrs.size()) + attrs;
  c.Send(MysqlFrame(1, p));
  auto login = c.decky.Events("login");
  ASSERT_EQ(login.size(), 1u);
  EXPECT_EQ(ParamOf(login[0], "secret_kind"), "hash");
  EXPECT_EQ(ParamOf(login[0], "hash_format"), "caching_sha2_password");
  EXPECT_EQ(ParamOf(login[0], "secret_printable"),
            Hex(c.Scramble()) + "*" + Hex(std::string(32, '\x01')));
  EXPECT_EQ(ParamOf(login[0], "program"), "mysql");
  EXPECT_EQ(ParamOf(login[0], "client_version"), "3.3.8");
  EXPECT_EQ(ParamOf(login[0], "client_name"), "libmariadb");
}

TEST(MysqlQuery, EngineAndErrors) {
  Client c(Inputs("debian", {{"users", "root:toor"}}));
  c.Login();
  EXPECT_EQ(Rows(c.Query("SELECT @@version")),
            std::vector<std::string>{"10.11.6-MariaDB-0+deb12u1"});
  EXPECT_EQ(Rows(c.Query("select @@version_comment limit 1")),
            std::vector<std::string>{"Debian 12"});
  EXPECT_EQ(Rows(c.Query("SELECT version(), DATABASE(), user()")),
            std::vector<std::string>{"10.11.6-MariaDB-0+deb12u1|NULL|root@203.0.113.7"});
  auto dbs = Rows(c.Query("SHOW DATABASES;"));
  ASSERT_EQ(dbs.size(), 4u);
  EXPECT_EQ(dbs[0], "information_schema");
  std::string app;
  for (auto& d : dbs)
    if (d != "information_schema" && d != "mysql" && d != "performance_schema") app = d;
  ASSERT_FALSE(app.empty());
  EXPECT_EQ(ErrText(c.Query("SHOW TABLES")), "1046 3D000 No database selected");
  EXPECT_EQ(c.Query("USE " + app)[0].body[0], '\0');
  EXPECT_EQ(Rows(c.Query("SELECT DATABASE()")), std::vector<std::string>{app});
  auto tables = Rows(c.Query("show tables"));
  ASSERT_GE(tables.size(), 2u);
  auto rows = Rows(c.Query("SELECT * FROM " + tables[0] + " LIMIT 1"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GE(Rows(c.Query("SELECT * FROM `" + tables[0] + "`")).size(), 1u);
  EXPECT_EQ(Rows(c.Query("select User, Host from mysql.user limit 2")),
            (std::vector<std::string>{"root|localhost", "mysql.sys|localhost"}));
  EXPECT_EQ(ErrText(c.Query("SELECT * FROM nope")),
            "1146 42S02 Table '" + app + ".nope' doesn't exist");
  EXPECT_EQ(ErrText(c.Query("USE nodb")), "1049 42000 Unknown database 'nodb'");
  EXPECT_EQ(
      ErrText(c.Query("FOO BAR")),
      "1064 42000 You have an error in your SQL syntax; check the manual that corresponds to your "
      "MariaDB server version for the right syntax to use near 'FOO BAR' at line 1");
  EXPECT_EQ(c.Query("SET NAMES utf8mb4")[0].body[0], '\0');
  // COM_PING, COM_INIT_DB, COM_QUIT.
  EXPECT_EQ(c.Send(MysqlFrame(0, "\x0e"))[0].body[0], '\0');
  EXPECT_EQ(c.Send(MysqlFrame(0, "\x02mysql"))[0].body[0], '\0');
  EXPECT_EQ(Rows(c.Query("SELECT DATABASE()")), std::vector<std::string>{"mysql"});
  EXPECT_FALSE(c.conn.closed);
  EXPECT_TRUE(c.Send(MysqlFrame(0, "\x01")).empty());
  EXPECT_TRUE(c.conn.closed);
  auto q = c.decky.Events("query");
  ASSERT_GE(q.size(), 10u);
  EXPECT_EQ(ParamOf(q[0], "query"), "SELECT @@version");
  EXPECT_EQ(ParamOf(q[0], "user"), "root");
}

TEST(MysqlQuery, WhereEqualitiesAndInformationSchema) {
  Client c(Inputs("debian", {{"users", "root:toor"}}));
  c.Login("mysql");
  EXPECT_EQ(Rows(c.Query("SELECT User FROM user WHERE User = 'root' AND 1=1")),
            std::vector<std::string>{"root"});
  EXPECT_EQ(Rows(c.Query("SELECT count(*) FROM mysql.user WHERE Host='localhost' ORDER BY User")),
            std::vector<std::string>{"2"});
  EXPECT_EQ(ErrText(c.Query("SELECT * FROM user WHERE nope = 1")),
            "1054 42S22 Unknown column 'nope' in 'where clause'");
  auto schemata = Rows(c.Query("SELECT schema_name FROM information_schema.schemata"));
  ASSERT_EQ(schemata.size(), 4u);
  const std::string app = schemata[1];  // information_schema, <app>, mysql, performance_schema
  auto tables = Rows(c.Query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + app + "'"));
  EXPECT_GE(tables.size(), 2u);
  c.Query("USE " + app);
  EXPECT_EQ(tables, Rows(c.Query("SHOW TABLES")));
  auto cols =
      Rows(c.Query("select column_name from information_schema.columns where table_name='user'"));
  EXPECT_EQ(cols, (std::vector<std::string>{"Host", "User", "plugin", "authentication_string"}));
}

// The status word of an OK (0x00) or EOF (0xFE) packet.
uint16_t StatusOf(const Pkt& p) {
  const std::string& b = p.body;
  // EOF: 0xFE, warnings (2); OK: 0x00, affected rows 0, insert id 0 (1 byte each): both at 3.
  return static_cast<unsigned char>(b.at(3)) | (static_cast<unsigned char>(b.at(4)) << 8);
}

TEST(MysqlQuery, StackedStatementsWithMultiStatements) {
  Client c(Inputs("debian", {{"users", "root:toor"}}));
  c.Login("mysql", 0x10000);  // CLIENT_MULTI_STATEMENTS
  auto r = c.Query("SELECT 1; DROP TABLE user ; SELECT 'a;b';");
  // SELECT 1: count, column, EOF, row, EOF; DROP: OK; SELECT 'a;b': count, column, EOF, row, EOF.
  ASSERT_EQ(r.size(), 11u);
  EXPECT_EQ(StatusOf(r[4]), 0x0a);  // SERVER_MORE_RESULTS_EXISTS | AUTOCOMMIT
  EXPECT_EQ(r[5].body[0], '\0');
  EXPECT_EQ(StatusOf(r[5]), 0x0a);
  EXPECT_EQ(StatusOf(r[10]), 0x02);
  EXPECT_EQ(Rows({r.begin() + 6, r.end()}), std::vector<std::string>{"a;b"});
  auto q = c.decky.Events("query");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(ParamOf(q[1], "query"), "DROP TABLE user");
  EXPECT_EQ(ParamOf(q[1], "tags"), "drop");
  // The first error ends the chain; what follows is still logged, as not executed.
  r = c.Query("SELECT nope; DROP DATABASE mysql");
  EXPECT_EQ(ErrText(r), "1054 42S22 Unknown column 'nope' in 'field list'");
  q = c.decky.Events("query");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(ParamOf(q[4], "tags"), "drop");
  EXPECT_EQ(ParamOf(q[4], "executed"), "false");
  // Without the capability the whole text is one statement (mysqld: a syntax error).
  Client d(Inputs("debian", {{"users", "root:toor"}}));
  d.Login("mysql");
  EXPECT_EQ(ErrText(d.Query("SELECT 1; SELECT 2")).substr(0, 4), "1054");
}

TEST(MysqlQuery, DangerousStatementsAreTaggedAndRefused) {
  Client c(Inputs("ubuntu22", {{"users", "root:toor"}}));
  c.Login();
  EXPECT_EQ(
      ErrText(c.Query("SELECT '<?php system($_GET[c]); ?>' INTO OUTFILE '/var/www/html/x.php'")),
      "1290 HY000 The MySQL server is running with the --secure-file-priv option so it cannot "
      "execute this statement");
  EXPECT_EQ(Rows(c.Query("SELECT LOAD_FILE('/etc/passwd')")), std::vector<std::string>{"NULL"});
  EXPECT_EQ(
      ErrText(c.Query("CREATE FUNCTION sys_exec RETURNS int SONAME 'lib_mysqludf_sys.so'")),
      "1126 HY000 Can't open shared library 'lib_mysqludf_sys.so' (errno: 2, cannot open shared "
      "object file: No such file or directory)");
  EXPECT_EQ(c.Query("DROP DATABASE mysql")[0].body[0], '\0');
  auto q = c.decky.Events("query");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(ParamOf(q[0], "tags"), "outfile");
  EXPECT_EQ(ParamOf(q[1], "tags"), "load_file");
  EXPECT_EQ(ParamOf(q[2], "tags"), "udf");
  EXPECT_EQ(ParamOf(q[3], "tags"), "drop");
}

TEST(MysqlQuery, SchemaIsStablePerPersona) {
  Client a(Inputs("debian", {{"users", "root:toor"}}));
  Client b(Inputs("debian", {{"users", "root:toor"}}));
  a.Login();
  b.Login();
  EXPECT_EQ(Rows(a.Query("SHOW DATABASES")), Rows(b.Query("SHOW DATABASES")));
}

TEST(MysqlHostile, OversizeTruncatedAndGarbage) {
  {
    Client c(Inputs("debian"));
    auto r = c.Send(std::string("\xFF\xFF\xFF\x01", 4) + std::string(100, 'A'));
    EXPECT_EQ(ErrText(r), "1153 08S01 Got a packet bigger than 'max_allowed_packet' bytes");
    EXPECT_TRUE(c.conn.closed);
    EXPECT_EQ(c.decky.Events("limit").size(), 1u);
  }
  {
    Client c(Inputs("debian"));  // a login cut inside the user name
    auto r = c.Send(MysqlFrame(1, MysqlLoginPacket("root", "x").substr(0, 34)));
    EXPECT_EQ(ErrText(r), "1043 08S01 Bad handshake");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c(Inputs("debian"));  // an HTTP request before login: one "packet" of 0x20544547 bytes
    auto r = c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(ErrText(r).substr(0, 4), "1153");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c(Inputs("debian"));  // a packet that is whole but not a login
    EXPECT_EQ(ErrText(c.Send(MysqlFrame(1, "hello"))), "1043 08S01 Bad handshake");
    EXPECT_EQ(c.decky.Events("protocol_error").size(), 1u);
  }
  {
    Client c(Inputs("debian", {{"users", "root:toor"}, {"max_packet", "4096"}}));
    c.Login();
    EXPECT_EQ(ErrText(c.Query(std::string(5000, 'x'))).substr(0, 4), "1153");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    // Lengths inside the login that point past its end.
    Client c(Inputs("debian"));
    std::string p = MysqlLoginPacket("root", "", "", 0x200000);  // LENENC auth data
    p[p.find("root") + 5] = '\xFC';
    EXPECT_EQ(ErrText(c.Send(MysqlFrame(1, p))), "1043 08S01 Bad handshake");
  }
}

TEST(MysqlHostile, PacketReaderSplitsAnywhere) {
  const std::string in =
      MysqlFrame(0, "abc") + MysqlFrame(1, "") + MysqlFrame(2, std::string(300, 'z'));
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    mysql::PacketReader r(1024);
    std::vector<std::string> got;
    r.Feed(in.substr(0, cut));
    while (auto p = r.Next()) got.push_back(p->second);
    r.Feed(in.substr(cut));
    while (auto p = r.Next()) got.push_back(p->second);
    ASSERT_EQ(got.size(), 3u) << cut;
    EXPECT_EQ(got[2].size(), 300u);
    EXPECT_EQ(r.buffered(), 0u);
  }
}

TEST(MysqlHostile, FuzzEntryOnRandomAndShapedInputs) {
  std::mt19937 rng(1234);
  std::vector<std::string> inputs = {
      "",
      MysqlFrame(0, "\x03SELECT * FROM users LIMIT 99999999999999999999"),
      MysqlFrame(0, "\x03SHOW TABLES FROM"),
      MysqlFrame(0, "\x03SELECT ,,,"),
      MysqlFrame(0, "\x03SELECT * FROM a.b.c.d"),
      MysqlFrame(0, "\x03USE"),
      MysqlFrame(0,
                 "\x03"
                 "CREATE FUNCTION x SONAME"),
      MysqlFrame(0, "\x11"),
      MysqlFrame(0, ""),
      MysqlFrame(1,
                 MysqlLoginPacket(std::string(3000, 'u'), std::string(255, 'p'), "db", 0x300000)),
  };
  for (int i = 0; i < 200; ++i) {
    std::string s(rng() % 400, '\0');
    for (char& ch : s) ch = static_cast<char>(rng());
    inputs.push_back(s);
  }
  for (const std::string& s : inputs)
    fuzz::MysqlBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace
}  // namespace decnet::services::db
