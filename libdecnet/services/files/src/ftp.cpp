#include "decnet/services/files/ftp.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <vector>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/line_reader.h"
#include "decnet/decoy/persona.h"

namespace decnet::services::files {
namespace {

using decoy::CloseReason;
using decoy::Connection;
constexpr std::string_view kService = "ftp";
constexpr size_t kMaxUsers = 32;        // entries of setting `users` honoured
constexpr size_t kMaxArgLogged = 1024;  // bytes of a command's argument in its `command` event
constexpr size_t kMaxUploadsListed = 32;  // uploads shown in later listings, per decky (oldest go)

enum class Id : uint8_t { kVsftpd, kProftpd, kPureftpd };

// Every text a product sends, as that product words it. Placeholders: {u} user, {a} argument, {p}
// path, {f} file name, {n} a number, {m} ASCII/BINARY, {h} h1,h2,h3,h4,p1,p2, {r} the client's IP.
struct Product {
  Id id;
  std::string_view slug;
  size_t line_max;       // the product's own command buffer
  uint64_t idle_s;       // its default idle timeout
  bool anon_default;     // anonymous login as the distro package ships it
  int max_fails;         // failed logins before it hangs up
  bool anon_on_user;     // Pure-FTPd logs anonymous in on USER, without PASS
  bool has_mlsd;
  std::string_view user_331, anon_331, anon_refused, login_ok, anon_ok, login_bad, need_login,
      pass_first, already, feat, pwd, cwd_ok, cwd_fail, type_a, type_i, type_bad, pasv, epsv,
      port_ok, eprt_ok, port_illegal, port_syntax, eprt_illegal, no_data, connect_failed,
      bad_data_ip, list_150, list_226, retr_150, retr_226, retr_fail, stor_150, stor_226,
      stor_fail, aborted, size_fail, mdtm_fail, unknown, empty, too_long, noop, quit, idle,
      denied, rest, opts_utf8, opts_bad, help, abor, syst;
  bool too_long_closes;
};

constexpr Product kVsftpd = {
    Id::kVsftpd, "vsftpd", 4096, 300, false, 3, false, false,
    "331 Please specify the password.",
    "331 Please specify the password.",
    "",
    "230 Login successful.",
    "230 Login successful.",
    "530 Login incorrect.",
    "530 Please login with USER and PASS.",
    "503 Login with USER first.",
    "530 Can't change to another user.",
    "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End",
    "257 \"{p}\" is the current directory",
    "250 Directory successfully changed.",
    "550 Failed to change directory.",
    "200 Switching to ASCII mode.",
    "200 Switching to Binary mode.",
    "500 Unrecognised TYPE command.",
    "227 Entering Passive Mode ({h}).",
    "229 Entering Extended Passive Mode (|||{n}|)",
    "200 PORT command successful. Consider using PASV.",
    "200 EPRT command successful. Consider using EPSV.",
    "500 Illegal PORT command.",
    "500 Illegal PORT command.",
    "500 Illegal EPRT command.",
    "425 Use PORT or PASV first.",
    "425 Failed to establish connection.",
    "425 Security: Bad IP connecting.",
    "150 Here comes the directory listing.",
    "226 Directory send OK.",
    "150 Opening {m} mode data connection for {f} ({n} bytes).",
    "226 Transfer complete.",
    "550 Failed to open file.",
    "150 Ok to send data.",
    "226 Transfer complete.",
    "553 Could not create file.",
    "426 Failure writing network stream.",
    "550 Could not get file size.",
    "550 Could not get file modification time.",
    "500 Unknown command.",
    "500 Unknown command.",
    "500 Unknown command.",
    "200 NOOP ok.",
    "221 Goodbye.",
    "421 Timeout.",
    "550 Permission denied.",
    "350 Restart position accepted ({n}).",
    "200 Always in UTF8 mode.",
    "501 Option not understood.",
    "214-The following commands are recognized.\r\n"
    " ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n"
    " MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n"
    " RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n"
    " XPWD XRMD\r\n214 Help OK.",
    "225 No transfer to ABOR.",
    "215 UNIX Type: L8",
    false,
};

constexpr Product kProftpd = {
    Id::kProftpd, "proftpd", 1024, 600, false, 3, false, true,
    "331 Password required for {u}",
    "331 Anonymous login ok, send your complete email address as your password",
    "",
    "230 User {u} logged in",
    "230 Anonymous access granted, restrictions apply",
    "530 Login incorrect.",
    "530 Please login with USER and PASS",
    "503 Login with USER first",
    "501 Reauthentication not supported",
    "211-Features:\r\n CLNT\r\n EPRT\r\n EPSV\r\n HOST\r\n LANG en-US*\r\n MDTM\r\n"
    " MFF modify;UNIX.group;UNIX.mode;\r\n MFMT\r\n"
    " MLST modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;"
    "UNIX.ownername*;\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End",
    "257 \"{p}\" is the current directory",
    "250 CWD command successful",
    "550 {a}: No such file or directory",
    "200 Type set to A",
    "200 Type set to I",
    "504 TYPE not implemented for '{a}' parameter",
    "227 Entering Passive Mode ({h}).",
    "229 Entering Extended Passive Mode (|||{n}|)",
    "200 PORT command successful",
    "200 EPRT command successful",
    "500 Illegal PORT command",
    "501 Illegal PORT command",
    "500 Illegal EPRT command",
    "425 Unable to build data connection: Connection refused",
    "425 Unable to build data connection: Connection refused",
    "425 Unable to build data connection: Operation not permitted",
    "150 Opening ASCII mode data connection for file list",
    "226 Transfer complete",
    "150 Opening {m} mode data connection for {f} ({n} bytes)",
    "226 Transfer complete",
    "550 {a}: No such file or directory",
    "150 Opening BINARY mode data connection for {f}",
    "226 Transfer complete",
    "550 {a}: Is a directory",
    "426 Transfer aborted. Data connection closed",
    "550 {a}: No such file or directory",
    "550 {a}: No such file or directory",
    "500 {a} not understood",
    "500 Invalid command: try being more creative",
    "500 Command line too long",
    "200 NOOP command successful",
    "221 Goodbye.",
    "421 Idle timeout ({n} seconds): closing control connection",
    "550 {a}: Permission denied",
    "350 Restarting at {n}. Send STORE or RETRIEVE to initiate transfer",
    "200 UTF8 set to on",
    "501 OPTS: unsupported option",
    "214-The following commands are recognized (* =>'s unimplemented):\r\n"
    " CWD     XCWD    CDUP    XCUP    SMNT*   QUIT    PORT    PASV    \r\n"
    " EPRT    EPSV    ALLO*   RNFR    RNTO    DELE    MDTM    RMD     \r\n"
    " XRMD    MKD     XMKD    PWD     XPWD    SIZE    SYST    HELP    \r\n"
    " NOOP    FEAT    OPTS    HOST    CLNT    AUTH*   CCC*    CONF*   \r\n"
    " ENC*    MIC*    PBSZ*   PROT*   TYPE    STRU    MODE    RETR    \r\n"
    " STOR    STOU    APPE    REST    ABOR    RANG    USER    PASS    \r\n"
    " ACCT*   REIN*   LIST    NLST    STAT    SITE    MLSD    MLST    \r\n"
    "214 Direct comments to root@{p}",
    "226 Abort successful",
    "215 UNIX Type: L8",
    false,
};

constexpr Product kPureftpd = {
    Id::kPureftpd, "pureftpd", 2048, 900, false, 3, true, true,
    "331 User {u} OK. Password required",
    "",
    "530 This is a private system - No anonymous login",
    "230 OK. Current restricted directory is /",
    "230 Anonymous user logged in",
    "530 Login authentication failed",
    "530 You aren't logged in",
    "503 Login with USER first",
    "530 You're already logged in",
    "211-Extensions supported:\r\n UTF8\r\n EPRT\r\n IDLE\r\n MDTM\r\n SIZE\r\n MFMT\r\n REST STREAM\r\n"
    " MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;\r\n MLSD\r\n PRET\r\n"
    " TVFS\r\n ESTA\r\n PASV\r\n EPSV\r\n ESTP\r\n211 End.",
    "257 \"{p}\" is your current location",
    "250 OK. Current directory is {p}",
    "550 Can't change directory to {a}: No such file or directory",
    "200 TYPE is now ASCII",
    "200 TYPE is now 8-bit binary",
    "504 Unknown TYPE: {a}",
    "227 Entering Passive Mode ({h})",
    "229 Extended Passive mode OK (|||{n}|)",
    "200 PORT command successful",
    "200 PORT command successful",
    "500 I won't open a connection to {a} (only to {r})",
    "501 Syntax error",
    "500 I won't open a connection to {a} (only to {r})",
    "425 No data connection",
    "425 Could not open data connection to port {n}: Connection refused",
    "425 No data connection",
    "150 Accepted data connection",
    "226-Options: -a -l \r\n226 {n} matches total",
    "150-Accepted data connection\r\n150 {n} kbytes to download",
    "226-File successfully transferred\r\n226 0.000 seconds (measured here), 2.71 Mbytes per second",
    "550 Can't open {a}: No such file or directory",
    "150 Accepted data connection",
    "226-File successfully transferred\r\n226 0.001 seconds (measured here), 1.94 Mbytes per second",
    "553 Can't open that file: Is a directory",
    "426 Data connection closed",
    "550 Can't check for file existence",
    "550 Can't check for file existence",
    "500 Unknown command",
    "500 Unknown command",
    "421 Line too long",
    "200 Zzz...",
    "221-Goodbye. You uploaded {n} and downloaded {m} kbytes.\r\n221 Logout.",
    "421 Timeout - try typing a little faster next time",
    "550 Permission denied",
    "350 Restarting at {n}",
    "200 OK, UTF-8 enabled",
    "504 Unknown command",
    "214-The following SITE commands are recognized\r\n ALIAS\r\n CHMOD\r\n IDLE\r\n UTIME\r\n"
    "214 Pure-FTPd - http://pureftpd.org/",
    "226 Since you see this ABOR must've succeeded",
    "215 UNIX Type: L8",
    true,
};

// Replaces {x} placeholders; `vals` holds pairs (key char, value).
std::string Fill(std::string_view t,
                 std::initializer_list<std::pair<char, std::string_view>> vals = {}) {
  std::string out;
  out.reserve(t.size() + 32);
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 2 < t.size() && t[i + 2] == '}') {
      bool done = false;
      for (const auto& [k, v] : vals)
        if (k == t[i + 1]) {
          out.append(v);
          done = true;
          break;
        }
      if (done) {
        i += 2;
        continue;
      }
    }
    out.push_back(t[i]);
  }
  return out;
}

