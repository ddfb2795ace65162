// The mssql service byte for byte through FakeConnection: the PRELOGIN answer nmap matches, LOGIN7
// with the obfuscated password recovered (non-BMP and lone surrogates included), the failure
// tokens as SQL Server sends them, the login acknowledgement, batches (@@VERSION per release and
// OS, sys.databases, SERVERPROPERTY, xp_cmdshell disabled), and hostile packets.
#include "decnet/services/db/mssql.h"

#include <gtest/gtest.h>

#include <random>

#include "decnet/core/text.h"
#include "decnet/decoy/testing.h"
#include "mssql_fuzz_entry.h"

namespace decnet::services::db {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;
using fuzz::Batch;
using fuzz::Login7;
using fuzz::TdsPacket;
using fuzz::Utf16;
using Settings = std::map<std::string, std::string>;

// The bodies of the tabular packets a session wrote, headers checked and removed.
std::string Tokens(const std::string& out) {
  std::string body;
  size_t at = 0;
  while (at + 8 <= out.size()) {
    EXPECT_EQ(out[at], 0x04);
    const size_t len = (size_t(static_cast<unsigned char>(out[at + 2])) << 8) |
                       static_cast<unsigned char>(out[at + 3]);
    EXPECT_GE(len, 8u);
    EXPECT_LE(at + len, out.size());
    body += out.substr(at + 8, len - 8);
    at += len;
  }
  EXPECT_EQ(at, out.size());
  return body;
}
bool Has(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

struct Client {
  explicit Client(std::map<std::string, std::string> s = {{"users", "sa:Passw0rd"}})
      : decky(In(s)) {
    svc = MakeMssql(*decky.decky);
    conn = std::make_unique<FakeConnection>(*decky.decky, 1433);
    session = svc->NewSession(*conn);
    session->OnOpen();
  }
  ~Client() { session->OnClose(decoy::CloseReason::kPeer); }
  static decoy::PersonaInputs In(const std::map<std::string, std::string>& s) {
    decoy::PersonaInputs in;
    in.hostname = "db-prod-01";
    for (auto& [k, v] : s) in.settings["mssql"][k] = v;
    return in;
  }
  std::string Send(std::string_view bytes) {
    session->OnData(bytes);
    return conn->Take();
  }
  std::string Login(std::string_view user, std::string_view pass) {
    return Tokens(Send(TdsPacket(0x10, Login7(user, pass))));
  }
  std::string Sql(std::string_view q) { return Tokens(Send(TdsPacket(0x01, Batch(q)))); }
  TestDecky decky;
  std::unique_ptr<decoy::Service> svc;
  std::unique_ptr<FakeConnection> conn;
  std::unique_ptr<decoy::Session> session;
};

// nmap's ms-sql-s probe (nmap-service-probes), a real client PRELOGIN.
const std::string kNmapProbe(
    "\x12\x01\x00\x34\x00\x00\x00\x00\x00\x00\x15\x00\x06\x01\x00\x1b\x00\x01\x02\x00\x1c\x00\x0c"
    "\x03\x00\x28\x00\x04\xff\x08\x00\x01\x55\x00\x00\x00\x4d\x53\x53\x51\x4c\x53\x65\x72\x76\x65"
    "\x72\x00\x48\x0f\x00\x00",
    52);

TEST(Mssql, PreloginAnswersTheVersionWithEncryptionNotSupported) {
  Client c;
  const std::string out = c.Send(kNmapProbe);
  // The layout nmap's "Microsoft SQL Server 2019" line matches: 15.0, build 2000 (0x07d0).
  EXPECT_EQ(out, std::string("\x04\x01\x00\x25\x00\x00\x01\x00"
                             "\x00\x00\x15\x00\x06\x01\x00\x1b\x00\x01\x02\x00\x1c\x00\x01\x03\x00"
                             "\x1d\x00\x00\xff\x0f\x00\x07\xd0\x00\x00\x02\x00",
                             37));
  const auto ev = c.decky.Events("prelogin");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "client_version"), "8.0.341");
  EXPECT_EQ(ParamOf(ev[0], "instance"), "MSSQLServer");
  EXPECT_FALSE(c.conn->closed);
}

