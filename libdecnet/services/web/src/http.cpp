#include "decnet/services/web/http.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <cstdio>
#include <string>
#include <vector>

#include "decnet/core/ja4h.h"
#include "decnet/core/text.h"
#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/persona.h"
#include "decnet/http/request_parser.h"
#include "decnet/http/url.h"

namespace decnet::services::web {
namespace {

#include "default_pages.inc"

constexpr std::string_view kService = "http";
constexpr size_t kLoggedBodyBytes = 1024;  // body_b64 of a request event (b64 fits max_field_bytes)
constexpr size_t kKeptBodyBytes = 16 * 1024;  // enough for any login form; the rest is counted
constexpr size_t kMaxSniffBytes = 32;      // a method token longer than this is not waited for
constexpr size_t kLogHeadBytes = 256;      // first bytes of a request kept for HTTP/0.9 and errors
constexpr std::string_view kApacheItWorks = "<html><body><h1>It works!</h1></body></html>\n";

enum class Product : uint8_t { kNginx, kApache };

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}
bool IStartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && IEquals(s.substr(0, p.size()), p);
}
std::string_view HeaderOf(const http::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (IEquals(k, name)) return v;
  return {};
}
bool HasHeader(const http::Request& r, std::string_view name) {
  for (const auto& kv : r.headers)
    if (IEquals(kv.first, name)) return true;
  return false;
}
bool HasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t c = list.find(',');
    std::string_view t = list.substr(0, c);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (IEquals(t, token)) return true;
    list = c == std::string_view::npos ? std::string_view() : list.substr(c + 1);
  }
  return false;
}
std::string Hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(v));
  return b;
}
std::string HttpDate(int64_t epoch) {
  time_t t = static_cast<time_t>(epoch);
  struct tm tm;
  gmtime_r(&t, &tm);
  char b[40];
  strftime(b, sizeof b, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return b;
}
std::string EscapeHtml(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o.push_back(c);
    }
  }
  return o;
}
// Methods http_parser 2.9 knows; any other token is fed to it as GET (see http.h).
bool ParserKnows(std::string_view m) {
  static constexpr std::string_view kKnown[] = {
      "DELETE", "GET", "HEAD", "POST", "PUT", "OPTIONS", "TRACE", "COPY", "LOCK", "MKCOL",
      "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL",
      "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE",
      "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR", "LINK", "UNLINK", "SOURCE"};
  return std::find(std::begin(kKnown), std::end(kKnown), m) != std::end(kKnown);
}
// RFC 9110 tchar.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 32 || c >= 127) return false;
    if (std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  }
  return true;
}
// nginx's request-line parser accepts methods of upper-case letters, '_' and '-' only.
bool NginxMethodChars(std::string_view s) {
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || c == '_' || c == '-')) return false;
  return true;
}
// A path that climbs above the root ("/../x") is a 400 in both products.
bool ClimbsAboveRoot(std::string_view path) {
  int depth = 0;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    std::string_view seg = path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (seg == "..") {
      if (--depth < 0) return true;
    } else if (!seg.empty() && seg != ".") {
      ++depth;
    }
    if (j == std::string_view::npos) break;
    i = j;
  }
  return false;
}

// Paths that answer 401 with a Basic challenge: where scanners and brute-forcers expect a login.
bool Protected(std::string_view path) {
  static constexpr std::string_view kPaths[] = {"/admin", "/admin/", "/administrator",
                                                "/administrator/", "/manager/html", "/private",
                                                "/private/", "/secure", "/secure/"};
  return std::find(std::begin(kPaths), std::end(kPaths), path) != std::end(kPaths);
}