bool Truthy(std::string_view v, bool def) {
  if (v == "1" || v == "true" || v == "yes" || v == "on" || v == "YES") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v == "NO") return false;
  return def;
}

// ---- the fake tree

struct Node {
  std::string path;  // absolute, no trailing slash ("/" for the root)
  bool dir = false;
  std::string text;  // content of a text file; binary files are generated from `seed`
  uint64_t size = 0;
  int64_t mtime = 0;
  uint64_t seed = 0;
  bool uploaded = false;  // listed (mode 0600, as the products' anonymous umask leaves it), not served
};

std::string_view BaseName(std::string_view p) {
  const size_t s = p.rfind('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}
std::string_view Parent(std::string_view p) {
  const size_t s = p.rfind('/');
  return s == 0 || s == std::string_view::npos ? std::string_view("/") : p.substr(0, s);
}

std::string Content(const Node& n) {
  if (!n.text.empty() || n.size == 0) return n.text;
  // A gzip header, then bytes from an xorshift of the seed: looks like a compressed archive.
  std::string out = std::string("\x1f\x8b\x08\x00", 4);
  uint64_t x = n.seed | 1;
  while (out.size() < n.size) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out.push_back(static_cast<char>(x & 0xff));
  }
  out.resize(n.size);
  return out;
}

std::string Mdtm(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  tm g;
  gmtime_r(&tt, &g);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &g);
  return buf;
}

