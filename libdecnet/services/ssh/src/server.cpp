#include <algorithm>
#include <deque>
#include <map>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/persona.h"
#include "decnet/services/shell/auth_policy.h"
#include "decnet/services/shell/shell.h"
#include "decnet/services/ssh/ssh.h"
#include "decnet/services/ssh/transport.h"
#include "decnet/services/ssh/wire.h"
#include "decnet/services/ssh_files/scp.h"
#include "decnet/services/ssh_files/sftp.h"
#include "decnet/services/ssh_files/tree.h"

namespace decnet::services::ssh {
namespace {

constexpr std::string_view kService = "ssh";
constexpr uint8_t kUnimplemented = 3, kServiceRequest = 5, kServiceAccept = 6;
constexpr uint8_t kUserauthRequest = 50, kUserauthFailure = 51, kUserauthSuccess = 52;
constexpr uint8_t kInfoRequest = 60, kInfoResponse = 61;
constexpr uint8_t kGlobalRequest = 80, kRequestFailure = 82;
constexpr uint8_t kChannelOpen = 90, kOpenConfirmation = 91, kOpenFailure = 92;
constexpr uint8_t kWindowAdjust = 93, kData = 94, kExtendedData = 95, kEof = 96, kClose = 97;
constexpr uint8_t kChannelRequest = 98, kChannelSuccess = 99, kChannelFailure = 100;
constexpr uint32_t kProtocolError = 2, kByApplication = 11;
constexpr uint32_t kMaxAuthTries = 6;          // sshd MaxAuthTries
constexpr size_t kMaxChannels = 10;            // sshd MaxSessions
constexpr uint32_t kWindow = 2 * 1024 * 1024;  // OpenSSH's session window
constexpr uint32_t kMaxPacketIn = 32768;
constexpr size_t kMaxPendingOut = 1 << 20;  // shell output waiting for the client's window
constexpr size_t kMaxQueuedMessages = 64;   // messages held while a failed login is delayed
constexpr uint64_t kLoginGraceMs = 120000;  // sshd LoginGraceTime

struct SshTotals {
  uint64_t sessions = 0, logins_ok = 0, logins_failed = 0, pubkey_offers = 0, too_many_auth = 0,
           channels = 0, channels_refused = 0, forwards_refused = 0, output_dropped = 0,
           queue_overflow = 0;
};

class SshService final : public decoy::Service {
 public:
  explicit SshService(decoy::Host& host)
      : host_(host),
        profile_(ProfileFor(host.persona())),
        keys_(HostKeys::LoadOrCreate(KeyDir(host))),
        policy_(shell::AuthPolicy::ForService(host.persona(), "ssh")) {
    const std::string d = host.persona().Setting("ssh", "fail_delay_ms");
    // PAM's pam_unix delays a failed password by about 2 s on Debian and RHEL alike.
    fail_delay_ms_ = d.empty() ? 2000 : std::strtoull(d.c_str(), nullptr, 10);
  }
  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(decoy::Connection& conn) override;
  void AddHealth(std::string* j) const override {
    const auto add = [j](const char* k, uint64_t v) {
      *j += std::string(",\"ssh_") + k + "\":" + std::to_string(v);
    };
    add("sessions", totals.sessions);
    add("kex_completed", stats.kex_completed);
    add("bad_identification", stats.bad_identification);
    add("bad_packet_length", stats.bad_packet_length);
    add("bad_mac", stats.bad_mac);
    add("kex_limit", stats.kex_limit);
    add("protocol_errors", stats.protocol_errors);
    add("unimplemented_algorithms", stats.unimplemented_algorithms);
    add("compressed_sessions", stats.compressed_sessions);
    add("inflate_limit", stats.inflate_limit);
    add("logins_ok", totals.logins_ok);
    add("logins_failed", totals.logins_failed);
    add("pubkey_offers", totals.pubkey_offers);
    add("too_many_auth", totals.too_many_auth);
    add("channels", totals.channels);
    add("channels_refused", totals.channels_refused);
    add("forwards_refused", totals.forwards_refused);
    add("output_dropped", totals.output_dropped);
    add("queue_overflow", totals.queue_overflow);
    ssh_files::AppendHealth(files, j);
  }

  decoy::Host& host_;
  Profile profile_;
  HostKeys keys_;
  shell::AuthPolicy policy_;
  uint64_t fail_delay_ms_ = 2000;
  TransportStats stats;
  SshTotals totals;
  ssh_files::TransferCounters files;

