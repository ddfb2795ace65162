// Telnet: the RFC 1143 option state machine alone, then whole sessions of each product byte for
// byte through FakeConnection with a stand-in shell, and the fuzz entry on hostile inputs.
#include "decnet/services/telnet/telnet.h"

#include <gtest/gtest.h>

#include <random>

#include "decnet/decoy/testing.h"
#include "decnet/services/telnet/codec.h"
#include "telnet_fuzz_entry.h"

namespace decnet::services::telnet {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

std::string Iac(std::initializer_list<uint8_t> bytes) {
  std::string s = {static_cast<char>(cmd::kIac)};
  for (uint8_t b : bytes) s.push_back(static_cast<char>(b));
  return s;
}
std::string Will(uint8_t o) { return Iac({cmd::kWill, o}); }
std::string Wont(uint8_t o) { return Iac({cmd::kWont, o}); }
std::string Do(uint8_t o) { return Iac({cmd::kDo, o}); }
std::string Dont(uint8_t o) { return Iac({cmd::kDont, o}); }
std::string Sb(uint8_t o, std::string payload) {
  return Iac({cmd::kSb, o}) + payload + Iac({cmd::kSe});
}

struct Recorder final : TelnetCodec::Handler {
  void Send(std::string_view w) override { sent += w; }
  void OnPlain(std::string_view b) override { plain += b; }
  void OnCommand(uint8_t c) override { commands.push_back(c); }
  void OnSubnegotiation(uint8_t o, std::string_view p) override {
    subs.emplace_back(o, std::string(p));
  }
  void OnOptionChange(uint8_t o, Side s, bool on) override { changes.push_back({o, s, on}); }
  std::string Take() { return std::exchange(sent, {}); }
  struct Change {
    uint8_t option;
    Side side;
    bool on;
  };
  std::string sent, plain;
  std::vector<uint8_t> commands;
  std::vector<std::pair<uint8_t, std::string>> subs;
  std::vector<Change> changes;
};

// ---- the option state machine (RFC 1143)

TEST(TelnetCodec, RefusesUnwantedOptionsOnceAndAcceptsWantedOnes) {
  Recorder r;
  TelnetCodec c(r, 64);
  c.Accept(Side::kHim, opt::kNaws, true);
  c.Feed(Will(opt::kLinemode) + Will(opt::kNaws) + Do(opt::kLinemode));
  EXPECT_EQ(r.Take(), Dont(opt::kLinemode) + Do(opt::kNaws) + Wont(opt::kLinemode));
  EXPECT_TRUE(c.Enabled(Side::kHim, opt::kNaws));
  EXPECT_FALSE(c.Enabled(Side::kHim, opt::kLinemode));
  // Repeating a request that changes nothing is not answered: this is what prevents loops.
  c.Feed(Will(opt::kNaws) + Wont(opt::kLinemode) + Dont(opt::kEcho));
  EXPECT_EQ(r.Take(), "");
  EXPECT_EQ(c.stats().ignored, 3u);
  EXPECT_EQ(c.stats().refused, 2u);
}

TEST(TelnetCodec, OurRequestIsSentOnceAndSettledByTheAnswer) {
  Recorder r;
  TelnetCodec c(r, 64);
  c.Request(Side::kUs, opt::kEcho, true);
  c.Request(Side::kUs, opt::kEcho, true);  // already asked: nothing new on the wire
  EXPECT_EQ(r.Take(), Will(opt::kEcho));
  EXPECT_TRUE(c.Pending(Side::kUs, opt::kEcho));
  c.Feed(Do(opt::kEcho));
  EXPECT_EQ(r.Take(), "");  // an answer is not answered
  EXPECT_TRUE(c.Enabled(Side::kUs, opt::kEcho));
  EXPECT_FALSE(c.Pending(Side::kUs, opt::kEcho));
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_TRUE(r.changes[0].on);
  // The peer turns it off: acknowledged once.
  c.Feed(Dont(opt::kEcho) + Dont(opt::kEcho));
  EXPECT_EQ(r.Take(), Wont(opt::kEcho));
  EXPECT_FALSE(c.Enabled(Side::kUs, opt::kEcho));
}

TEST(TelnetCodec, RefusalOfOurRequestIsNotAnswered) {
  Recorder r;
  TelnetCodec c(r, 64);
  c.Request(Side::kHim, opt::kTtype, true);
  EXPECT_EQ(r.Take(), Do(opt::kTtype));
  c.Feed(Wont(opt::kTtype));
  EXPECT_EQ(r.Take(), "");
  EXPECT_FALSE(c.Pending(Side::kHim, opt::kTtype));
  EXPECT_FALSE(c.Enabled(Side::kHim, opt::kTtype));
}

TEST(TelnetCodec, QueuedReversalIsSentAfterTheAnswer) {
  Recorder r;
  TelnetCodec c(r, 64);
  c.Request(Side::kHim, opt::kNaws, true);
  c.Request(Side::kHim, opt::kNaws, false);  // changed our mind while DO is in flight: queued
  EXPECT_EQ(r.Take(), Do(opt::kNaws));
  c.Feed(Will(opt::kNaws));
  EXPECT_EQ(r.Take(), Dont(opt::kNaws));
  c.Feed(Wont(opt::kNaws));
  EXPECT_EQ(r.Take(), "");
  EXPECT_FALSE(c.Enabled(Side::kHim, opt::kNaws));
}

// Two codecs wired back to back, both asking for and refusing the same options, settle.
TEST(TelnetCodec, TwoPeersNeverLoop) {
  struct Wire final : TelnetCodec::Handler {
    void Send(std::string_view w) override { out += w; }
    void OnPlain(std::string_view) override {}
    std::string out;
  } wa, wb;
  TelnetCodec a(wa, 64), b(wb, 64);
  a.Accept(Side::kHim, opt::kEcho, true);
  b.Accept(Side::kUs, opt::kSga, true);
  for (uint8_t o : {opt::kEcho, opt::kSga, opt::kNaws}) {
    a.Request(Side::kUs, o, true);
    a.Request(Side::kHim, o, true);
    b.Request(Side::kUs, o, true);
    b.Request(Side::kHim, o, false);
  }
  int rounds = 0;
  while ((!wa.out.empty() || !wb.out.empty()) && rounds < 50) {
    b.Feed(std::exchange(wa.out, {}));
    a.Feed(std::exchange(wb.out, {}));
    ++rounds;
  }
  EXPECT_LT(rounds, 5);
  EXPECT_TRUE(a.Enabled(Side::kHim, opt::kEcho));  // b wanted to echo and a accepted
  EXPECT_TRUE(b.Enabled(Side::kUs, opt::kSga) == a.Enabled(Side::kHim, opt::kSga));
  for (uint8_t o : {opt::kEcho, opt::kSga, opt::kNaws}) {
    EXPECT_FALSE(a.Pending(Side::kUs, o) || a.Pending(Side::kHim, o));
    EXPECT_FALSE(b.Pending(Side::kUs, o) || b.Pending(Side::kHim, o));
  }
}

TEST(TelnetCodec, IacEscapingBothWaysAndNulAfterCr) {
  Recorder r;
  TelnetCodec c(r, 64);
  c.Feed(
      std::string("a\xff\xff"
                  "b\r\0c\r\nd",
                  10));
  EXPECT_EQ(r.plain, std::string("a\xff"
                                 "b\rc\rd"));
  EXPECT_EQ(TelnetCodec::Escape("x\xffy"), "x\xff\xffy");
  // The CR state survives a split and a command in between.
  r.plain.clear();
  c.Feed("e\r");
  c.Feed(Iac({cmd::kNop}));
  c.Feed(std::string(1, '\0'));
  c.Feed("f");
  EXPECT_EQ(r.plain, "e\rf");
}

TEST(TelnetCodec, SubnegotiationBoundedAndUnterminatedSbEnds) {
  Recorder r;
  TelnetCodec c(r, 8);
  c.Feed(Sb(opt::kNaws, std::string("\x00\x50\x00\x18", 4)));
  ASSERT_EQ(r.subs.size(), 1u);
  EXPECT_EQ(r.subs[0].second, std::string("\x00\x50\x00\x18", 4));
  // Longer than the bound: dropped whole, counted.
  c.Feed(Sb(opt::kTtype, std::string(100, 'A')));
  EXPECT_EQ(r.subs.size(), 1u);
  EXPECT_EQ(c.stats().subneg_overflows, 1u);
  // IAC IAC inside SB is one 0xFF.
  c.Feed(Sb(opt::kTtype, std::string("\0\xff\xffZ", 4)));
  ASSERT_EQ(r.subs.size(), 2u);
  EXPECT_EQ(r.subs[1].second, std::string("\0\xffZ", 3));
  // An SB whose SE was lost ends at the next IAC command, which still counts.
  c.Feed(Iac({cmd::kSb, opt::kTtype}) + "xy" + Will(opt::kLinemode) + "data");
  EXPECT_EQ(r.Take().substr(0, 3), Dont(opt::kLinemode));
  EXPECT_EQ(r.plain, "data");
  EXPECT_EQ(c.stats().malformed, 1u);
  // Stray SE outside SB.
  c.Feed(Iac({cmd::kSe}));
  EXPECT_EQ(c.stats().malformed, 2u);
}

TEST(TelnetCodec, SubneogtiationParsers) {
  uint16_t cols = 0, rows = 0;
  EXPECT_TRUE(ParseNaws(std::string("\x01\x00\x00\x30", 4), &cols, &rows));
  EXPECT_EQ(cols, 256);
  EXPECT_EQ(rows, 48);
  EXPECT_FALSE(ParseNaws("abc", &cols, &rows));
  std::string name;
  EXPECT_TRUE(ParseTtypeIs(std::string("\0XTERM-256COLOR", 15), &name));
  EXPECT_EQ(name, "XTERM-256COLOR");
  EXPECT_TRUE(ParseTtypeIs(std::string(1, '\0') + std::string(100, 'X'), &name));
  EXPECT_EQ(name.size(), 40u);
  EXPECT_FALSE(ParseTtypeIs("\x01X", &name));
  std::vector<std::pair<std::string, std::string>> vars;
  // IS VAR "USER" VALUE "ro<ESC>\x01ot" USERVAR "X"
  EXPECT_TRUE(ParseEnviron(std::string("\0\0USER\1ro\2\1ot\3X", 15), &vars, 16));
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0].first, "USER");
  EXPECT_EQ(vars[0].second, "ro\x01ot");
  EXPECT_EQ(vars[1].first, "X");
  EXPECT_FALSE(ParseEnviron(std::string("\0abc", 4), &vars, 16));
  std::string many(1, '\0');
  for (int i = 0; i < 100; ++i) many += std::string("\0V\1x", 4);
  EXPECT_TRUE(ParseEnviron(many, &vars, 16));
  EXPECT_EQ(vars.size(), 16u);
}