// "Mar 14 09:12" within six months of now, else "Mar 14  2023" (ls -l, which every product mimics).
std::string LsDate(int64_t t, int64_t now, bool pad_day) {
  const time_t tt = static_cast<time_t>(t);
  tm g;
  gmtime_r(&tt, &g);
  char buf[32];
  const bool recent = t <= now && now - t < 180LL * 86400;
  if (recent) {
    std::strftime(buf, sizeof buf, pad_day ? "%b %e %H:%M" : "%b %d %H:%M", &g);
  } else {
    std::strftime(buf, sizeof buf, pad_day ? "%b %e  %Y" : "%b %d  %Y", &g);
  }
  return buf;
}

class Ftp;
class FtpSession;
class DataSession;

// What a control connection and its data connection share. The data connection can outlive the
// control one (a client that hangs up mid-upload): the upload is then still finished and logged.
struct DataLink {
  Ftp* svc = nullptr;
  FtpSession* ctl = nullptr;  // null once the control session is gone
  DataSession* data = nullptr;
  std::unique_ptr<decoy::ExtraSocket> listener;
  // An upload in progress (STOR/APPE), owned here so either side can finish it.
  std::unique_ptr<decoy::ArtifactStore::Upload> upload;
  std::string upload_path;
  decoy::Endpoint peer;
  uint16_t ctl_port = 0;
  uint64_t session = 0;
};

class Ftp final : public decoy::Service {
 public:
  explicit Ftp(decoy::Host& host) : host_(host) {
    const decoy::Persona& p = host.persona();
    static constexpr std::string_view kChoices[] = {"vsftpd", "vsftpd", "proftpd", "pureftpd"};
    const std::string pick = p.Choose(kService, "product", kChoices);
    product_ = pick == "proftpd" ? &kProftpd
               : (pick == "pureftpd" || pick == "pure-ftpd") ? &kPureftpd
                                                             : &kVsftpd;
    anonymous_ = Truthy(p.Setting(kService, "anonymous"), product_->anon_default);
    banner_ = p.Setting(kService, "banner");
    std::string users = p.Setting(kService, "users");
    size_t at = 0;
    while (at < users.size() && users_.size() < kMaxUsers) {
      size_t comma = users.find(',', at);
      if (comma == std::string::npos) comma = users.size();
      const std::string item = users.substr(at, comma - at);
      const size_t colon = item.find(':');
      if (colon != std::string::npos && colon > 0)
        users_.emplace_back(item.substr(0, colon), item.substr(colon + 1));
      at = comma + 1;
    }
    BuildTree();
  }

  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(Connection& c) override;
  void AddHealth(std::string* j) const override {
    *j += ",\"ftp_logins_ok\":" + std::to_string(logins_ok) +
          ",\"ftp_logins_failed\":" + std::to_string(logins_failed) +
          ",\"ftp_uploads\":" + std::to_string(uploads) +
          ",\"ftp_downloads\":" + std::to_string(downloads) +
          ",\"ftp_port_commands\":" + std::to_string(port_commands) +
          ",\"ftp_data_refused\":" + std::to_string(data_refused);
  }

  decoy::Host& host() { return host_; }
  const Product& product() const { return *product_; }
  bool anonymous() const { return anonymous_; }
  const std::string& banner() const { return banner_; }
  bool UserOk(std::string_view u, std::string_view pw) const {
    for (const auto& [n, p] : users_)
      if (n == u && (p == pw || p == "*")) return true;
    return false;
  }
  const Node* Find(std::string_view path) const {
    for (const Node& n : tree_)
      if (n.path == path) return &n;
    for (const Node& n : uploads_)
      if (n.path == path) return &n;
    return nullptr;
  }
  std::vector<const Node*> Children(std::string_view dir) const {
    std::vector<const Node*> out;
    for (const Node& n : tree_)
      if (n.path != "/" && Parent(n.path) == dir) out.push_back(&n);
    for (const Node& n : uploads_)
      if (Parent(n.path) == dir) out.push_back(&n);
    return out;
  }
  const Node& root() const { return tree_.front(); }

  // Finishes an upload of `link` (whichever side ends it) and logs it.
  // Returns the bytes received.
  uint64_t FinishUpload(DataLink& link) {
    if (!link.upload) return 0;
    auto d = link.upload->Finish();
    link.upload.reset();
    if (!d) return 0;
    ++uploads;
    // What an attacker uploaded is there when they list the directory again (also from a new
    // connection), as on the real server; a file over a directory of the tree is not listed.
    const Node* existing = Find(link.upload_path);
    if (!existing || existing->uploaded) {
      uploads_.erase(std::remove_if(uploads_.begin(), uploads_.end(),
                                    [&](const Node& n) { return n.path == link.upload_path; }),
                     uploads_.end());
      if (uploads_.size() >= kMaxUploadsListed) uploads_.erase(uploads_.begin());
      Node n;
      n.path = link.upload_path;
      n.size = d->size;
      n.mtime = host_.WallUs() / 1000000;
      n.uploaded = true;
      uploads_.push_back(std::move(n));
    }
    host_.log().New(kService, "upload").From(link.peer, link.ctl_port)
        .Add("session", static_cast<int64_t>(link.session))
        .Add("filename", link.upload_path).Add("sha256", d->sha256)
        .Add("size", static_cast<int64_t>(d->size)).Add("stored", static_cast<int64_t>(d->stored))
        .Emit();
    return d->size;
  }

  uint64_t logins_ok = 0, logins_failed = 0, uploads = 0, downloads = 0, port_commands = 0,
           data_refused = 0;