struct StatusText {
  int code;
  std::string_view nginx_line, nginx_title, apache_reason;
};
// nginx's status lines (ngx_http_status_lines) differ from Apache's reason phrases for 405/414.
constexpr StatusText kStatuses[] = {
    {200, "200 OK", "", "OK"},
    {301, "301 Moved Permanently", "301 Moved Permanently", "Moved Permanently"},
    {302, "302 Moved Temporarily", "302 Found", "Found"},
    {400, "400 Bad Request", "400 Bad Request", "Bad Request"},
    {401, "401 Unauthorized", "401 Authorization Required", "Unauthorized"},
    {403, "403 Forbidden", "403 Forbidden", "Forbidden"},
    {404, "404 Not Found", "404 Not Found", "Not Found"},
    {405, "405 Not Allowed", "405 Not Allowed", "Method Not Allowed"},
    {413, "413 Request Entity Too Large", "413 Request Entity Too Large", "Request Entity Too Large"},
    {414, "414 Request-URI Too Large", "414 Request-URI Too Large", "Request-URI Too Long"},
    {500, "500 Internal Server Error", "500 Internal Server Error", "Internal Server Error"},
    {501, "501 Not Implemented", "501 Not Implemented", "Not Implemented"},
    {502, "502 Bad Gateway", "502 Bad Gateway", "Bad Gateway"},
    {503, "503 Service Temporarily Unavailable", "503 Service Temporarily Unavailable",
     "Service Unavailable"},
    {505, "505 HTTP Version Not Supported", "505 HTTP Version Not Supported",
     "HTTP Version Not Supported"},
};
const StatusText* FindStatus(int code) {
  for (const auto& s : kStatuses)
    if (s.code == code) return &s;
  return nullptr;
}

// Everything a response depends on that is fixed for the decky.
struct Site {
  Product product = Product::kNginx;
  std::string server;        // Server header and error-page footer
  std::string page_storage;  // the page when it is not static data (custom_body, Ubuntu's Apache)
  std::string_view page;
  std::string index_path;    // the file "/" resolves to
  std::string etag, last_modified;
  int response_code = 200;
  std::string extra_headers;  // "Name: value\r\n" lines
  std::string server_name;    // Apache's ServerName fallback (no Host)
  bool ja4h = false;
};

std::vector<std::string_view> ServerChoices(std::string_view distro) {
  if (distro == "ubuntu22") return {"nginx/1.18.0 (Ubuntu)", "Apache/2.4.52 (Ubuntu)"};
  if (distro == "ubuntu20") return {"nginx/1.18.0 (Ubuntu)", "Apache/2.4.41 (Ubuntu)"};
  if (distro == "rocky9" || distro == "fedora") return {"nginx/1.20.1", "Apache/2.4.57 (Rocky Linux)"};
  if (distro == "centos7") return {"nginx/1.20.1", "Apache/2.4.6 (CentOS)"};
  if (distro == "alpine") return {"nginx/1.24.0", "Apache/2.4.58 (Unix)"};
  return {"nginx/1.22.1", "Apache/2.4.57 (Debian)"};
}

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

Site MakeSite(const decoy::Persona& p) {
  Site s;
  const std::string chosen = ChooseServer(p);
  const std::string header = p.Setting("http", "server_header");
  s.server = header.empty() ? chosen : header;
  s.product = IStartsWith(s.server, "apache") ? Product::kApache : Product::kNginx;
  const std::string& d = p.distro();
  if (s.product == Product::kNginx) {
    s.page = kNginxDebianPage;  // Debian's, Ubuntu's and upstream's pages are the same bytes
    s.index_path = decoy::IsDebianLike(d) ? "/index.nginx-debian.html" : "/index.html";
  } else if (d == "debian") {
    s.page = kApacheDebianPage;
  } else if (d.rfind("ubuntu", 0) == 0) {
    // Ubuntu's page is Debian's with its own name and logo.
    s.page_storage = ReplaceAll(ReplaceAll(std::string(kApacheDebianPage), "openlogo-75.png",
                                           "ubuntu-logo.png"),
                                "Debian", "Ubuntu");
    s.page = s.page_storage;
  } else {
    s.page = kApacheItWorks;
  }
  if (s.index_path.empty()) s.index_path = "/index.html";
  const std::string body = p.Setting("http", "custom_body");
  if (!body.empty()) {
    s.page_storage = body;
    s.page = s.page_storage;
  }
  // The page was "installed" some days before the host last booted.
  const int64_t mtime = p.boot_epoch() - 86400 * 3 - static_cast<int64_t>(p.Hash("http", "mtime") % (86400 * 200));
  s.last_modified = HttpDate(mtime);
  if (s.product == Product::kNginx) {
    s.etag = "\"" + Hex(static_cast<uint64_t>(mtime)) + "-" + Hex(s.page.size()) + "\"";
  } else {
    const uint64_t us = static_cast<uint64_t>(mtime) * 1000000 + p.Hash("http", "mtime_us") % 1000000;
    s.etag = "\"" + Hex(s.page.size()) + "-" + Hex(us) + "\"";
  }
  const std::string code = p.Setting("http", "response_code");
  if (!code.empty()) {
    int c = std::atoi(code.c_str());
    if (c >= 100 && c <= 599) s.response_code = c;
  }
  // extra_headers: "Name: value" per line (a literal "\n" also separates); lines that are not a
  // header are dropped so a setting cannot split the response.
  std::string extra = ReplaceAll(p.Setting("http", "extra_headers"), "\\n", "\n");
  size_t at = 0;
  while (at < extra.size()) {
    size_t nl = extra.find('\n', at);
    std::string line = extra.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? extra.size() : nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || !IsToken(line.substr(0, colon))) continue;
    if (line.find('\r') != std::string::npos) continue;
    s.extra_headers += line + "\r\n";
  }
  s.server_name = p.hostname();
  const std::string lic = p.Setting("http", "foxio_licensed");
  s.ja4h = lic == "true" || lic == "1" || lic == "yes" || lic == "on";
  return s;
}