// ---- whole sessions

struct FakeShell final : shell::Shell {
  FakeShell(shell::Terminal& t, shell::ShellOptions o) : terminal(t), options(std::move(o)) {}
  void Start() override { terminal.Output("root@box:~# "); }
  void Feed(std::string_view b) override {
    fed += b;
    if (b.find("exit") != std::string_view::npos) terminal.Exit(0);
    if (b.find('\xff') != std::string_view::npos) terminal.Output("\xff");
  }
  void Exec(std::string_view) override {}
  void Eof() override {}
  void Resize(uint16_t c, uint16_t r) override { resized = {c, r}; }
  void Close() override { closed = true; }
  const shell::ShellStats& stats() const override { return st; }
  shell::Terminal& terminal;
  shell::ShellOptions options;
  std::string fed;
  std::pair<uint16_t, uint16_t> resized{0, 0};
  bool closed = false;
  shell::ShellStats st;
};

decoy::PersonaInputs Inputs(std::string product, std::string distro = "debian",
                            std::string users = "root:toor") {
  decoy::PersonaInputs in;
  in.hostname = "web-01";
  in.distro = std::move(distro);
  in.settings["telnet"]["product"] = std::move(product);
  in.settings["telnet"]["users"] = std::move(users);
  in.settings["telnet"]["fail_delay_ms"] = "50";
  return in;
}