 private:
  void BuildTree() {
    const decoy::Persona& p = host_.persona();
    const int64_t base = p.boot_epoch();
    auto age = [&](std::string_view key, int64_t max_days) {
      return base - static_cast<int64_t>(p.Hash(kService, key) % (max_days * 86400));
    };
    tree_.push_back({"/", true, "", 4096, age("root", 400), 0});
    tree_.push_back({"/pub", true, "", 4096, age("pub", 300), 0});
    tree_.push_back({"/upload", true, "", 4096, age("upload", 300), 0});
    std::string readme = "Public files of " + p.hostname() +
                         ".\n\nRelease archives are in this directory; uploads go to /upload and are "
                         "reviewed before publishing.\nQuestions: root@" +
                         p.hostname() + "\n";
    tree_.push_back({"/pub/README", false, readme, readme.size(), age("readme", 500), 0});
    const uint64_t h = p.Hash(kService, "archive");
    const std::string archive =
        "/pub/" + p.hostname() + "-backup-" + Mdtm(age("archive", 60)).substr(0, 8) + ".tar.gz";
    tree_.push_back({archive, false, "", 9000 + h % 40000, age("archive", 60), h});
    std::string notes = "deploy notes\n- rotate the db backup key every quarter\n- mirror runs "
                        "nightly from cron on " + p.hostname() + "\n";
    tree_.push_back({"/pub/notes.txt", false, notes, notes.size(), age("notes", 90), 0});
  }

  decoy::Host& host_;
  const Product* product_ = &kVsftpd;
  bool anonymous_ = false;
  std::string banner_;
  std::vector<std::pair<std::string, std::string>> users_;
  std::vector<Node> tree_;
  std::vector<Node> uploads_;  // bounded by kMaxUploadsListed; empty until the first upload
};

// The data connection of one transfer (PASV/EPSV listener, one accept).
class DataSession final : public decoy::Session {
 public:
  DataSession(Connection& c, std::shared_ptr<DataLink> link) : conn_(c), link_(std::move(link)) {}
  void OnOpen() override;
  void OnData(std::string_view bytes) override {
    if (link_->upload && link_->data == this) link_->upload->Append(bytes);
  }
  void OnClose(CloseReason reason) override;
  Connection& conn() { return conn_; }

 private:
  Connection& conn_;
  std::shared_ptr<DataLink> link_;
  bool registered_ = false;
};

class FtpSession final : public decoy::Session {
 public:
  FtpSession(Connection& c, Ftp& svc)
      : conn_(c), svc_(svc), p_(svc.product()),
        reader_(std::min(svc.host().limits().max_line_bytes, p_.line_max)) {
    link_ = std::make_shared<DataLink>();
    link_->svc = &svc;
    link_->ctl = this;
    link_->peer = c.remote();
    link_->ctl_port = c.local().port;
    link_->session = c.id();
  }
  ~FtpSession() override {
    link_->ctl = nullptr;
    link_->listener.reset();
    if (link_->data && !link_->upload) link_->data->conn().Close();
  }

  void OnOpen() override {
    Send(Banner());
    ArmIdle();
  }

  void OnData(std::string_view bytes) override {
    if (closed_) return;
    ArmIdle();
    reader_.Feed(bytes, [this](decoy::LineReader::Verdict v, std::string_view line) {
      if (v == decoy::LineReader::Verdict::kTooLong) {
        ++svc_.host().counters().lines_too_long;
        svc_.host().log().New(kService, "command").From(conn_).Add("verb", "").Add("too_long", 1)
            .Emit();
        Send(p_.too_long);
        if (p_.too_long_closes) Hangup();
      } else {
        Handle(line);
      }
      return !closed_;
    });
  }

  void OnClose(CloseReason) override { closed_ = true; }

  // From the data connection.
  void OnDataConnected() {
    if (pending_ != Pending::kNone) StartTransfer();
  }
  void OnDataRefused() {
    if (pending_ != Pending::kNone) {
      pending_ = Pending::kNone;
      Send(p_.bad_data_ip);
    }
  }
  void OnDataClosed(CloseReason reason) {
    const Pending was = active_;
    active_ = Pending::kNone;
    if (was == Pending::kNone) {
      // Connected and gone before any command used it.
      return;
    }
    if (was == Pending::kStore) {
      uploaded_ += svc_.FinishUpload(*link_);
      Send(p_.stor_226);
      return;
    }
    if (reason != CloseReason::kService) {
      Send(p_.aborted);
      return;
    }
    if (was == Pending::kRetr) {
      ++svc_.downloads;
      downloaded_ += payload_size_;
      Send(p_.retr_226);
    } else {
      Send(Fill(p_.list_226, {{'n', std::to_string(list_count_)}}));
    }
  }

 private:
  enum class Pending : uint8_t { kNone, kList, kRetr, kStore };

  std::string Banner() const {
    if (!svc_.banner().empty()) return "220 " + svc_.banner();
    const std::string& ip = conn_.local().ip;
    switch (p_.id) {
      case Id::kVsftpd:
        return "220 (vsFTPd 3.0.3)";
      case Id::kProftpd:
        // ProFTPD listens on an IPv6 socket and shows the local address as it sees it.
        return "220 ProFTPD Server (Debian) [" +
               (ip.find(':') == std::string::npos ? "::ffff:" + ip : ip) + "]";
      case Id::kPureftpd: {
        const time_t now = static_cast<time_t>(svc_.host().WallUs() / 1000000);
        tm t;
        localtime_r(&now, &t);
        char clock[64];
        std::snprintf(clock, sizeof clock, "220-Local time is now %02d:%02d. Server port: %u.\r\n",
                      t.tm_hour, t.tm_min, conn_.local().port);
        return std::string("220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n"
                           "220-You are user number 1 of 50 allowed.\r\n") +
               clock + (svc_.anonymous() ? "" : "220-This is a private system - No anonymous login\r\n") +
               "220-IPv6 connections are also welcome on this server.\r\n"
               "220 You will be disconnected after 15 minutes of inactivity.";
      }
    }
    return "220 (vsFTPd 3.0.3)";
  }

  void Send(std::string_view text) {
    if (closed_) return;
    std::string line(text);
    line += "\r\n";
    conn_.Write(line);
  }
  void Hangup() {
    closed_ = true;
    conn_.SetTimer(0, nullptr);
    conn_.Close();
  }