TEST(Mssql, PreloginVersionFollowsTheSetting) {
  Client c(Settings{{"version", "2017"}});
  const std::string out = c.Send(kNmapProbe);
  ASSERT_EQ(out.size(), 37u);
  EXPECT_EQ(out.substr(29, 4), std::string("\x0e\x00\x03\xe8", 4));  // 14.0.1000
  Client d(Settings{{"version", "2022"}});
  EXPECT_EQ(d.Send(kNmapProbe).substr(29, 4), std::string("\x10\x00\x03\xe8", 4));  // 16.0.1000
}

TEST(Mssql, WrongPasswordIsLoggedInPlaintextAndFailsAsSqlServer) {
  Client c;
  c.Send(kNmapProbe);
  const std::string t = c.Login("sa", "hunter2");
  // ERROR: number 18456, state 1, class 14, the message, the server name, no proc, line 1.
  const std::string msg = Utf16("Login failed for user 'sa'.");
  std::string err = std::string("\xAA", 1);
  std::string b = std::string("\x18\x48\x00\x00\x01\x0e", 6) + static_cast<char>(msg.size() / 2) +
                  '\0' + msg + '\x0a' + Utf16("DB-PROD-01") +
                  std::string("\x00\x01\x00\x00\x00", 5);
  err += static_cast<char>(b.size() & 0xFF) + std::string(1, static_cast<char>(b.size() >> 8)) + b;
  const std::string done("\xFD\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 13);
  EXPECT_EQ(t, err + done);
  EXPECT_TRUE(c.conn->closed);
  const auto ev = c.decky.Events("auth");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "principal"), "sa");
  EXPECT_EQ(ParamOf(ev[0], "secret_b64"), Base64Encode("hunter2"));
  EXPECT_EQ(ParamOf(ev[0], "secret_kind"), "plaintext");
  EXPECT_EQ(ParamOf(ev[0], "success"), "false");
  EXPECT_EQ(ParamOf(ev[0], "hostname"), "WS01");
  EXPECT_EQ(ParamOf(ev[0], "app"), "sqlcmd");
  EXPECT_EQ(ParamOf(ev[0], "server"), "db1");
  EXPECT_EQ(ParamOf(ev[0], "library"), "ODBC");
  EXPECT_EQ(ParamOf(ev[0], "client_pid"), "4242");
}

TEST(Mssql, NonBmpAndLoneSurrogatePasswords) {
  Client c;
  c.Login("sa", "p\xC3\xA4\xF0\x9F\x98\x80");  // "pä😀": a surrogate pair on the wire
  auto ev = c.decky.Events("auth");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "secret_b64"), Base64Encode("p\xC3\xA4\xF0\x9F\x98\x80"));
  EXPECT_EQ(ParamOf(ev[0], "password_utf16_hex"), "");
  bool lossy = false;
  EXPECT_EQ(mssql::Utf16ToUtf8(std::string("a\0\x00\xD8", 4), &lossy), "a\xEF\xBF\xBD");
  EXPECT_TRUE(lossy);
  EXPECT_EQ(mssql::Deobfuscate(std::string("\xB3\xA5", 2)), std::string("a\0", 2));
}