struct Dialogue {
  explicit Dialogue(decoy::PersonaInputs in) : decky(std::move(in)), conn(*decky.decky, 23) {
    svc = MakeTelnetWithShell(
        *decky.decky, [this](decoy::Connection&, shell::Terminal& t, shell::ShellOptions o) {
          auto s = std::make_unique<FakeShell>(t, std::move(o));
          shell = s.get();
          return s;
        });
    session = svc->NewSession(conn);
    session->OnOpen();
    opening = conn.Take();
  }
  ~Dialogue() {
    if (session) session->OnClose(decoy::CloseReason::kPeer);
  }
  std::string Say(std::string_view bytes) {
    session->OnData(bytes);
    return conn.Take();
  }
  std::string Health() const {
    std::string j;
    svc->AddHealth(&j);
    return j;
  }
  TestDecky decky;
  FakeConnection conn;
  std::unique_ptr<decoy::Service> svc;
  std::unique_ptr<decoy::Session> session;
  FakeShell* shell = nullptr;
  std::string opening;
};

const std::string kLinuxFirst =
    Do(opt::kTtype) + Do(opt::kTspeed) + Do(opt::kXdisploc) + Do(opt::kNewEnviron);

TEST(Telnet, LinuxSendsTheFourDosThenWaitsForAnswers) {
  Dialogue d(Inputs("linux"));
  EXPECT_EQ(d.opening, kLinuxFirst);  // nothing else until the client answers (nmap's signature)
  // A client that refuses everything but TTYPE: SEND TTYPE, then the rest after its reply.
  EXPECT_EQ(
      d.Say(Will(opt::kTtype) + Wont(opt::kTspeed) + Wont(opt::kXdisploc) + Wont(opt::kNewEnviron)),
      Sb(opt::kTtype, std::string(1, '\1')));
  const std::string after = d.Say(Sb(opt::kTtype, std::string("\0XTERM", 6)));
  EXPECT_EQ(after, Will(opt::kSga) + Will(opt::kEcho) + Do(opt::kNaws) +
                       "Debian GNU/Linux 12\r\nweb-01 login: ");
  auto ev = d.decky.Events("terminal_type");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "term"), "XTERM");
}