  uint64_t IdleMs() const {
    uint64_t ms = p_.idle_s * 1000;
    const std::string s = svc_.host().persona().Setting(kService, "idle_timeout");
    uint64_t v = 0;
    auto [e, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc() && e == s.data() + s.size() && v > 0) ms = v * 1000;
    // Answer before the runtime's own idle bound closes the socket without a word.
    const uint64_t cap = svc_.host().limits().idle_timeout_ms;
    if (cap > 1000 && ms >= cap) ms = cap - 1000;
    return ms ? ms : 1000;
  }
  void ArmIdle() {
    conn_.SetTimer(IdleMs(), [this] {
      if (closed_) return;
      if (active_ != Pending::kNone) return ArmIdle();  // a transfer is running
      svc_.host().log().New(kService, "timeout").From(conn_).Emit();
      Send(Fill(p_.idle, {{'n', std::to_string(IdleMs() / 1000)}}));
      Hangup();
    });
  }

  bool LoggedIn() const { return logged_in_; }

  void Handle(std::string_view raw) {
    // Telnet IP/DM (what clients send before ABOR) carry no command.
    while (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0xff) raw.remove_prefix(2);
    if (raw.size() >= 1 && static_cast<unsigned char>(raw[0]) == 0xf2) raw.remove_prefix(1);
    FtpCommand cmd;
    const bool ok = ParseFtpCommand(raw, &cmd);
    auto ev = svc_.host().log().New(kService, "command");
    ev.From(conn_).Add("verb", ok ? std::string_view(cmd.verb) : std::string_view());
    if (!ok) {
      ev.Add("raw", raw.substr(0, kMaxArgLogged)).Emit();
      ++svc_.host().counters().malformed;
      if (raw.empty() || raw.find_first_not_of(' ') == std::string_view::npos)
        return Send(p_.empty);
      return Send(Fill(p_.unknown, {{'a', Upper(raw.substr(0, raw.find(' ')))}}));
    }
    if (cmd.verb != "PASS") ev.Add("arg", std::string_view(cmd.arg).substr(0, kMaxArgLogged));
    ev.Emit();
    Dispatch(cmd);
  }

  static std::string Upper(std::string_view s) {
    std::string o(s.substr(0, 64));
    for (char& c : o) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    return o;
  }

  void Dispatch(const FtpCommand& c) {
    const std::string& v = c.verb;
    const std::string& a = c.arg;
    if (v == "USER") return User(a);
    if (v == "PASS") return Pass(a);
    if (v == "QUIT") {
      Send(Fill(p_.quit, {{'n', std::to_string(uploaded_ / 1024)},
                          {'m', std::to_string(downloaded_ / 1024)}}));
      return Hangup();
    }
    if (v == "FEAT") return Send(p_.feat);
    if (v == "OPTS") {
      return Send(Upper(a).rfind("UTF8", 0) == 0 ? p_.opts_utf8 : p_.opts_bad);
    }
    if (v == "AUTH") {
      if (p_.id == Id::kVsftpd && !LoggedIn()) return Send(p_.need_login);
      if (p_.id == Id::kProftpd) return Send(Fill(p_.unknown, {{'a', v}}));
      return Send("500 This security scheme is not implemented");
    }
    const bool pre_ok = p_.id != Id::kVsftpd &&
                        (v == "HELP" || v == "SYST" || v == "NOOP" ||
                         (p_.id == Id::kProftpd && (v == "HOST" || v == "CLNT")));
    if (!LoggedIn() && !pre_ok) {
      // ProFTPD looks the verb up first; vsftpd and Pure-FTPd answer anything with "log in".
      if (p_.id == Id::kProftpd && !Known(v)) return Send(Fill(p_.unknown, {{'a', v}}));
      return Send(p_.need_login);
    }
    if (v == "SYST") return Send(p_.syst);
    if (v == "NOOP") return Send(p_.noop);
    if (v == "HELP") return Send(Fill(p_.help, {{'p', svc_.host().persona().hostname()}}));
    if (v == "HOST" && p_.id == Id::kProftpd) return Send("220 HOST command successful");
    if (v == "CLNT" && p_.id == Id::kProftpd) return Send("200 OK");
    if (v == "PWD" || v == "XPWD") return Send(Fill(p_.pwd, {{'p', cwd_}}));
    if (v == "CWD" || v == "XCWD" || v == "CDUP" || v == "XCUP") {
      const std::string target = ResolveFtpPath(cwd_, v == "CDUP" || v == "XCUP" ? ".." : a);
      const Node* n = svc_.Find(target);
      if (!n || !n->dir) return Send(Fill(p_.cwd_fail, {{'a', a}}));
      cwd_ = target;
      return Send(Fill(p_.cwd_ok, {{'p', cwd_}}));
    }
    if (v == "TYPE") {
      const std::string t = Upper(a);
      if (t == "A" || t == "A N") {
        binary_ = false;
        return Send(p_.type_a);
      }
      if (t == "I" || t == "L 8") {
        binary_ = true;
        return Send(p_.type_i);
      }
      return Send(Fill(p_.type_bad, {{'a', a}}));
    }
    if (v == "STRU") return Send(Upper(a) == "F" ? "200 Structure set to F." : "504 Bad STRU command.");
    if (v == "MODE") return Send(Upper(a) == "S" ? "200 Mode set to S." : "504 Bad MODE command.");
    if (v == "PASV") return Passive(false);
    if (v == "EPSV") {
      if (Upper(a) == "ALL") return Send("200 EPSV ALL ok.");
      return Passive(true);
    }
    if (v == "PORT" || v == "EPRT") return Active(v, a);
    if (v == "LIST" || v == "NLST" || (v == "MLSD" && p_.has_mlsd)) return List(v, a);
    if (v == "RETR") return Retr(a);
    if (v == "STOR" || v == "APPE" || v == "STOU") return Store(v, a);
    if (v == "SIZE" || v == "MDTM") {
      const Node* n = svc_.Find(ResolveFtpPath(cwd_, a));
      if (!n || n->dir) return Send(Fill(v == "SIZE" ? p_.size_fail : p_.mdtm_fail, {{'a', a}}));
      return Send("213 " + (v == "SIZE" ? std::to_string(n->size) : Mdtm(n->mtime)));
    }
    if (v == "REST") {
      uint64_t off = 0;
      auto [e, ec] = std::from_chars(a.data(), a.data() + a.size(), off);
      if (a.empty() || ec != std::errc() || e != a.data() + a.size())
        return Send("501 REST requires a value greater than or equal to 0");
      rest_ = off;
      return Send(Fill(p_.rest, {{'n', std::to_string(off)}}));
    }
    if (v == "ABOR") return Send(p_.abor);
    if (v == "MKD" || v == "XMKD" || v == "RMD" || v == "XRMD" || v == "DELE" || v == "RNFR" ||
        v == "RNTO" || v == "SITE" || v == "MFMT" || v == "MFF")
      return Send(Fill(p_.denied, {{'a', a}}));
    if (v == "STAT") return Send("211 " + std::string(p_.id == Id::kVsftpd ? "End of status" : "End"));
    return Send(Fill(p_.unknown, {{'a', v}}));
  }