 private:
  // The decky's own directory (the artifacts dir's parent), where the host keys persist.
  static std::string KeyDir(decoy::Host& host) {
    const std::string& a = host.artifacts().dir();
    const size_t slash = a.rfind('/');
    return slash == std::string::npos || slash == 0 ? std::string() : a.substr(0, slash);
  }
};

class SshSession;

// One session channel and the program behind it (shell, exec, sftp or scp).
class Channel final : public shell::Terminal {
 public:
  Channel(SshSession& s, uint32_t local, uint32_t remote, uint32_t window, uint32_t max_packet)
      : s_(s),
        local_(local),
        remote_(remote),
        remote_window_(window),
        remote_max_(std::clamp<uint32_t>(max_packet, 1, kMaxPacketIn)) {}
  ~Channel() override {
    if (shell_) shell_->Close();
  }
  void Output(std::string_view bytes) override;
  void Exit(int status) override;
  void OnRequest(std::string_view type, bool want_reply, Reader& r);
  void OnData(std::string_view data);
  void OnWindowAdjust(uint32_t n);
  void OnEof();
  // The client closed: answer with our CLOSE if not sent yet.
  void OnClose();
  bool close_sent() const { return close_sent_; }
  uint32_t remote() const { return remote_; }

 private:
  void Reply(bool want, bool ok);
  void Flush();
  void SendExit();
  void StartShell(std::string_view command, bool exec);
  bool StartFiles(std::string_view command, bool subsystem);
  ssh_files::ChannelIo Io();
  ssh_files::TransferContext Context();

  SshSession& s_;
  uint32_t local_, remote_;
  uint64_t remote_window_;
  uint32_t remote_max_;
  uint32_t local_window_ = kWindow;
  bool pty_ = false, started_ = false, exited_ = false, close_sent_ = false, eof_sent_ = false;
  int exit_status_ = 0;
  uint16_t cols_ = 80, rows_ = 24;
  std::string term_, pending_;
  std::unique_ptr<shell::Shell> shell_;
  std::unique_ptr<ssh_files::SftpServer> sftp_;
  std::unique_ptr<ssh_files::ScpSink> scp_;
};

class SshSession final : public decoy::Session, public Transport::Upper {
 public:
  SshSession(SshService& svc, decoy::Connection& conn)
      : svc_(svc),
        conn_(conn),
        transport_(conn, svc.profile_, svc.keys_, svc.stats, *this),
        opened_ms_(conn.host().NowMs()) {
    ++svc.totals.sessions;
  }
  void OnOpen() override { transport_.Start(); }
  void OnData(std::string_view bytes) override {
    if (!authenticated_ && conn_.host().NowMs() - opened_ms_ > kLoginGraceMs) {
      return transport_.Disconnect(kProtocolError, "Timeout before authentication");
    }
    transport_.OnData(bytes);
  }
  void OnClose(decoy::CloseReason) override {
    closing_ = true;
    channels_.clear();
  }
  void OnKexDone() override;
  void OnMessage(uint8_t type, std::string_view payload) override;

  void Send(std::string_view payload) { transport_.Send(payload); }
  decoy::Connection& conn() { return conn_; }
  SshService& svc() { return svc_; }
  const std::string& user() const { return user_; }
  const Transport& transport() const { return transport_; }
  decoy::EventLog::Event Ev(std::string_view type) {
    auto e = conn_.host().log().New(kService, type);
    e.From(conn_);
    return e;
  }
  bool closing() const { return closing_; }
  // One file tree per connection: what sftp uploads, a later scp or sftp of the same login sees.
  std::shared_ptr<ssh_files::FileTree> Tree(const std::string& home, size_t max_nodes) {
    if (!tree_) tree_ = ssh_files::NewHostTree(conn_.host(), user_, home, max_nodes);
    return tree_;
  }

 private:
  void Handle(uint8_t type, std::string_view payload);
  void OnUserauth(Reader& r);
  void OnInfoResponse(Reader& r);
  void Attempt(std::string_view method, std::string_view password);
  void Failed(bool delayed);
  void SendFailure();
  void OnGlobalRequest(Reader& r);
  void OnChannelOpen(Reader& r);
  Channel* Find(Reader& r);