TEST(Telnet, LinuxIssuePerDistroAndBannerSetting) {
  {
    Dialogue d(Inputs("linux", "ubuntu22"));
    EXPECT_NE(d.Say(Wont(opt::kTtype) + Wont(opt::kTspeed) + Wont(opt::kXdisploc) +
                    Wont(opt::kNewEnviron))
                  .find("Ubuntu 22.04.4 LTS\r\nweb-01 login: "),
              std::string::npos);
  }
  auto in = Inputs("linux");
  in.settings["telnet"]["banner"] = "Authorized use only\nline two";
  Dialogue d(in);
  d.conn.FireTimer();  // the client never answers: login starts at the timeout
  EXPECT_NE(d.conn.Take().find("Authorized use only\r\nline two\r\nweb-01 login: "),
            std::string::npos);
}

TEST(Telnet, BusyboxOpensWithItsOwnOptionsAndThePrompt) {
  Dialogue d(Inputs("busybox", "alpine"));
  EXPECT_EQ(d.opening, Do(opt::kEcho) + Do(opt::kNaws) + Will(opt::kEcho) + Will(opt::kSga) +
                           "\r\r\nweb-01 login: ");
  // busybox asks no TTYPE; an offer of it is refused, LINEMODE too.
  EXPECT_EQ(d.Say(Will(opt::kTtype) + Will(opt::kLinemode)),
            Dont(opt::kTtype) + Dont(opt::kLinemode));
}

TEST(Telnet, BusyboxIsTheDefaultOnAlpineAndEmbedded) {
  auto in = Inputs("", "alpine");
  in.settings["telnet"].erase("product");
  Dialogue d(in);
  EXPECT_EQ(d.opening.substr(0, 3), Do(opt::kEcho));
}