  static bool Known(std::string_view v) {
    static constexpr std::string_view kVerbs[] = {
        "ABOR", "ACCT", "ALLO", "APPE", "CDUP", "CWD",  "DELE", "EPRT", "EPSV", "HELP", "LIST",
        "MDTM", "MKD",  "MODE", "NLST", "NOOP", "PASV", "PORT", "PWD",  "REIN", "REST", "RETR",
        "RMD",  "RNFR", "RNTO", "SITE", "SIZE", "SMNT", "STAT", "STOR", "STOU", "STRU", "SYST",
        "TYPE", "XCUP", "XCWD", "XMKD", "XPWD", "XRMD", "MLSD", "MLST", "MFMT", "HOST", "CLNT"};
    return std::find(std::begin(kVerbs), std::end(kVerbs), v) != std::end(kVerbs);
  }

  static bool IsAnonName(std::string_view u) { return u == "anonymous" || u == "ftp"; }

  void User(const std::string& u) {
    if (logged_in_) return Send(p_.already);
    user_ = u;
    have_user_ = true;
    if (IsAnonName(u) && svc_.anonymous()) {
      if (p_.anon_on_user) {
        svc_.host().log().New(kService, "login").From(conn_).Add("username", u)
            .Add("anonymous", 1).Add("result", "success").Emit();
        ++svc_.logins_ok;
        logged_in_ = true;
        return Send(p_.anon_ok);
      }
      return Send(p_.anon_331);
    }
    if (IsAnonName(u) && !p_.anon_refused.empty()) return Send(p_.anon_refused);
    Send(Fill(p_.user_331, {{'u', u}}));
  }

  void Pass(const std::string& pw) {
    if (logged_in_) {
      return Send(p_.id == Id::kPureftpd ? std::string_view("230 Already logged in") : p_.already);
    }
    if (!have_user_) return Send(p_.pass_first);
    const bool anon = IsAnonName(user_) && svc_.anonymous();
    const bool ok = anon || svc_.UserOk(user_, pw);
    svc_.host().log().New(kService, "login").From(conn_).Add("username", user_)
        .Secret(user_, pw, "plaintext").Add("anonymous", anon ? 1 : 0)
        .Add("result", ok ? "success" : "failure").Emit();
    have_user_ = false;
    if (ok) {
      ++svc_.logins_ok;
      logged_in_ = true;
      return Send(anon ? std::string(p_.anon_ok) : Fill(p_.login_ok, {{'u', user_}}));
    }
    ++svc_.logins_failed;
    Send(p_.login_bad);
    if (++fails_ >= p_.max_fails) Hangup();
  }

  // ---- data connections

  void Passive(bool extended) {
    link_->listener.reset();
    port_mode_ = false;
    const std::string ip = conn_.local().ip;
    const bool v6 = ip.find(':') != std::string::npos;
    if (!extended && v6) return Send(Fill(p_.unknown, {{'a', "PASV"}}));
    std::weak_ptr<DataLink> weak = link_;
    auto l = svc_.host().ListenTcp(ip, 0, 1, [weak](Connection& dc) -> std::unique_ptr<decoy::Session> {
      auto link = weak.lock();
      if (!link) return nullptr;
      return std::make_unique<DataSession>(dc, link);
    });
    if (!l) return Send("425 Could not open passive connection.");
    const uint16_t port = (*l)->local().port;
    link_->listener = std::move(*l);
    if (extended) return Send(Fill(p_.epsv, {{'n', std::to_string(port)}}));
    std::string h = ip;
    std::replace(h.begin(), h.end(), '.', ',');
    h += "," + std::to_string(port >> 8) + "," + std::to_string(port & 0xff);
    Send(Fill(p_.pasv, {{'h', h}}));
  }

  void Active(const std::string& verb, const std::string& a) {
    std::string ip;
    uint16_t port = 0;
    const bool eprt = verb == "EPRT";
    const bool parsed = eprt ? ParseEprtArg(a, &ip, &port) : ParsePortArg(a, &ip, &port);
    ++svc_.port_commands;
    if (!parsed) {
      ++svc_.host().counters().malformed;
      return Send(eprt ? p_.eprt_illegal : p_.port_syntax);
    }
    // Like the products (no port_promiscuous / AllowForeignAddress), only the client itself on an
    // unprivileged port is accepted; either way the decky never connects anywhere.
    const bool bounce = ip != conn_.remote().ip;
    const bool accepted = !bounce && port >= 1024;
    svc_.host().log().New(kService, "port").From(conn_).Add("verb", verb)
        .Add("target_ip", ip).Add("target_port", static_cast<int64_t>(port))
        .Add("bounce", bounce ? 1 : 0).Add("accepted", accepted ? 1 : 0).Emit();
    link_->listener.reset();
    if (!accepted) {
      port_mode_ = false;
      return Send(Fill(eprt ? p_.eprt_illegal : p_.port_illegal, {{'a', ip}, {'r', conn_.remote().ip}}));
    }
    port_mode_ = true;
    port_target_ = port;
    Send(eprt ? p_.eprt_ok : p_.port_ok);
  }