class Http;

class HttpSession final : public decoy::Session {
 public:
  HttpSession(Http& svc, decoy::Connection& conn);
  void OnOpen() override;
  void OnData(std::string_view bytes) override;

 private:
  struct Answer {
    int status = 200;
    bool body_is_page = false;
    std::string body;          // error pages
    std::string headers;       // extra product headers (Allow, WWW-Authenticate, Location)
    bool close = false;
    bool no_length = false;    // Apache sends some error bodies without Content-Length
    bool bare = false;         // Apache's "OPTIONS *": Content-Length only
  };
  void Pump();
  bool SniffMethod();
  bool Http09();
  void Handle(http::Request& req);
  void HandleError(int status);
  void Respond(const Answer& a, bool head, bool keep_alive, bool client_ka_token,
               std::string_view version);
  std::string ErrorBody(int status, std::string_view method, std::string_view host_name,
                        std::string_view apache_extra = {}) const;
  void LogRequest(const http::Request* req, std::string_view method, int status,
                  std::string_view error);
  void LogCredentials(const http::Request& req, std::string_view method);
  void ArmIdle();

  Http& svc_;
  decoy::Connection& conn_;
  http::RequestParser parser_;
  std::string in_;
  std::string head_;          // the first bytes of the current request
  std::string real_method_;   // set when the method was fed to the parser as GET
  bool star_ = false;         // the target was "*"
  uint32_t served_ = 0;
  bool closing_ = false;
};

class Http final : public decoy::Service {
 public:
  explicit Http(decoy::Host& host) : host_(host), site_(MakeSite(host.persona())) {}
  std::string_view name() const override { return kService; }
  std::unique_ptr<decoy::Session> NewSession(decoy::Connection& conn) override {
    return std::make_unique<HttpSession>(*this, conn);
  }
  void AddHealth(std::string* j) const override {
    *j += ",\"http_requests\":" + std::to_string(requests) + ",\"http_credentials\":" +
          std::to_string(credentials) + ",\"http_errors\":" + std::to_string(errors) +
          ",\"http_body_bytes_dropped\":" + std::to_string(body_bytes_dropped);
  }
  decoy::Host& host() { return host_; }
  const Site& site() const { return site_; }

  uint64_t requests = 0, credentials = 0, errors = 0, body_bytes_dropped = 0;

 private:
  decoy::Host& host_;
  Site site_;
};

http::ParserLimits LimitsFor(Product p) {
  http::ParserLimits l;
  // nginx: large_client_header_buffers 4 8k, client_max_body_size 1m. Apache: LimitRequestLine
  // 8190, LimitRequestFields 100, LimitRequestBody 1 GiB (2.4.54+). Only kKeptBodyBytes are kept.
  l.max_url_bytes = p == Product::kNginx ? 8000 : 8190;
  l.max_header_bytes = 32 * 1024;
  l.max_headers = 100;
  l.max_body_bytes = p == Product::kNginx ? (1u << 20) : (1u << 30);
  l.max_body_kept_bytes = kKeptBodyBytes;
  l.keep_header_case = true;
  l.ignore_upgrade = true;
  return l;
}