TEST(Mssql, LoginThenVersionDatabasesAndProperties) {
  Client c;
  c.Send(kNmapProbe);
  const std::string ack = c.Login("sa", "Passw0rd");
  EXPECT_FALSE(c.conn->closed);
  EXPECT_EQ(ack[0], '\xE3');  // ENVCHANGE database first (what hydra's 4.2 check reads)
  EXPECT_TRUE(Has(ack, Utf16("master")));
  EXPECT_TRUE(Has(ack, Utf16("us_english")));
  EXPECT_TRUE(Has(ack, "\xAD"));
  EXPECT_TRUE(Has(ack, Utf16("Microsoft SQL Server")));
  EXPECT_EQ(ParamOf(c.decky.Events("auth")[0], "success"), "true");
  const std::string v = c.Sql("SELECT @@VERSION");
  EXPECT_TRUE(Has(v, Utf16("Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64) \n\tSep 24 2019 "
                           "13:48:23 \n\tCopyright (C) 2019 Microsoft Corporation\n\tDeveloper "
                           "Edition (64-bit) on Windows Server 2019 Datacenter 10.0 <X64> (Build "
                           "17763: ) (Hypervisor)\n")));
  EXPECT_EQ(v[0], '\x81');
  EXPECT_TRUE(Has(v, std::string("\xFD\x10\x00\xC1\x00\x01\x00\x00\x00", 9)));  // 1 row
  const std::string dbs = c.Sql("SELECT name FROM sys.databases");
  for (const char* d : {"master", "tempdb", "model", "msdb"}) EXPECT_TRUE(Has(dbs, Utf16(d)));
  const std::string p =
      c.Sql("SELECT SERVERPROPERTY('ProductVersion'), SERVERPROPERTY('Edition'), @@SERVERNAME");
  EXPECT_TRUE(Has(p, Utf16("15.0.2000.5")));
  EXPECT_TRUE(Has(p, Utf16("Developer Edition (64-bit)")));
  EXPECT_TRUE(Has(p, Utf16("DB-PROD-01")));
  EXPECT_TRUE(Has(c.Sql("SELECT * FROM users"), Utf16("Invalid object name 'users'.")));
  EXPECT_TRUE(Has(c.Sql("DROP TABLE x"), Utf16("Incorrect syntax near 'DROP'.")));
  EXPECT_EQ(c.decky.Events("query").size(), 5u);
}

TEST(Mssql, LinuxVersionAndNamedInstance) {
  Client c(Settings{{"users", "sa:x"}, {"version", "2022"}, {"os", "linux"}, {"instance", "PROD"}});
  c.Login("sa", "x");
  EXPECT_TRUE(Has(c.Sql("select @@version"),
                  Utf16("Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64) \n\tOct  8 2022 "
                        "05:58:25 \n\tCopyright (C) 2022 Microsoft Corporation\n\tDeveloper "
                        "Edition (64-bit) on Linux (Ubuntu 20.04.5 LTS) <X64>\n")));
  EXPECT_TRUE(Has(c.Sql("SELECT @@SERVERNAME"), Utf16("DB-PROD-01\\PROD")));
}

TEST(Mssql, XpCmdshellIsDisabledAndTheCommandLogged) {
  Client c;
  c.Login("sa", "Passw0rd");
  const std::string t = c.Sql("EXEC master..xp_cmdshell 'whoami /all'");
  EXPECT_EQ(t.substr(0, 1), "\xAA");
  EXPECT_EQ(t.substr(3, 6), std::string("\xB1\x3B\x00\x00\x01\x10", 6));  // 15281, state 1, 16
  EXPECT_TRUE(Has(t, Utf16("xp_cmdshell")));
  auto q = c.decky.Events("query");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(ParamOf(q[0], "tags"), "xp_cmdshell");
  EXPECT_EQ(ParamOf(q[0], "command"), "whoami /all");
  // sp_configure: hidden until advanced options are shown, then refused.
  EXPECT_TRUE(Has(c.Sql("EXEC sp_configure 'xp_cmdshell', 1"), std::string("\x13\x3B\x00\x00", 4)));
  EXPECT_TRUE(Has(c.Sql("EXEC sp_configure 'show advanced options', 1"), Utf16("RECONFIGURE")));
  EXPECT_TRUE(Has(c.Sql("EXEC sp_configure 'xp_cmdshell', 1"), std::string("\x8F\x3B\x00\x00", 4)));
  EXPECT_FALSE(c.conn->closed);
}