  // Checks that a data channel exists for a transfer command; answers when it does not.
  bool NeedData() {
    if (port_mode_) {
      port_mode_ = false;
      Send(Fill(p_.connect_failed, {{'n', std::to_string(port_target_)}}));
      return false;
    }
    if (!link_->listener && !link_->data) {
      Send(p_.no_data);
      return false;
    }
    return true;
  }

  void List(const std::string& verb, const std::string& a) {
    // Options ("-la") are accepted and ignored; the rest names a directory or a file.
    std::string_view arg = a;
    while (!arg.empty() && arg.front() == '-') {
      const size_t sp = arg.find(' ');
      arg = sp == std::string_view::npos ? std::string_view() : arg.substr(sp + 1);
    }
    const std::string path = ResolveFtpPath(cwd_, arg);
    const Node* n = svc_.Find(path);
    std::vector<const Node*> entries;
    if (n && n->dir) entries = svc_.Children(path);
    else if (n) entries.push_back(n);
    if (verb == "MLSD" && (!n || !n->dir))
      return Send(p_.id == Id::kProftpd ? "550 " + std::string(arg) + ": Not a directory"
                                        : "550 Can't open directory");
    if (!NeedData()) return;
    const int64_t now = svc_.host().WallUs() / 1000000;
    std::string out;
    if (verb == "MLSD") {
      out += Facts(*n, true);
      for (const Node* e : entries) out += Facts(*e, false);
    } else {
      for (const Node* e : entries) {
        if (verb == "NLST") {
          out += std::string(BaseName(e->path)) + "\r\n";
        } else {
          out += LsLine(*e, now);
        }
      }
    }
    list_count_ = entries.size();
    Prepare(Pending::kList, std::move(out), p_.list_150);
  }

  std::string LsLine(const Node& e, int64_t now) const {
    char buf[256];
    const char* mode = e.dir ? (e.path == "/upload" ? "drwxrwxrwx" : "drwxr-xr-x")
                       : e.uploaded ? "-rw-------" : "-rw-r--r--";
    const std::string date = LsDate(e.mtime, now, p_.id == Id::kPureftpd);
    const std::string name(BaseName(e.path));
    const unsigned long long size = e.size;
    switch (p_.id) {
      case Id::kVsftpd:
        std::snprintf(buf, sizeof buf, "%s %4u %-8s %-8s %8llu %s %s\r\n", mode, e.dir ? 2u : 1u,
                      "0", "0", size, date.c_str(), name.c_str());
        break;
      case Id::kProftpd:
        std::snprintf(buf, sizeof buf, "%s %3u %-8s %-8s %8llu %s %s\r\n", mode, e.dir ? 2u : 1u,
                      "root", "root", size, date.c_str(), name.c_str());
        break;
      case Id::kPureftpd:
        std::snprintf(buf, sizeof buf, "%s %4u %-10s %-10s %10llu %s %s\r\n", mode, e.dir ? 2u : 1u,
                      "0", "0", size, date.c_str(), name.c_str());
        break;
    }
    return buf;
  }

  std::string Facts(const Node& e, bool cdir) const {
    const std::string mtime = Mdtm(e.mtime);
    const std::string name = cdir ? "." : std::string(BaseName(e.path));
    const char* type = cdir ? "cdir" : e.dir ? "dir" : "file";
    const char* mode = e.dir ? (e.path == "/upload" ? "0777" : "0755") : e.uploaded ? "0600" : "0644";
    const std::string unique = std::to_string(0x803 + e.path.size()) + "U" +
                               std::to_string(svc_.host().persona().Hash(kService, e.path) % 900000);
    if (p_.id == Id::kProftpd) {
      return "modify=" + mtime + ";perm=" + (e.dir ? "flcdmpe" : "adfrw") +
             (e.dir ? "" : ";size=" + std::to_string(e.size)) + ";type=" + type +
             ";unique=" + unique + ";UNIX.group=0;UNIX.groupname=root;UNIX.mode=" + mode +
             ";UNIX.owner=0;UNIX.ownername=root; " + name + "\r\n";
    }
    return std::string("type=") + type + ";size=" + std::to_string(e.size) + ";modify=" + mtime +
           ";UNIX.mode=" + mode + ";UNIX.uid=0;UNIX.gid=0;unique=" + unique + "; " + name + "\r\n";
  }

  void Retr(const std::string& a) {
    const Node* n = svc_.Find(ResolveFtpPath(cwd_, a));
    // An upload is 0600 to the ftp user: the products refuse to serve it to anonymous users.
    if (!n || n->dir || n->uploaded) return Send(Fill(p_.retr_fail, {{'a', a}}));
    if (!NeedData()) return;
    std::string body = Content(*n);
    if (rest_ < body.size()) body.erase(0, rest_);
    else if (rest_) body.clear();
    rest_ = 0;
    svc_.host().log().New(kService, "download").From(conn_).Add("filename", n->path)
        .Add("size", static_cast<int64_t>(body.size())).Emit();
    payload_size_ = body.size();
    const std::string name(BaseName(n->path));
    const std::string text = Fill(
        p_.retr_150, {{'m', binary_ ? "BINARY" : "ASCII"},
                      {'f', p_.id == Id::kVsftpd ? name : std::string_view(a)},
                      {'n', std::to_string(p_.id == Id::kPureftpd ? (n->size + 1023) / 1024 : n->size)}});
    Prepare(Pending::kRetr, std::move(body), text);
  }

  void Store(const std::string& v, const std::string& a) {
    std::string path = ResolveFtpPath(cwd_, v == "STOU" && a.empty() ? "ftp" + std::to_string(conn_.id()) : a);
    const Node* n = svc_.Find(path);
    if (a.empty() && v != "STOU") return Send(Fill(p_.stor_fail, {{'a', a}}));
    if (n && n->dir) return Send(Fill(p_.stor_fail, {{'a', a}}));
    if (!NeedData()) return;
    link_->upload_path = path;
    Prepare(Pending::kStore, {}, Fill(p_.stor_150, {{'f', a}, {'a', a}}));
  }