HttpSession::HttpSession(Http& svc, decoy::Connection& conn)
    : svc_(svc), conn_(conn), parser_(LimitsFor(svc.site().product)) {}

void HttpSession::OnOpen() { ArmIdle(); }

// nginx closes an idle keep-alive connection after keepalive_timeout 65 s, Apache after
// KeepAliveTimeout 5 s (and a request that never completes after Timeout 300 s / 60 s).
void HttpSession::ArmIdle() {
  const bool apache = svc_.site().product == Product::kApache;
  const uint64_t ms = parser_.started() || served_ == 0 ? (apache ? 300000 : 60000)
                                                        : (apache ? 5000 : 65000);
  conn_.SetTimer(ms, [this] {
    closing_ = true;
    conn_.Close();
  });
}

void HttpSession::OnData(std::string_view bytes) {
  if (closing_) return;
  in_.append(bytes);
  Pump();
  if (!closing_) ArmIdle();
}

// At the start of a request: skips blank lines (both products do) and, when the method is one
// http_parser does not know, feeds it GET in its place. False: wait for more bytes.
bool HttpSession::SniffMethod() {
  size_t skip = 0;
  while (skip < in_.size() && (in_[skip] == '\r' || in_[skip] == '\n')) ++skip;
  in_.erase(0, skip);
  if (in_.empty()) return false;
  real_method_.clear();
  const size_t sp = in_.find(' ');
  if (sp == std::string::npos || sp > kMaxSniffBytes) {
    if (in_.size() < kMaxSniffBytes && in_.find_first_of("\r\n") == std::string::npos) return false;
  } else {
    std::string_view token(in_.data(), sp);
    // "OPTIONS *" (the server as a whole): RequestParser takes only paths, so "*" is fed as "/".
    star_ = in_.compare(sp, 3, " * ") == 0;
    if (star_) in_[sp + 1] = '/';
    if (!ParserKnows(token) && IsToken(token)) {
      real_method_ = std::string(token);
      in_.replace(0, sp, "GET");
    }
  }
  head_ = in_.substr(0, kLogHeadBytes);
  if (!real_method_.empty()) head_.replace(0, 3, real_method_);
  return true;
}

void HttpSession::Pump() {
  while (!closing_ && !in_.empty()) {
    if (!parser_.started()) {
      if (!SniffMethod()) return;
      if (Http09()) return;
    }
    const size_t n = parser_.Feed(in_.data(), in_.size());
    in_.erase(0, n);
    switch (parser_.state()) {
      case http::RequestParser::State::kComplete: {
        http::Request& req = parser_.request();
        Handle(req);
        parser_.Reset();
        break;
      }
      case http::RequestParser::State::kError:
        HandleError(parser_.error_status());
        return;
      case http::RequestParser::State::kNeedMore:
        if (n == 0) return;
        break;
    }
  }
}

std::string HttpSession::ErrorBody(int status, std::string_view method, std::string_view host_name,
                                   std::string_view apache_extra) const {
  const Site& s = svc_.site();
  const StatusText* st = FindStatus(status);
  if (s.product == Product::kNginx) {
    std::string title(st ? st->nginx_title : std::string_view("500 Internal Server Error"));
    std::string h1 = title, extra;
    if (status == 494) {  // nginx's "request header too large": a 400 with its own title
      title = "400 Request Header Or Cookie Too Large";
      h1 = "400 Bad Request";
      extra = "<center>Request Header Or Cookie Too Large</center>\r\n";
    }
    return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + h1 +
           "</h1></center>\r\n" + extra + "<hr><center>" + s.server + "</center>\r\n</body>\r\n</html>\r\n";
  }
  const int code = status == 494 ? 400 : status;
  const StatusText* at = FindStatus(code);
  std::string reason(at ? at->apache_reason : std::string_view("Internal Server Error"));
  std::string text;
  const std::string m = EscapeHtml(method);
  switch (code) {
    case 400:
      text = "<p>Your browser sent a request that this server could not understand.<br />\n";
      text += status == 494 ? "Size of a request header field exceeds server limit.</p>\n" : "</p>\n";
      break;
    case 401:
      text = "<p>This server could not verify that you\nare authorized to access the document\n"
             "requested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\n"
             "browser doesn't understand how to supply\nthe credentials required.</p>\n";
      break;
    case 403: text = "<p>You don't have permission to access this resource.</p>\n"; break;
    case 404: text = "<p>The requested URL was not found on this server.</p>\n"; break;
    case 405: text = "<p>The requested method " + m + " is not allowed for this URL.</p>\n"; break;
    case 413:
      text = "The requested resource does not allow request data with " + m +
             " requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n";
      break;
    case 414:
      text = "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n</p>\n";
      break;
    case 501: text = "<p>" + m + " not supported for current URL.<br />\n</p>\n"; break;
    default:
      text = "<p>The server encountered an internal error or\nmisconfiguration and was unable to "
             "complete\nyour request.</p>\n";
  }
  text += apache_extra;
  return "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>" +
         std::to_string(code) + " " + reason + "</title>\n</head><body>\n<h1>" + reason + "</h1>\n" +
         text + "<hr>\n<address>" + s.server + " Server at " + std::string(host_name) + " Port " +
         std::to_string(conn_.local().port) + "</address>\n</body></html>\n";
}