// A character-mode client (busybox telnet): echo of the name, not of the password, the credential
// logged byte for byte, "Login incorrect" only after the delay, then the shell with TTYPE and NAWS.
TEST(Telnet, CharacterModeLoginFailThenSucceed) {
  Dialogue d(Inputs("linux"));
  d.Say(Will(opt::kTtype) + Wont(opt::kTspeed) + Wont(opt::kXdisploc) + Wont(opt::kNewEnviron));
  d.Say(Sb(opt::kTtype, std::string("\0XTERM-256COLOR", 15)));
  EXPECT_EQ(d.Say(Do(opt::kSga) + Do(opt::kEcho) + Will(opt::kNaws) +
                  Sb(opt::kNaws, std::string("\0\x84\0\x2a", 4))),
            "");
  EXPECT_EQ(d.Say("r"), "r");
  EXPECT_EQ(d.Say("ootx\x7f"), "ootx\b \b");
  EXPECT_EQ(d.Say(std::string("\r\0", 2)), "\r\nPassword: ");
  EXPECT_EQ(d.Say("t\xc3\xabst"), "");  // not echoed
  EXPECT_EQ(d.Say("\r\n"), "\r\n");
  EXPECT_EQ(d.conn.timer_ms, 50u);
  EXPECT_EQ(d.Say("ignored-while-sleeping"), "");
  d.conn.FireTimer();
  // What was typed during the delay is the next user name.
  EXPECT_EQ(d.conn.Take(), "\r\nLogin incorrect\r\nweb-01 login: ignored-while-sleeping");
  d.Say("\x15");  // ^U
  d.Say("root\r\n");
  EXPECT_EQ(d.Say("toor\r\n"), "\r\nroot@box:~# ");
  auto attempts = d.decky.Events("login_attempt");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(ParamOf(attempts[0], "principal"), "root");
  EXPECT_EQ(ParamOf(attempts[0], "secret_b64"), "dMOrc3Q=");  // base64("tëst")
  EXPECT_EQ(ParamOf(attempts[0], "secret_kind"), "plaintext");
  EXPECT_EQ(ParamOf(attempts[0], "success"), "false");
  EXPECT_EQ(ParamOf(attempts[1], "success"), "true");
  ASSERT_NE(d.shell, nullptr);
  EXPECT_EQ(d.shell->options.service, "telnet");
  EXPECT_EQ(d.shell->options.user, "root");
  EXPECT_EQ(d.shell->options.term, "xterm-256color");
  EXPECT_EQ(d.shell->options.term_cols, 132);
  EXPECT_EQ(d.shell->options.term_rows, 42);
  // Shell input: CR NUL is one CR; a later NAWS resizes; IAC in output is doubled.
  d.Say(std::string("ls\r\0", 4) + Sb(opt::kNaws, std::string("\0\x50\0\x19", 4)));
  EXPECT_EQ(d.shell->fed, "ls\r");
  EXPECT_EQ(d.shell->resized, std::make_pair(uint16_t{80}, uint16_t{25}));
  EXPECT_EQ(d.Say("\xff\xff"), "\xff\xff");
  EXPECT_NE(d.Health().find("\"telnet_logins_ok\":1"), std::string::npos);
  EXPECT_NE(d.Health().find("\"telnet_logins_failed\":1"), std::string::npos);
  d.Say("exit\r");
  EXPECT_TRUE(d.conn.closed);
}