  void Prepare(Pending what, std::string payload, std::string_view text150) {
    pending_ = what;
    payload_ = std::move(payload);
    text150_ = std::string(text150);
    if (link_->data) StartTransfer();
  }

  void StartTransfer() {
    DataSession* d = link_->data;
    if (!d) return;
    active_ = pending_;
    pending_ = Pending::kNone;
    link_->listener.reset();  // it accepted its one connection: the next transfer needs a new PASV
    Send(text150_);
    if (active_ == Pending::kStore) {
      link_->upload = svc_.host().artifacts().Begin();
      return;  // bytes flow until the client closes the data connection
    }
    d->conn().Write(payload_);
    payload_.clear();
    d->conn().Close();
  }

  Connection& conn_;
  Ftp& svc_;
  const Product& p_;
  decoy::LineReader reader_;
  std::shared_ptr<DataLink> link_;
  std::string user_, cwd_ = "/", payload_, text150_;
  bool have_user_ = false, logged_in_ = false, binary_ = false, closed_ = false, port_mode_ = false;
  int fails_ = 0;
  uint16_t port_target_ = 0;
  uint64_t rest_ = 0, payload_size_ = 0, uploaded_ = 0, downloaded_ = 0;
  size_t list_count_ = 0;
  Pending pending_ = Pending::kNone, active_ = Pending::kNone;
  friend class DataSession;
};

void DataSession::OnOpen() {
  FtpSession* ctl = link_->ctl;
  // The listener took its one connection and closed itself; drop its handle so that the next
  // transfer asks for a new PASV.
  link_->listener.reset();
  if (!ctl || link_->data) return conn_.Close();
  // The products accept a data connection only from the control connection's address (vsftpd's
  // pasv_promiscuous=NO): anything else is a hijack attempt or a scan.
  if (conn_.remote().ip != link_->peer.ip) {
    ++link_->svc->data_refused;
    link_->svc->host().log().New(kService, "data_refused").From(conn_)
        .Add("control_ip", link_->peer.ip).Emit();
    conn_.Close();
    ctl->OnDataRefused();
    return;
  }
  // The runtime logs this connection without a service name: tie it to its control session here.
  link_->svc->host().log().New(kService, "data_open").From(conn_)
      .Add("control_session", static_cast<int64_t>(link_->session)).Emit();
  link_->data = this;
  registered_ = true;
  ctl->OnDataConnected();
}

void DataSession::OnClose(CloseReason reason) {
  if (!registered_) return;
  link_->data = nullptr;
  if (FtpSession* ctl = link_->ctl) {
    ctl->OnDataClosed(reason);
  } else {
    link_->svc->FinishUpload(*link_);
  }
}

std::unique_ptr<decoy::Session> Ftp::NewSession(Connection& c) {
  return std::make_unique<FtpSession>(c, *this);
}

}  // namespace

bool ParseFtpCommand(std::string_view line, FtpCommand* out) {
  const size_t sp = line.find(' ');
  const std::string_view verb = line.substr(0, sp);
  if (verb.empty() || verb.size() > 16) return false;
  out->verb.clear();
  for (char c : verb) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c < 'A' || c > 'Z') return false;
    out->verb.push_back(c);
  }
  out->arg = sp == std::string_view::npos ? std::string() : std::string(line.substr(sp + 1));
  return true;
}

namespace {
bool Num(std::string_view s, unsigned max, unsigned* v) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size() && *v <= max;
}
}  // namespace

bool ParsePortArg(std::string_view arg, std::string* ip, uint16_t* port) {
  unsigned n[6];
  for (int i = 0; i < 6; ++i) {
    const size_t comma = arg.find(',');
    if ((i < 5) == (comma == std::string_view::npos)) return false;
    if (!Num(arg.substr(0, comma), 255, &n[i])) return false;
    arg = comma == std::string_view::npos ? std::string_view() : arg.substr(comma + 1);
  }
  *ip = std::to_string(n[0]) + "." + std::to_string(n[1]) + "." + std::to_string(n[2]) + "." +
        std::to_string(n[3]);
  *port = static_cast<uint16_t>(n[4] * 256 + n[5]);
  return true;
}

bool ParseEprtArg(std::string_view arg, std::string* ip, uint16_t* port) {
  if (arg.size() < 7 || arg.size() > 128) return false;
  const char d = arg[0];
  if (d < 33 || d > 126) return false;
  std::string_view parts[3];
  std::string_view rest = arg.substr(1);
  for (auto& part : parts) {
    const size_t at = rest.find(d);
    if (at == std::string_view::npos) return false;
    part = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  if (!rest.empty()) return false;
  unsigned proto = 0, p = 0;
  if (!Num(parts[0], 2, &proto) || proto == 0 || !Num(parts[2], 65535, &p)) return false;
  const std::string addr(parts[1]);
  unsigned char buf[16];
  if (inet_pton(proto == 1 ? AF_INET : AF_INET6, addr.c_str(), buf) != 1) return false;
  char txt[INET6_ADDRSTRLEN];
  inet_ntop(proto == 1 ? AF_INET : AF_INET6, buf, txt, sizeof txt);
  *ip = txt;
  *port = static_cast<uint16_t>(p);
  return true;
}

std::string ResolveFtpPath(std::string_view cwd, std::string_view arg) {
  std::vector<std::string_view> parts;
  auto walk = [&](std::string_view s) {
    while (!s.empty()) {
      const size_t sl = s.find('/');
      const std::string_view seg = s.substr(0, sl);
      s = sl == std::string_view::npos ? std::string_view() : s.substr(sl + 1);
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (parts.size() < 64) {
        parts.push_back(seg);
      }
    }
  };
  if (arg.empty() || arg.front() != '/') walk(cwd);
  walk(arg);
  std::string out;
  for (std::string_view p : parts) {
    out.push_back('/');
    out.append(p);
  }
  return out.empty() ? "/" : out;
}

std::unique_ptr<decoy::Service> MakeFtp(decoy::Host& host) { return std::make_unique<Ftp>(host); }

}  // namespace decnet::services::files
