#include "decnet/services/telnet/telnet.h"

#include <algorithm>
#include <charconv>

#include "decnet/decoy/persona.h"
#include "decnet/services/shell/auth_policy.h"
#include "decnet/services/telnet/codec.h"

namespace decnet::services::telnet {
namespace {

using decoy::CloseReason;
using decoy::Connection;
constexpr std::string_view kService = "telnet";
constexpr size_t kMaxSubneg = 512;      // SB bytes kept; NEW-ENVIRON with many variables fits
constexpr size_t kMaxEnvVars = 16;      // NEW-ENVIRON pairs kept per SB
constexpr size_t kMaxClientValue = 64;  // TSPEED / XDISPLOC / USER values kept
constexpr uint16_t kMaxWindow = 1000;   // NAWS beyond this is clamped (no real terminal is larger)

enum class Product : uint8_t { kLinux, kBusybox };

struct Config {
  Product product = Product::kLinux;
  std::string issue;  // text before the first prompt, "\r\n" line ends
  uint64_t fail_delay_ms = 3000;
  uint64_t negotiate_timeout_ms = 10000;
  uint32_t max_attempts = 3;
  size_t max_login_line = 256;
  size_t max_prelogin_bytes = 65536;
};

uint64_t SettingNumber(const decoy::Persona& p, std::string_view key, uint64_t def) {
  const std::string v = p.Setting(kService, key);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc() && end == v.data() + v.size() && !v.empty() ? n : def;
}

// /etc/issue.net as each distro ships it (netkit telnetd prints it before login runs).
std::string LinuxIssue(const decoy::Persona& p) {
  const std::string& d = p.distro();
  const std::string kernel_line = "Kernel " + p.kernel() + " on an x86_64";
  if (d == "debian") return "Debian GNU/Linux 12";
  if (d == "ubuntu22") return "Ubuntu 22.04.4 LTS";
  if (d == "ubuntu20") return "Ubuntu 20.04.6 LTS";
  if (d == "kali") return "Kali GNU/Linux Rolling";
  if (d == "rocky9") return "Rocky Linux 9.3 (Blue Onyx)\r\n" + kernel_line;
  if (d == "centos7") return "CentOS Linux 7 (Core)\r\n" + kernel_line;
  if (d == "fedora") return "Fedora Linux 39 (Server Edition)\r\n" + kernel_line;
  return kernel_line;
}

// The registry's `banner` field overrides the issue text; "\n" in it becomes "\r\n".
std::string IssueSetting(const decoy::Persona& p, std::string def) {
  const std::string raw = p.Setting(kService, "banner", "\x01");
  if (raw == "\x01") return def;
  std::string out;
  for (const char c : raw) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

Config ConfigFor(const decoy::Persona& p) {
  Config c;
  const bool embedded = p.distro() == "alpine" || p.os_profile() == "embedded";
  const std::string product = p.Setting(kService, "product", embedded ? "busybox" : "linux");
  c.product = product == "busybox" ? Product::kBusybox : Product::kLinux;
  // IoT busybox builds ship no /etc/issue; the login prompt comes right after the options.
  c.issue = IssueSetting(p, c.product == Product::kLinux ? LinuxIssue(p) : "");
  c.fail_delay_ms = SettingNumber(p, "fail_delay_ms", c.fail_delay_ms);
  c.negotiate_timeout_ms = SettingNumber(p, "negotiate_timeout_ms", c.negotiate_timeout_ms);
  c.max_attempts =
      static_cast<uint32_t>(std::max<uint64_t>(1, SettingNumber(p, "max_attempts", 3)));
  c.max_login_line = std::max<uint64_t>(16, SettingNumber(p, "max_login_line", c.max_login_line));
  c.max_prelogin_bytes =
      std::max<uint64_t>(1024, SettingNumber(p, "max_prelogin_bytes", c.max_prelogin_bytes));
  return c;
}

struct Totals {
  uint64_t sessions = 0, logins_ok = 0, logins_failed = 0, prelogin_limit = 0, lines_too_long = 0,
           subneg_overflows = 0, malformed = 0, refused_options = 0, terminal_types = 0,
           environs = 0, window_sizes = 0;
};

class TelnetService;

class TelnetSession final : public decoy::Session,
                            public TelnetCodec::Handler,
                            public shell::Terminal {
 public:
  TelnetSession(Connection& conn, TelnetService& svc);
  void OnOpen() override;
  void OnData(std::string_view bytes) override;
  void OnClose(CloseReason reason) override;

  // TelnetCodec::Handler
  void Send(std::string_view wire) override { conn_.Write(wire); }
  void OnPlain(std::string_view bytes) override;
  void OnCommand(uint8_t command) override;
  void OnSubnegotiation(uint8_t option, std::string_view payload) override;

  // shell::Terminal
  void Output(std::string_view bytes) override { conn_.Write(TelnetCodec::Escape(bytes)); }
  void Exit(int status) override;

 private:
  // kNegotiating: waiting for the answers to the first DOs; kSubnegotiating: for the SB replies.
  enum class Phase : uint8_t {
    kNegotiating,
    kSubnegotiating,
    kUser,
    kPassword,
    kFailDelay,
    kShell,
    kDone
  };
  bool InLogin() const { return phase_ == Phase::kUser || phase_ == Phase::kPassword; }
  void CheckNegotiation();
  void AskSubnegotiations();
  void StartLogin();
  void Prompt();
  void LoginInput(std::string_view bytes);
  void EndLine();
  void Attempt(const std::string& password);
  void AfterFailure();
  void StartShell();
  void Hangup();
  void KeepTypeahead(std::string_view bytes);
  void ClientValue(uint8_t option, std::string_view payload);
  void Environ(std::string_view payload);
  void WindowSize(std::string_view payload);
  void TerminalType(std::string_view payload);
  bool Echoing() const { return codec_.Enabled(Side::kUs, opt::kEcho); }

  Connection& conn_;
  TelnetService& svc_;
  const Config& cfg_;
  TelnetCodec codec_;
  Phase phase_ = Phase::kNegotiating;
  std::string line_, user_, env_user_, term_, typeahead_;
  bool line_overflow_ = false, term_logged_ = false, environ_logged_ = false;
  uint8_t values_logged_ = 0;  // TSPEED (1), XDISPLOC (2) logged
  uint32_t failures_ = 0;
  uint16_t cols_ = 80, rows_ = 24;
  uint64_t prelogin_bytes_ = 0;
  std::vector<uint8_t> awaiting_sb_;  // options whose SEND we wait a reply to
  std::unique_ptr<shell::Shell> shell_;
};

class TelnetService final : public decoy::Service {
 public:
  TelnetService(decoy::Host& host, ShellFactory factory)
      : host_(host),
        cfg_(ConfigFor(host.persona())),
        policy_(shell::AuthPolicy::ForService(host.persona(), kService)),
        factory_(std::move(factory)) {}

  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(Connection& conn) override {
    ++totals.sessions;
    return std::make_unique<TelnetSession>(conn, *this);
  }
  void AddHealth(std::string* j) const override {
    const auto field = [&](std::string_view k, uint64_t v) {
      *j += ",\"telnet_";
      *j += k;
      *j += "\":" + std::to_string(v);
    };
    field("sessions", totals.sessions);
    field("logins_ok", totals.logins_ok);
    field("logins_failed", totals.logins_failed);
    field("prelogin_limit_closed", totals.prelogin_limit);
    field("login_lines_too_long", totals.lines_too_long);
    field("subneg_overflows", totals.subneg_overflows);
    field("malformed", totals.malformed);
    field("refused_options", totals.refused_options);
    field("terminal_types", totals.terminal_types);
    field("environs", totals.environs);
    field("window_sizes", totals.window_sizes);
  }

  decoy::Host& host() { return host_; }
  const Config& config() const { return cfg_; }
  shell::AuthPolicy& policy() { return policy_; }
  const ShellFactory& factory() const { return factory_; }
  Totals totals;

 private:
  decoy::Host& host_;
  Config cfg_;
  shell::AuthPolicy policy_;
  ShellFactory factory_;
};

TelnetSession::TelnetSession(Connection& conn, TelnetService& svc)
    : conn_(conn), svc_(svc), cfg_(svc.config()), codec_(*this, kMaxSubneg) {}

void TelnetSession::OnOpen() {
  // We echo and suppress go-ahead (character mode) when asked, and refuse LINEMODE and the rest.
  codec_.Accept(Side::kUs, opt::kEcho, true);
  codec_.Accept(Side::kUs, opt::kSga, true);
  codec_.Accept(Side::kHim, opt::kNaws, true);
  if (cfg_.product == Product::kBusybox) {
    // busybox telnetd's iacs_to_send, in its order; it forks login at once.
    codec_.Request(Side::kHim, opt::kEcho, true);
    codec_.Request(Side::kHim, opt::kNaws, true);
    codec_.Request(Side::kUs, opt::kEcho, true);
    codec_.Request(Side::kUs, opt::kSga, true);
    StartLogin();
    return;
  }
  for (const uint8_t o : {opt::kBinary, opt::kSga, opt::kTtype, opt::kTspeed, opt::kXdisploc,
                          opt::kNewEnviron, opt::kLflow}) {
    codec_.Accept(Side::kHim, o, true);
  }
  codec_.Accept(Side::kUs, opt::kBinary, true);
  // telnetd's getterminaltype(): these four, then nothing until the client answers (what nmap's
  // "Linux telnetd" signature is: the banner ends right after them).
  for (const uint8_t o : {opt::kTtype, opt::kTspeed, opt::kXdisploc, opt::kNewEnviron}) {
    codec_.Request(Side::kHim, o, true);
  }
  conn_.SetTimer(cfg_.negotiate_timeout_ms, [this] {
    if (phase_ == Phase::kNegotiating || phase_ == Phase::kSubnegotiating) StartLogin();
  });
}

void TelnetSession::OnData(std::string_view bytes) {
  if (phase_ == Phase::kDone) return;
  if (phase_ != Phase::kShell) {
    prelogin_bytes_ += bytes.size();
    if (prelogin_bytes_ > cfg_.max_prelogin_bytes) {
      // Nobody types this much at a login prompt: a flood, closed before it costs more.
      ++svc_.totals.prelogin_limit;
      return Hangup();
    }
  }
  codec_.Feed(bytes);
  CheckNegotiation();
}

void TelnetSession::CheckNegotiation() {
  if (phase_ != Phase::kNegotiating) return;
  for (const uint8_t o : {opt::kTtype, opt::kTspeed, opt::kXdisploc, opt::kNewEnviron}) {
    if (codec_.Pending(Side::kHim, o)) return;
  }
  AskSubnegotiations();
}

void TelnetSession::AskSubnegotiations() {
  phase_ = Phase::kSubnegotiating;
  constexpr char kSend[] = {1};
  for (const uint8_t o : {opt::kTspeed, opt::kXdisploc, opt::kNewEnviron, opt::kTtype}) {
    if (!codec_.Enabled(Side::kHim, o)) continue;
    awaiting_sb_.push_back(o);
    Send(TelnetCodec::Subnegotiation(o, std::string_view(kSend, 1)));
  }
  if (awaiting_sb_.empty()) StartLogin();
}

void TelnetSession::StartLogin() {
  if (phase_ != Phase::kNegotiating && phase_ != Phase::kSubnegotiating) return;
  conn_.SetTimer(0, nullptr);
  phase_ = Phase::kUser;
  const std::string& host = conn_.host().persona().hostname();
  if (cfg_.product == Product::kBusybox) {
    // busybox login: the issue file (if any), then puts("\r") through the pty: "\r\r\n".
    conn_.Write(cfg_.issue + "\r\r\n" + host + " login: ");
  } else {
    codec_.Request(Side::kUs, opt::kSga, true);
    codec_.Request(Side::kUs, opt::kEcho, true);
    codec_.Request(Side::kHim, opt::kNaws, true);
    conn_.Write(cfg_.issue.empty() ? std::string() : cfg_.issue + "\r\n");
    if (!env_user_.empty()) {
      // telnetd runs "login -p -h <host> <USER>": no login prompt, straight to the password.
      user_ = env_user_;
      phase_ = Phase::kPassword;
      conn_.Write("Password: ");
    } else {
      conn_.Write(host + " login: ");
    }
  }
  if (!typeahead_.empty()) {
    std::string pending;
    pending.swap(typeahead_);
    OnPlain(pending);
  }
}

void TelnetSession::Prompt() {
  phase_ = Phase::kUser;
  conn_.Write(conn_.host().persona().hostname() + " login: ");
}

void TelnetSession::OnPlain(std::string_view bytes) {
  switch (phase_) {
    case Phase::kNegotiating:
    case Phase::kSubnegotiating:
      // A client that types without negotiating (a bot, nc) is done negotiating.
      KeepTypeahead(bytes);
      StartLogin();
      return;
    case Phase::kUser:
    case Phase::kPassword:
      return LoginInput(bytes);
    case Phase::kFailDelay:
      return KeepTypeahead(bytes);
    case Phase::kShell:
      if (shell_) shell_->Feed(bytes);
      return;
    case Phase::kDone:
      return;
  }
}

// What is typed while login sleeps is read by the next prompt, as from a pty; bounded by a line.
void TelnetSession::KeepTypeahead(std::string_view bytes) {
  const size_t room = cfg_.max_login_line - std::min(cfg_.max_login_line, typeahead_.size());
  typeahead_.append(bytes.substr(0, room));
}

void TelnetSession::LoginInput(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\r' || c == '\n') {
      EndLine();
      if (!InLogin()) return OnPlain(bytes.substr(i + 1));
      continue;
    }
    const bool echo = phase_ == Phase::kUser && Echoing();
    if (c == 0x7f || c == 0x08) {
      if (!line_.empty()) {
        line_.pop_back();
        if (echo) conn_.Write("\b \b");
      }
    } else if (c == 0x15) {  // ^U kills the line
      line_.clear();
    } else if (line_.size() < cfg_.max_login_line) {
      line_.push_back(c);
      if (echo) conn_.Write(TelnetCodec::Escape(std::string_view(&c, 1)));
    } else {
      line_overflow_ = true;
    }
  }
}

void TelnetSession::EndLine() {
  if (line_overflow_) {
    ++svc_.totals.lines_too_long;
    ++conn_.host().counters().lines_too_long;
    line_overflow_ = false;
  }
  std::string line;
  line.swap(line_);
  if (phase_ == Phase::kUser) {
    if (Echoing()) conn_.Write("\r\n");
    if (line.empty()) return Prompt();  // login asks again on an empty name
    user_ = std::move(line);
    phase_ = Phase::kPassword;
    conn_.Write("Password: ");
    return;
  }
  conn_.Write("\r\n");  // getpass() ends the unechoed line itself
  Attempt(line);
}

void TelnetSession::Attempt(const std::string& password) {
  const bool ok = svc_.policy().Check(conn_.remote().ip, user_, password);
  conn_.host()
      .log()
      .New(kService, "login_attempt")
      .From(conn_)
      .Add("username", user_)
      .Secret(user_, password, "plaintext")
      .Add("success", ok ? "true" : "false")
      .Emit();
  if (ok) {
    ++svc_.totals.logins_ok;
    return StartShell();
  }
  ++svc_.totals.logins_failed;
  ++failures_;
  phase_ = Phase::kFailDelay;
  conn_.SetTimer(cfg_.fail_delay_ms, [this] { AfterFailure(); });
}

void TelnetSession::AfterFailure() {
  if (phase_ != Phase::kFailDelay) return;
  conn_.Write(cfg_.product == Product::kBusybox ? "Login incorrect\r\n"
                                                : "\r\nLogin incorrect\r\n");
  if (failures_ >= cfg_.max_attempts) return Hangup();  // login exits; telnetd closes
  Prompt();
  if (!typeahead_.empty()) {
    std::string pending;
    pending.swap(typeahead_);
    OnPlain(pending);
  }
}

void TelnetSession::StartShell() {
  if (!svc_.factory()) return Hangup();
  phase_ = Phase::kShell;
  shell::ShellOptions o;
  o.service = std::string(kService);
  o.user = user_;
  o.interactive = true;
  o.term_cols = cols_;
  o.term_rows = rows_;
  o.term = term_;
  shell_ = svc_.factory()(conn_, *this, std::move(o));
  if (!shell_) return Hangup();
  shell_->Start();
}

void TelnetSession::Exit(int /*status*/) {
  phase_ = Phase::kDone;
  codec_.Stop();
  conn_.Close();
}

void TelnetSession::Hangup() {
  phase_ = Phase::kDone;
  codec_.Stop();
  conn_.SetTimer(0, nullptr);
  conn_.Close();
}

void TelnetSession::OnCommand(uint8_t command) {
  switch (command) {
    case cmd::kAyt:
      // netkit telnetd answers "Are You There"; busybox telnetd ignores it.
      if (cfg_.product == Product::kLinux) conn_.Write("\r\n[Yes]\r\n");
      return;
    case cmd::kIp:
      if (phase_ == Phase::kShell) OnPlain("\x03");
      return;
    case cmd::kEc:
      return OnPlain("\x7f");
    case cmd::kEl:
      return OnPlain("\x15");
    default:
      return;  // NOP, GA, DM, BRK, AO: nothing to do
  }
}

void TelnetSession::OnSubnegotiation(uint8_t option, std::string_view payload) {
  switch (option) {
    case opt::kNaws:
      WindowSize(payload);
      break;
    case opt::kTtype:
      TerminalType(payload);
      break;
    case opt::kNewEnviron:
      Environ(payload);
      break;
    case opt::kTspeed:
    case opt::kXdisploc:
      ClientValue(option, payload);
      break;
    default:
      break;
  }
  auto it = std::find(awaiting_sb_.begin(), awaiting_sb_.end(), option);
  if (it == awaiting_sb_.end()) return;
  awaiting_sb_.erase(it);
  if (phase_ == Phase::kSubnegotiating && awaiting_sb_.empty()) StartLogin();
}

void TelnetSession::WindowSize(std::string_view payload) {
  uint16_t cols = 0, rows = 0;
  if (!ParseNaws(payload, &cols, &rows) || cols == 0 || rows == 0) return;
  ++svc_.totals.window_sizes;
  cols_ = std::min(cols, kMaxWindow);
  rows_ = std::min(rows, kMaxWindow);
  if (shell_ && phase_ == Phase::kShell) shell_->Resize(cols_, rows_);
}

void TelnetSession::TerminalType(std::string_view payload) {
  std::string name;
  if (!ParseTtypeIs(payload, &name) || term_logged_) return;
  term_logged_ = true;
  ++svc_.totals.terminal_types;
  // RFC 1091 names are upper case ("XTERM-256COLOR"); TERM is the lower-case form, as telnetd sets.
  term_ = name;
  std::transform(term_.begin(), term_.end(), term_.begin(),
                 [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
  conn_.host().log().New(kService, "terminal_type").From(conn_).Add("term", name).Emit();
}

void TelnetSession::Environ(std::string_view payload) {
  std::vector<std::pair<std::string, std::string>> vars;
  if (!ParseEnviron(payload, &vars, kMaxEnvVars) || environ_logged_) return;
  environ_logged_ = true;
  ++svc_.totals.environs;
  std::string listed;
  for (const auto& [name, value] : vars) {
    if (!listed.empty()) listed += ' ';
    listed += name + "=" + value;
    if (name == "USER" && !value.empty()) env_user_ = value.substr(0, kMaxClientValue);
  }
  auto ev = conn_.host().log().New(kService, "environ");
  ev.From(conn_).Add("vars", listed).Add("count", static_cast<int64_t>(vars.size()));
  if (!env_user_.empty()) ev.Add("user", env_user_);
  ev.Emit();
}

// TSPEED / XDISPLOC: IS <text>.
void TelnetSession::ClientValue(uint8_t option, std::string_view payload) {
  const uint8_t bit = option == opt::kTspeed ? 1 : 2;
  if (payload.empty() || payload[0] != 0 || (values_logged_ & bit)) return;
  values_logged_ |= bit;  // once per option per session: a repeated SB is not an event flood
  conn_.host()
      .log()
      .New(kService, "client_option")
      .From(conn_)
      .Add("option", option == opt::kTspeed ? "tspeed" : "xdisploc")
      .Add("value", payload.substr(1, kMaxClientValue))
      .Emit();
}

void TelnetSession::OnClose(CloseReason /*reason*/) {
  phase_ = Phase::kDone;
  if (shell_) shell_->Close();
  const auto& s = codec_.stats();
  svc_.totals.subneg_overflows += s.subneg_overflows;
  svc_.totals.malformed += s.malformed;
  svc_.totals.refused_options += s.refused;
  conn_.host().counters().malformed += s.malformed + s.subneg_overflows;
}

}  // namespace

std::unique_ptr<decoy::Service> MakeTelnetWithShell(decoy::Host& host, ShellFactory shell_factory) {
  return std::make_unique<TelnetService>(host, std::move(shell_factory));
}

}  // namespace decnet::services::telnet