TEST(Telnet, ThreeFailuresClose) {
  Dialogue d(Inputs("busybox", "alpine"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(d.conn.closed);
    // A line-mode client (hydra, a script): whole lines, no echo wanted.
    d.Say("admin\r\n");
    d.Say("wrong" + std::to_string(i) + "\r\n");
    d.conn.FireTimer();
    const std::string out = d.conn.Take();
    EXPECT_EQ(out.substr(0, 17), "Login incorrect\r\n");
  }
  EXPECT_TRUE(d.conn.closed);
  EXPECT_EQ(d.decky.Events("login_attempt").size(), 3u);
}

TEST(Telnet, EnvironUserGoesStraightToPassword) {
  Dialogue d(Inputs("linux"));
  d.Say(Wont(opt::kTtype) + Wont(opt::kTspeed) + Wont(opt::kXdisploc));
  EXPECT_EQ(d.Say(Will(opt::kNewEnviron)), Sb(opt::kNewEnviron, std::string(1, '\1')));
  const std::string out = d.Say(Sb(opt::kNewEnviron, std::string("\0\0USER\1root\3LANG\1C", 18)));
  EXPECT_TRUE(out.ends_with("Debian GNU/Linux 12\r\nPassword: ")) << out;
  auto env = d.decky.Events("environ");
  ASSERT_EQ(env.size(), 1u);
  EXPECT_EQ(ParamOf(env[0], "user"), "root");
  EXPECT_EQ(ParamOf(env[0], "vars"), "USER=root LANG=C");
  d.Say("toor\r\n");
  ASSERT_NE(d.shell, nullptr);
  EXPECT_EQ(d.shell->options.user, "root");
}

// A bot that types before answering (or never answers) gets the prompt at once.
TEST(Telnet, TypingDuringNegotiationStartsLogin) {
  Dialogue d(Inputs("linux"));
  const std::string out = d.Say("root\r\n");
  EXPECT_NE(out.find("web-01 login: "), std::string::npos);
  EXPECT_TRUE(out.ends_with("Password: ")) << out;
}

TEST(Telnet, HostileInputIsBoundedAndCounted) {
  {
    Dialogue d(Inputs("busybox", "alpine"));
    d.Say(std::string(1 << 20, '\xff'));  // 1 MiB of IAC
    EXPECT_TRUE(d.conn.closed);
    EXPECT_NE(d.Health().find("\"telnet_prelogin_limit_closed\":1"), std::string::npos);
  }
  {
    Dialogue d(Inputs("busybox", "alpine"));
    const std::string line(1000, 'A');
    d.Say(line + "\r\n");
    const std::string out = d.Say("x\r\n");
    EXPECT_EQ(out, "\r\n");  // the password line after the cut user name
    auto ev = d.decky.Events("login_attempt");
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ParamOf(ev[0], "username").size(), 256u);
    EXPECT_NE(d.Health().find("\"telnet_login_lines_too_long\":1"), std::string::npos);
  }
  {
    Dialogue d(Inputs("busybox", "alpine"));
    // An SB never terminated: its bytes are not kept past the bound, and the prelogin limit closes.
    d.Say(Iac({cmd::kSb, opt::kNaws}));
    for (int i = 0; i < 100 && !d.conn.closed; ++i) d.Say(std::string(4096, 'x'));
    EXPECT_TRUE(d.conn.closed);
    d.session->OnClose(decoy::CloseReason::kService);
    d.session.reset();
    std::string j;
    d.svc->AddHealth(&j);
    EXPECT_NE(j.find("\"telnet_subneg_overflows\":0"), std::string::npos);  // never ended
  }
  {
    Dialogue d(Inputs("busybox", "alpine"));
    d.Say(Sb(opt::kNaws, std::string(600, 'x')) + Iac({cmd::kSe}) + Iac({cmd::kAyt, cmd::kNop}));
    d.session->OnClose(decoy::CloseReason::kPeer);
    d.session.reset();
    std::string j;
    d.svc->AddHealth(&j);
    EXPECT_NE(j.find("\"telnet_subneg_overflows\":1"), std::string::npos) << j;
    EXPECT_NE(j.find("\"telnet_malformed\":1"), std::string::npos) << j;
  }
}

TEST(Telnet, FuzzEntrySurvivesHostileInputs) {
  std::mt19937 rng(1143);
  std::vector<std::string> inputs = {
      std::string(5000, '\xff'),
      Iac({cmd::kSb}) + std::string(3000, 'z'),
      std::string("\xff\xfa\x18\x00", 4) + std::string(70, '\xff') + "\xff\xf0",
      "root\r\ntoor\r\n\xff\xfb\x1f\xff\xfa\x1f\0\0\0\0\xff\xf0"
      "ls\r\0\x04",
  };
  for (int n = 0; n < 60; ++n) {
    std::string s(rng() % 600, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 8 == 0 ? 0xff : 0xf0 + rng() % 16);
    inputs.push_back(s);
  }
  for (const auto& s : inputs) {
    fuzz::TelnetSessionBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
}

}  // namespace
}  // namespace decnet::services::telnet