  SshService& svc_;
  decoy::Connection& conn_;
  Transport transport_;
  uint64_t opened_ms_;
  bool service_accepted_ = false, authenticated_ = false, kbd_pending_ = false;
  bool delaying_ = false, closing_ = false;
  uint32_t failures_ = 0, next_channel_ = 0;
  std::string user_;
  std::deque<std::pair<uint8_t, std::string>> queued_;
  std::shared_ptr<ssh_files::FileTree> tree_;
  std::map<uint32_t, std::unique_ptr<Channel>> channels_;
};

// ---- Channel

void Channel::Reply(bool want, bool ok) {
  if (want) s_.Send(Writer().U8(ok ? kChannelSuccess : kChannelFailure).U32(remote_).Take());
}

void Channel::Output(std::string_view bytes) {
  if (exited_ || close_sent_ || s_.closing()) return;
  if (pending_.size() + bytes.size() > kMaxPendingOut) {
    ++s_.svc().totals.output_dropped;
    return;
  }
  pending_.append(bytes);
  Flush();
}

void Channel::Flush() {
  while (!pending_.empty() && remote_window_ > 0 && !close_sent_) {
    const size_t n = std::min<size_t>({pending_.size(), remote_window_, remote_max_});
    s_.Send(Writer().U8(kData).U32(remote_).Str(std::string_view(pending_).substr(0, n)).Take());
    pending_.erase(0, n);
    remote_window_ -= n;
  }
  if (exited_ && pending_.empty() && !close_sent_) SendExit();
}

void Channel::Exit(int status) {
  if (exited_ || s_.closing()) return;
  exited_ = true;
  exit_status_ = status;
  Flush();
}

void Channel::SendExit() {
  s_.Send(Writer()
              .U8(kChannelRequest)
              .U32(remote_)
              .Str("exit-status")
              .Bool(false)
              .U32(static_cast<uint32_t>(exit_status_))
              .Take());
  if (!eof_sent_) s_.Send(Writer().U8(kEof).U32(remote_).Take());
  eof_sent_ = true;
  s_.Send(Writer().U8(kClose).U32(remote_).Take());
  close_sent_ = true;
}

void Channel::OnWindowAdjust(uint32_t n) {
  remote_window_ = std::min<uint64_t>(remote_window_ + n, 0xffffffffu);
  Flush();
}

void Channel::OnData(std::string_view data) {
  if (data.size() > local_window_)
    data = data.substr(0, local_window_);  // over the window: dropped
  local_window_ -= static_cast<uint32_t>(data.size());
  if (local_window_ < kWindow / 2) {
    s_.Send(Writer().U8(kWindowAdjust).U32(remote_).U32(kWindow - local_window_).Take());
    local_window_ = kWindow;
  }
  if (exited_) return;
  if (shell_)
    shell_->Feed(data);
  else if (sftp_)
    sftp_->Feed(data);
  else if (scp_)
    scp_->Feed(data);
}

void Channel::OnEof() {
  if (exited_) return;
  if (shell_)
    shell_->Eof();
  else if (sftp_)
    sftp_->Eof();
  else if (scp_)
    scp_->Eof();
}

void Channel::OnClose() {
  if (!close_sent_) {
    s_.Send(Writer().U8(kClose).U32(remote_).Take());
    close_sent_ = true;
  }
  exited_ = true;
}

ssh_files::ChannelIo Channel::Io() {
  ssh_files::ChannelIo io;
  io.send = [this](std::string_view b) { Output(b); };
  io.close = [this](uint32_t status) { Exit(static_cast<int>(status)); };
  return io;
}

ssh_files::TransferContext Channel::Context() {
  ssh_files::TransferContext ctx;
  ctx.user = s_.user();
  ctx.home = s_.user() == "root" ? "/root" : "/home/" + s_.user();
  ctx.counters = &s_.svc().files;
  ctx.tree = s_.Tree(ctx.home, ctx.limits.max_nodes);
  return ctx;
}

bool Channel::StartFiles(std::string_view command, bool subsystem) {
  if (subsystem) {
    ++s_.svc().files.sftp_sessions;
    sftp_ = std::make_unique<ssh_files::SftpServer>(s_.conn(), Io(), Context());
    return true;
  }
  std::vector<std::string> args;
  if (!ssh_files::ParseScpSinkCommand(command, &args)) return false;
  ++s_.svc().files.scp_sessions;
  scp_ = std::make_unique<ssh_files::ScpSink>(s_.conn(), Io(), Context(), std::move(args));
  return true;
}

void Channel::StartShell(std::string_view command, bool exec) {
  shell::ShellOptions o;
  o.service = std::string(kService);
  o.user = s_.user();
  o.interactive = pty_;
  o.term_cols = cols_;
  o.term_rows = rows_;
  o.term = term_;
  o.client_banner = s_.transport().client_version();
  shell_ = shell::NewShell(s_.conn(), *this, std::move(o));
  if (exec) {
    shell_->Exec(command);
  } else {
    shell_->Start();
  }
}

void Channel::OnRequest(std::string_view type, bool want, Reader& r) {
  if (type == "pty-req") {
    std::string_view term, modes;
    uint32_t cols = 0, rows = 0, px = 0, py = 0;
    r.Str(&term);
    r.U32(&cols);
    r.U32(&rows);
    r.U32(&px);
    r.U32(&py);
    r.Str(&modes);
    if (!r.ok()) return Reply(want, false);
    term_ = std::string(term.substr(0, 64));
    cols_ = static_cast<uint16_t>(std::clamp<uint32_t>(cols, 1, 1000));
    rows_ = static_cast<uint16_t>(std::clamp<uint32_t>(rows, 1, 1000));
    pty_ = true;
    s_.Ev("pty_request").Add("term", term).Add("cols", cols).Add("rows", rows).Emit();
    return Reply(want, true);
  }
  if (type == "env") {
    std::string_view name, value;
    r.Str(&name);
    r.Str(&value);
    s_.Ev("env").Add("name", name).Add("value", value).Emit();
    // Debian's sshd_config: AcceptEnv LANG LC_*; anything else is refused.
    return Reply(want, r.ok() && (name == "LANG" || name.starts_with("LC_")));
  }
  if (type == "window-change") {
    uint32_t cols = 0, rows = 0;
    r.U32(&cols);
    r.U32(&rows);
    cols_ = static_cast<uint16_t>(std::clamp<uint32_t>(cols, 1, 1000));
    rows_ = static_cast<uint16_t>(std::clamp<uint32_t>(rows, 1, 1000));
    if (shell_) shell_->Resize(cols_, rows_);
    return;  // want_reply is false for window-change (RFC 4254 §6.7)
  }
  if (type == "shell" || type == "exec" || type == "subsystem") {
    std::string_view arg;
    if (type != "shell") r.Str(&arg);
    if (!r.ok() || started_) return Reply(want, false);
    if (type == "subsystem") {
      s_.Ev("subsystem").Add("name", arg).Emit();
      if (arg != "sftp") return Reply(want, false);
      started_ = true;
      Reply(want, true);
      StartFiles(arg, true);
      return;
    }
    started_ = true;
    Reply(want, true);
    if (type == "exec" &&
        (arg.starts_with("scp ") || arg.find("/scp ") != std::string_view::npos) &&
        StartFiles(arg, false)) {
      return;
    }
    StartShell(arg, type == "exec");
    return;
  }
  // signal, break, auth-agent-req, x11-req, keepalive@openssh.com...: refused as sshd does.
  Reply(want, false);
}

// ---- SshSession

void SshSession::OnKexDone() {
  const Negotiated& n = transport_.negotiated();
  Ev("ssh_kex")
      .Add("client_banner", transport_.client_version())
      .Add("hassh", transport_.hassh())
      .Add("hassh_algorithms", transport_.hassh_algorithms())
      .Add("kex", n.kex)
      .Add("host_key", n.host_key)
      .Add("cipher", n.cipher_c2s)
      .Add("mac", n.mac_c2s.empty() ? "<implicit>" : n.mac_c2s)
      .Add("compression", n.comp_c2s)
      .Add("strict_kex", n.strict ? "true" : "false")
      .Emit();
}

void SshSession::OnMessage(uint8_t type, std::string_view payload) {
  if (delaying_) {
    if (queued_.size() >= kMaxQueuedMessages) {
      ++svc_.totals.queue_overflow;
      return transport_.Disconnect(kProtocolError, "Too many pending messages");
    }
    queued_.emplace_back(type, std::string(payload));
    return;
  }
  Handle(type, payload);
}

void SshSession::Handle(uint8_t type, std::string_view payload) {
  Reader r(payload.substr(1));
  if (type == kServiceRequest) {
    std::string_view name;
    r.Str(&name);
    // paramiko asks again before every method; sshd accepts it until the login succeeded.
    if (name != "ssh-userauth" || authenticated_) {
      return transport_.Disconnect(kProtocolError, "bad service request");
    }
    service_accepted_ = true;
    return Send(Writer().U8(kServiceAccept).Str(name).Take());
  }
  if (!service_accepted_) return transport_.Disconnect(kProtocolError, "protocol error");
  if (!authenticated_) {
    if (type == kUserauthRequest) return OnUserauth(r);
    if (type == kInfoResponse && kbd_pending_) return OnInfoResponse(r);
    return transport_.Disconnect(kProtocolError, "protocol error");
  }
  if (type == kUserauthRequest) return;  // after success, sshd ignores further requests
  if (type == kGlobalRequest) return OnGlobalRequest(r);
  if (type == kChannelOpen) return OnChannelOpen(r);
  if (type < kWindowAdjust || type > kChannelFailure) {
    return Send(Writer().U8(kUnimplemented).U32(0).Take());
  }
  Channel* ch = Find(r);
  if (!ch) return transport_.Disconnect(kProtocolError, "unknown channel");
  uint32_t local = 0;
  Reader(payload.substr(1)).U32(&local);
  switch (type) {
    case kWindowAdjust: {
      uint32_t n = 0;
      if (r.U32(&n)) ch->OnWindowAdjust(n);
      return;
    }
    case kData: {
      std::string_view data;
      if (r.Str(&data)) ch->OnData(data);
      return;
    }
    case kExtendedData:
      return;  // stderr from the client: nothing reads it
    case kEof:
      return ch->OnEof();
    case kClose:
      ch->OnClose();
      channels_.erase(local);
      return;
    case kChannelRequest: {
      std::string_view req;
      bool want = false;
      r.Str(&req);
      r.Bool(&want);
      if (r.ok()) ch->OnRequest(req, want, r);
      return;
    }
    default:
      return;  // CHANNEL_SUCCESS / FAILURE to requests we never send
  }
}

Channel* SshSession::Find(Reader& r) {
  uint32_t id = 0;
  if (!r.U32(&id)) return nullptr;
  auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : it->second.get();
}

void SshSession::OnUserauth(Reader& r) {
  std::string_view user, service, method;
  r.Str(&user);
  r.Str(&service);
  r.Str(&method);
  if (!r.ok() || service != "ssh-connection") {
    return transport_.Disconnect(kProtocolError, "bad userauth request");
  }
  user_ = std::string(user.substr(0, 256));
  kbd_pending_ = false;
  if (method == "none") return SendFailure();
  if (method == "password") {
    bool change = false;
    std::string_view password;
    r.Bool(&change);
    r.Str(&password);
    if (!r.ok() || change) return Failed(false);
    return Attempt(method, password);
  }
  if (method == "keyboard-interactive" && svc_.profile_.keyboard_interactive) {
    kbd_pending_ = true;
    // What sshd with PAM sends: one unechoed prompt.
    return Send(Writer()
                    .U8(kInfoRequest)
                    .Str("")
                    .Str("")
                    .Str("")
                    .U32(1)
                    .Str("Password: ")
                    .Bool(false)
                    .Take());
  }
  if (method == "publickey") {
    bool has_sig = false;
    std::string_view alg, blob;
    r.Bool(&has_sig);
    r.Str(&alg);
    r.Str(&blob);
    if (r.ok()) {
      ++svc_.totals.pubkey_offers;
      Reader kr(blob);
      std::string_view key_type;
      kr.Str(&key_type);
      Ev("login_attempt")
          .Add("username", user_)
          .Add("method", "publickey")
          .Add("key_algorithm", alg)
          .Add("key_type", key_type)
          .Add("fingerprint", Sha256Fingerprint(blob))
          .Add("signed", has_sig ? "true" : "false")
          .Add("client_banner", transport_.client_version())
          .Add("hassh", transport_.hassh())
          .Add("success", "false")
          .Emit();
    }
    // Never accepted: the decky has no authorized_keys, so only passwords get in.
    return Failed(false);
  }
  Ev("login_attempt")
      .Add("username", user_)
      .Add("method", method)
      .Add("client_banner", transport_.client_version())
      .Add("hassh", transport_.hassh())
      .Add("success", "false")
      .Emit();
  Failed(false);
}

void SshSession::OnInfoResponse(Reader& r) {
  kbd_pending_ = false;
  uint32_t n = 0;
  std::string_view answer;
  r.U32(&n);
  if (n >= 1) r.Str(&answer);
  if (!r.ok() || n != 1) return Failed(true);
  Attempt("keyboard-interactive", answer);
}

void SshSession::Attempt(std::string_view method, std::string_view password) {
  const bool ok = svc_.policy_.Check(conn_.remote().ip, user_, password);
  Ev("login_attempt")
      .Add("username", user_)
      .Add("method", method)
      .Secret(user_, password, "plaintext")
      .Add("client_banner", transport_.client_version())
      .Add("hassh", transport_.hassh())
      .Add("success", ok ? "true" : "false")
      .Emit();
  if (!ok) {
    ++svc_.totals.logins_failed;
    return Failed(true);
  }
  ++svc_.totals.logins_ok;
  authenticated_ = true;
  Send(Writer().U8(kUserauthSuccess).Take());
  transport_.StartDelayedCompression();
}

// A failed method: counted towards MaxAuthTries; a failed password is answered after PAM's delay,
// with input held meanwhile (a timer, the loop never blocks).
void SshSession::Failed(bool delayed) {
  ++failures_;
  const auto finish = [this] {
    if (failures_ >= kMaxAuthTries) {
      ++svc_.totals.too_many_auth;
      return transport_.Disconnect(kProtocolError, "Too many authentication failures");
    }
    SendFailure();
  };
  if (!delayed || svc_.fail_delay_ms_ == 0) return finish();
  delaying_ = true;
  conn_.SetTimer(svc_.fail_delay_ms_, [this, finish] {
    delaying_ = false;
    finish();
    while (!delaying_ && !queued_.empty() && !transport_.closed()) {
      auto [type, payload] = std::move(queued_.front());
      queued_.pop_front();
      Handle(type, payload);
    }
  });
}

void SshSession::SendFailure() {
  Send(Writer().U8(kUserauthFailure).Str(svc_.profile_.auth_methods).Bool(false).Take());
}

void SshSession::OnGlobalRequest(Reader& r) {
  std::string_view name;
  bool want = false;
  r.Str(&name);
  r.Bool(&want);
  if (name == "tcpip-forward" || name == "cancel-tcpip-forward") {
    std::string_view addr;
    uint32_t port = 0;
    r.Str(&addr);
    r.U32(&port);
    ++svc_.totals.forwards_refused;
    Ev("tcpip_forward")
        .Add("request", name)
        .Add("bind_address", addr)
        .Add("bind_port", port)
        .Emit();
  }
  // keepalive@openssh.com and every other request: a failure reply is the answer clients expect.
  if (want) Send(Writer().U8(kRequestFailure).Take());
}

void SshSession::OnChannelOpen(Reader& r) {
  std::string_view type;
  uint32_t sender = 0, window = 0, max_packet = 0;
  r.Str(&type);
  r.U32(&sender);
  r.U32(&window);
  r.U32(&max_packet);
  if (!r.ok()) return transport_.Disconnect(kProtocolError, "bad channel open");
  const auto refuse = [&](uint32_t reason, std::string_view text) {
    Send(Writer().U8(kOpenFailure).U32(sender).U32(reason).Str(text).Str("").Take());
  };
  if (type == "direct-tcpip") {
    std::string_view host, orig;
    uint32_t port = 0, orig_port = 0;
    r.Str(&host);
    r.U32(&port);
    r.Str(&orig);
    r.U32(&orig_port);
    ++svc_.totals.forwards_refused;
    Ev("direct_tcpip")
        .Add("target_host", host)
        .Add("target_port", port)
        .Add("originator", orig)
        .Add("originator_port", orig_port)
        .Emit();
    return refuse(1, "open failed");  // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED
  }
  if (type != "session") return refuse(3, "unknown channel type");
  if (channels_.size() >= kMaxChannels) {
    ++svc_.totals.channels_refused;
    return refuse(4, "open failed");  // SSH_OPEN_RESOURCE_SHORTAGE
  }
  ++svc_.totals.channels;
  const uint32_t id = next_channel_++;
  channels_[id] = std::make_unique<Channel>(*this, id, sender, window, max_packet);
  Send(Writer().U8(kOpenConfirmation).U32(sender).U32(id).U32(kWindow).U32(kMaxPacketIn).Take());
}

std::unique_ptr<decoy::Session> SshService::NewSession(decoy::Connection& conn) {
  return std::make_unique<SshSession>(*this, conn);
}

}  // namespace

std::unique_ptr<decoy::Service> MakeSsh(decoy::Host& host) {
  return std::make_unique<SshService>(host);
}

}  // namespace decnet::services::ssh