TEST(Mssql, Tds42LoginOfHydra) {
  std::string m(560, '\0');
  m.replace(31, 4, "root");
  m[61] = 4;
  m.replace(62, 5, "t\xC3\xB6rt");
  m[92] = 5;
  Client c(Settings{{"users", "root:t\xC3\xB6rt"}});
  const std::string t =
      Tokens(c.Send(TdsPacket(0x02, m.substr(0, 300), 0) + TdsPacket(0x02, m.substr(300))));
  EXPECT_EQ(t[0], '\xE3');
  auto ev = c.decky.Events("auth");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "secret_b64"), Base64Encode("t\xC3\xB6rt"));
  EXPECT_EQ(ParamOf(ev[0], "success"), "true");
}

TEST(Mssql, HostilePacketsClose) {
  for (const std::string& bad :
       {std::string("\x12\x01\x00\x00\x00\x00\x00\x00", 8),  // length 0
        std::string("\x12\x01\xff\xff\x00\x00\x00\x00", 8),  // 65535 > 32768
        std::string("GET / HTTP/1.1\r\n\r\n") +
            std::string(21536, 'x')}) {  // a type it never expects
    Client c;
    c.Send(bad);
    EXPECT_TRUE(c.conn->closed);
    EXPECT_EQ(c.decky.Events("auth").size(), 0u);
  }
  {  // PRELOGIN options pointing past the body: ignored, still answered as SQL Server does
    Client c;
    const std::string out =
        c.Send(TdsPacket(0x12, std::string("\x00\xff\xf0\x00\x06\x01\x00\x05\xff\xff", 10)));
    EXPECT_EQ(out.size(), 37u);
    EXPECT_FALSE(c.conn->closed);
    EXPECT_EQ(ParamOf(c.decky.Events("prelogin")[0], "client_version"), "");
  }
  {  // a field offset far past the end
    std::string l = Login7("sa", "x");
    l[40] = '\xF0';
    l[41] = '\xFF';
    Client c;
    EXPECT_EQ(c.Send(TdsPacket(0x10, l)), "");
    EXPECT_TRUE(c.conn->closed);
    EXPECT_EQ(c.decky.Events("protocol_error").size(), 1u);
  }
  {  // truncated LOGIN7, and a declared length beyond the packet
    Client c;
    c.Send(TdsPacket(0x10, Login7("sa", "x").substr(0, 60)));
    EXPECT_TRUE(c.conn->closed);
    std::string l = Login7("sa", "x");
    l[3] = '\x7F';
    Client d;
    d.Send(TdsPacket(0x10, l));
    EXPECT_TRUE(d.conn->closed);
    EXPECT_EQ(d.decky.Events("auth").size(), 0u);
  }
  {  // a login message spread over packets beyond 16 KiB
    Client c;
    std::string chunk = TdsPacket(0x10, std::string(4000, 'A'), 0);
    for (int i = 0; i < 5 && !c.conn->closed; ++i) c.Send(chunk);
    EXPECT_TRUE(c.conn->closed);
    EXPECT_EQ(c.decky.Events("limit").size(), 1u);
  }
}

TEST(Mssql, FuzzEntryOnHostileInputs) {
  std::mt19937 rng(1433);
  const std::vector<std::string> seeds = {kNmapProbe, TdsPacket(0x10, Login7("sa", "Passw0rd")),
                                          TdsPacket(0x01, Batch("SELECT @@VERSION"))};
  for (int i = 0; i < 300; ++i) {
    std::string s = seeds[i % seeds.size()];
    for (int k = 0; k < 1 + i % 8; ++k) s[rng() % s.size()] = static_cast<char>(rng());
    if (i % 5 == 0) s.resize(rng() % s.size());
    fuzz::MssqlBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
}

}  // namespace
}  // namespace decnet::services::db