void HttpSession::Respond(const Answer& a, bool head, bool keep_alive, bool client_ka_token,
                          std::string_view version) {
  Http& svc = svc_;
  const Site& s = svc.site();
  decoy::Host& host = svc.host();
  const int code = a.status == 494 ? 400 : a.status;
  const StatusText* st = FindStatus(code);
  const std::string date = HttpDate(host.WallUs() / 1000000);
  std::string_view body = a.body_is_page ? s.page : std::string_view(a.body);
  ++served_;
  std::string r;
  r.reserve(320 + (head ? 0 : body.size()));
  r += "HTTP/1.1 ";
  const bool ok = a.body_is_page;
  if (s.product == Product::kNginx) {
    // nginx 1.19.10+: keepalive_requests 1000.
    keep_alive = keep_alive && !a.close && served_ < 1000;
    if (st) r += st->nginx_line; else r += std::to_string(code) + " ";
    r += "\r\nServer: " + s.server + "\r\nDate: " + date + "\r\nContent-Type: text/html\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (ok) r += "Last-Modified: " + s.last_modified + "\r\n";
    // Location is one of nginx's own fields (before Connection); WWW-Authenticate is in the
    // module-set list that follows.
    const bool location = a.headers.rfind("Location:", 0) == 0;
    if (location) r += a.headers;
    r += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    if (ok) r += "ETag: " + s.etag + "\r\nAccept-Ranges: bytes\r\n";
    if (!location) r += a.headers;
  } else {
    // Apache: MaxKeepAliveRequests 100; the Keep-Alive header only for a client that asked.
    keep_alive = keep_alive && !a.close && served_ <= 100;
    r += std::to_string(code) + " " + std::string(st ? st->apache_reason : "Unknown");
    r += "\r\nDate: " + date + "\r\nServer: " + s.server + "\r\n";
    if (ok) r += "Last-Modified: " + s.last_modified + "\r\nETag: " + s.etag + "\r\nAccept-Ranges: bytes\r\n";
    r += a.headers;  // Allow, WWW-Authenticate, Location
    if (!a.no_length) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (ok) r += "Vary: Accept-Encoding\r\n";
    if (keep_alive && client_ka_token) {
      r += "Keep-Alive: timeout=5, max=" + std::to_string(101 - served_) + "\r\nConnection: Keep-Alive\r\n";
    } else if (!keep_alive) {
      r += "Connection: close\r\n";
    }
    // The default handler's files and OPTIONS are text/html; canned error pages carry a charset.
    if (!a.bare) {
      r += code < 300 ? "Content-Type: text/html\r\n" : "Content-Type: text/html; charset=iso-8859-1\r\n";
    }
  }
  (void)version;
  r += s.extra_headers;
  r += "\r\n";
  if (!head) r.append(body);
  conn_.Write(r);
  if (!keep_alive) {
    closing_ = true;
    conn_.Close();
  }
}

void HttpSession::Handle(http::Request& req) {
  Http& svc = svc_;
  const Site& s = svc.site();
  const bool nginx = s.product == Product::kNginx;
  const std::string method = real_method_.empty() ? req.method : real_method_;
  const std::string version = "HTTP/" + std::to_string(req.http_major) + "." + std::to_string(req.http_minor);
  std::string_view host_hdr = HeaderOf(req, "host");
  std::string host_name(host_hdr.substr(0, host_hdr.rfind(':') == std::string_view::npos ||
                                                   host_hdr.find(']') != std::string_view::npos
                                               ? host_hdr.size()
                                               : host_hdr.rfind(':')));
  if (host_name.empty()) host_name = s.server_name;
  const bool head = method == "HEAD";
  const bool client_ka = HasToken(HeaderOf(req, "connection"), "keep-alive");
  bool keep_alive = req.keep_alive;
  if (req.body_bytes > req.body.size()) svc.body_bytes_dropped += req.body_bytes - req.body.size();

  Answer a;
  const bool exists = req.path == "/" || req.path == s.index_path;
  // One header line longer than nginx's 8k buffer / Apache's LimitRequestFieldSize 8190.
  bool field_too_long = false;
  for (const auto& [k, v] : req.headers) field_too_long |= k.size() + 2 + v.size() > 8190;
  if (!nginx && req.http_major > 1) keep_alive = !HasToken(HeaderOf(req, "connection"), "close");
  if (nginx && req.http_major > 1) {
    a.status = 505;
    a.close = true;
  } else if (nginx && !real_method_.empty() && !NginxMethodChars(real_method_)) {
    a.status = 400;
    a.close = true;
  } else if (req.http_major == 1 && req.http_minor >= 1 && !HasHeader(req, "host")) {
    a.status = 400;
    a.close = true;
    host_name = s.server_name;
  } else if (field_too_long) {
    a.status = 494;
    a.close = true;
    host_name = s.server_name;
  } else if (star_ && (nginx || method != "OPTIONS")) {
    a.status = 400;
    a.close = true;
  } else if (star_) {
    a.status = 200;  // Apache: "OPTIONS *" is a bare 200 with no Allow and no Content-Type
    a.bare = true;
  } else if (ClimbsAboveRoot(req.path)) {
    a.status = 400;
    a.close = true;
  } else if (nginx) {
    if (method == "TRACE") {
      a.status = 405;
      a.close = true;
    } else if (Protected(req.path)) {
      a.status = 401;
      a.headers = "WWW-Authenticate: Basic realm=\"Restricted\"\r\n";
    } else if (exists) {
      a.status = (method == "GET" || method == "HEAD") ? s.response_code : 405;
      a.body_is_page = a.status == 200 || (a.status < 300 && a.status != 204);
    } else {
      a.status = 404;
    }
  } else {
    static constexpr std::string_view kAllow = "Allow: GET,POST,OPTIONS,HEAD\r\n";
    const bool get_like = method == "GET" || method == "HEAD" || method == "POST";
    if (!real_method_.empty()) {
      a.status = 501;
      a.headers = std::string(kAllow);
      a.close = true;
    } else if (method == "TRACE") {
      a.status = 405;
      a.headers = "Allow: \r\n";  // Debian's security.conf: TraceEnable Off
    } else if (method == "OPTIONS") {
      a.status = 200;
      a.headers = std::string(kAllow);
    } else if (!get_like) {
      a.status = 405;
      a.headers = std::string(kAllow);
    } else if (req.path.rfind("/.ht", 0) == 0) {
      a.status = 403;
    } else if (Protected(req.path)) {
      a.status = 401;
      a.headers = "WWW-Authenticate: Basic realm=\"Restricted Content\"\r\n";
    } else if (exists) {
      a.status = s.response_code;
      a.body_is_page = a.status < 300 && a.status != 204;
    } else {
      a.status = 404;
    }
  }
  if (!a.body_is_page && !(a.status == 200 && !nginx)) a.body = ErrorBody(a.status, method, host_name);
  ++svc.requests;
  LogRequest(&req, method, a.status == 494 ? 400 : a.status, {});
  LogCredentials(req, method);
  Respond(a, head, keep_alive, client_ka, version);
}

// HTTP/0.9 ("GET /path" and a line end, no version; http_parser would wait for headers): both
// products answer with a bare body and close.
bool HttpSession::Http09() {
  const size_t eol = in_.find_first_of("\r\n");
  if (eol == std::string::npos) return false;
  std::string_view line(in_.data(), eol);
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || line.substr(0, sp) != "GET" ||
      line.find(' ', sp + 1) != std::string_view::npos || line.size() <= sp + 1 || line[sp + 1] != '/') {
    return false;
  }
  const Site& s = svc_.site();
  std::string_view path = line.substr(sp + 1);
  path = path.substr(0, path.find('?'));
  const bool exists = path == "/" || path == s.index_path;
  ++svc_.requests;
  LogRequest(nullptr, "GET", exists ? 200 : 404, "http/0.9");
  conn_.Write(exists ? std::string(s.page) : ErrorBody(404, "GET", s.server_name));
  closing_ = true;
  conn_.Close();
  return true;
}

void HttpSession::HandleError(int status) {
  Http& svc = svc_;
  const Site& s = svc.site();
  ++svc.errors;
  ++svc.host().counters().malformed;
  if (status == 431) ++svc.host().counters().lines_too_long;
  std::string_view h = head_;
  std::string method(h.substr(0, std::min(h.find(' '), h.find_first_of("\r\n"))));
  Answer a;
  a.close = true;
  a.status = status;
  if (status == 431) a.status = 494;  // both products send a 400 with their own text
  if (status == 501) a.status = 400;  // an unsupported framing (Transfer-Encoding): malformed for us
  std::string host_name = s.server_name;
  if (status == 413) {  // the head was parsed: Apache names the Host it asked for
    std::string_view hh = HeaderOf(parser_.request(), "host");
    if (!hh.empty() && hh.find(']') == std::string_view::npos) host_name = std::string(hh.substr(0, hh.rfind(':')));
  }
  if (s.product == Product::kApache && status == 413) a.no_length = true;
  a.body = ErrorBody(a.status, method.empty() ? "GET" : method, host_name);
  LogRequest(nullptr, method, a.status == 494 ? 400 : a.status, parser_.error_message());
  Respond(a, method == "HEAD", false, false, "HTTP/1.1");
}

void HttpSession::LogRequest(const http::Request* req, std::string_view method, int status,
                             std::string_view error) {
  decoy::Host& host = svc_.host();
  auto ev = host.log().New(kService, "request");
  ev.From(conn_).Add("method", method);
  if (req != nullptr) {
    ev.Add("path", req->path).Add("query", req->query)
        .Add("version", "HTTP/" + std::to_string(req->http_major) + "." + std::to_string(req->http_minor))
        .Add("host", HeaderOf(*req, "host")).Add("user_agent", HeaderOf(*req, "user-agent"));
    std::string headers;
    for (const auto& [k, v] : req->headers) {
      if (headers.size() >= host.limits().max_field_bytes) break;  // the field is cut anyway
      headers += k;
      headers += ": ";
      headers += v;
      headers += "\r\n";
    }
    ev.Add("headers", headers);
    ev.Add("body_bytes", static_cast<int64_t>(req->body_bytes));
    if (!req->body.empty())
      ev.Add("body_b64", Base64Encode(std::string_view(req->body).substr(0, kLoggedBodyBytes)));
    if (svc_.site().ja4h) {
      Ja4hResult j = ComputeJa4h(method, "HTTP/" + std::to_string(req->http_major) + "." +
                                             std::to_string(req->http_minor),
                                 req->headers, &decoy::Sha256Hex);
      ev.Add("ja4h", j.ja4h).Add("ja4h_ro", j.ja4h_ro);
    }
  } else {
    ev.Add("raw_b64", Base64Encode(head_));
  }
  ev.Add("status", static_cast<int64_t>(status));
  if (!error.empty()) ev.Add("error", error);
  ev.Emit();
}

// key=value of a Digest header (quoted or token values).
std::string DigestParam(std::string_view h, std::string_view key) {
  size_t i = 0;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ',' || h[i] == '\t')) ++i;
    size_t eq = h.find('=', i);
    if (eq == std::string_view::npos) return {};
    std::string_view k = h.substr(i, eq - i);
    while (!k.empty() && k.back() == ' ') k.remove_suffix(1);
    i = eq + 1;
    while (i < h.size() && h[i] == ' ') ++i;
    std::string v;
    if (i < h.size() && h[i] == '"') {
      ++i;
      while (i < h.size() && h[i] != '"') {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        v.push_back(h[i++]);
      }
      ++i;
    } else {
      size_t end = h.find(',', i);
      v = std::string(h.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
      while (!v.empty() && v.back() == ' ') v.pop_back();
      i = end == std::string_view::npos ? h.size() : end;
    }
    if (IEquals(k, key)) return v;
  }
  return {};
}

// A form field by any of `names`, decoded as a browser encodes it; the raw bytes when the value is
// not valid percent-encoding (the attacker's exact bytes either way).
bool FormField(std::string_view body, std::initializer_list<std::string_view> names, std::string* out) {
  size_t at = 0;
  while (at <= body.size()) {
    size_t amp = body.find('&', at);
    std::string_view pair = body.substr(at, amp == std::string_view::npos ? std::string_view::npos : amp - at);
    at = amp == std::string_view::npos ? body.size() + 1 : amp + 1;
    size_t eq = pair.find('=');
    std::string_view k = pair.substr(0, eq);
    auto dk = http::PercentDecode(k, true);
    std::string_view key = dk ? std::string_view(*dk) : k;
    for (std::string_view n : names) {
      if (IEquals(key, n)) {
        std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        auto dv = http::PercentDecode(v, true);
        *out = dv ? *dv : std::string(v);
        return true;
      }
    }
  }
  return false;
}

void HttpSession::LogCredentials(const http::Request& req, std::string_view method) {
  decoy::Host& host = svc_.host();
  auto base = [&](std::string_view scheme) {
    auto ev = host.log().New(kService, "login");
    ev.From(conn_).Add("method", method).Add("path", req.path).Add("auth", scheme);
    return ev;
  };
  for (const auto& [k, v] : req.headers) {
    if (!IEquals(k, "authorization") && !IEquals(k, "proxy-authorization")) continue;
    std::string_view val = v;
    const size_t sp = val.find(' ');
    std::string_view scheme = val.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view() : val.substr(sp + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (IEquals(scheme, "basic")) {
      std::string decoded;
      std::string_view cred = rest;
      while (!cred.empty() && (cred.back() == ' ' || cred.back() == '\t')) cred.remove_suffix(1);
      if (!Base64Decode(cred, &decoded)) {
        base("basic").Add("error", "bad base64").Secret("", cred, "plaintext").Emit();
      } else {
        const size_t colon = decoded.find(':');
        std::string_view d = decoded;
        base("basic").Secret(d.substr(0, colon),
                             colon == std::string::npos ? std::string_view() : d.substr(colon + 1),
                             "plaintext").Emit();
      }
    } else if (IEquals(scheme, "bearer")) {
      base("bearer").Secret("", rest, "token").Emit();
    } else if (IEquals(scheme, "digest")) {
      auto ev = base("digest");
      ev.Add("realm", DigestParam(rest, "realm")).Add("nonce", DigestParam(rest, "nonce"))
          .Add("uri", DigestParam(rest, "uri"));
      for (std::string_view extra : {"algorithm", "qop", "nc", "cnonce", "opaque"}) {
        std::string p = DigestParam(rest, extra);
        if (!p.empty()) ev.Add(extra, p);
      }
      ev.Secret(DigestParam(rest, "username"), DigestParam(rest, "response"), "hash").Emit();
    } else {
      base(scheme).Secret("", rest, "token").Emit();
    }
    ++svc_.credentials;
  }
  if (method != "POST" || req.body.empty()) return;
  std::string_view ct = HeaderOf(req, "content-type");
  if (!ct.empty() && !IStartsWith(ct, "application/x-www-form-urlencoded")) return;
  std::string user, pass;
  const bool has_pass = FormField(req.body, {"pass", "password", "pwd", "passwd"}, &pass);
  const bool has_user = FormField(req.body, {"user", "username", "login", "log", "email"}, &user);
  if (!has_pass && !has_user) return;
  ++svc_.credentials;
  base("form").Secret(user, pass, "plaintext").Emit();
}

}  // namespace

std::string ChooseServer(const decoy::Persona& persona) {
  const std::vector<std::string_view> choices = ServerChoices(persona.distro());
  // The topology may name the product ("nginx" / "apache"): the distro's own version of it.
  const std::string want = persona.Setting("http", "server");
  for (std::string_view c : choices)
    if (!want.empty() && IStartsWith(c, want)) return std::string(c);
  return persona.Choose("http", "server", choices);
}

std::unique_ptr<decoy::Service> MakeHttp(decoy::Host& host) { return std::make_unique<Http>(host); }

}  // namespace decnet::services::web
