// The http service through FakeConnection: every error page of both products, keep-alive and
// pipelining, every credential form, hostile bytes.
#include "decnet/services/web/http.h"

#include <gtest/gtest.h>

#include <string>

#include "decnet/core/ja4h.h"
#include "decnet/core/text.h"
#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/persona.h"
#include "decnet/decoy/testing.h"
#include "http_fuzz_entry.h"

namespace decnet::services::web {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;

decoy::PersonaInputs Inputs(std::string server, std::string distro = "debian") {
  decoy::PersonaInputs in;
  in.distro = distro;
  in.hostname = "web01";
  in.settings["http"]["server"] = server;
  return in;
}

struct Rig {
  explicit Rig(decoy::PersonaInputs in) : d(std::move(in)), conn(*d.decky, 80) {
    svc = MakeHttp(*d.decky);
    session = svc->NewSession(conn);
    session->OnOpen();
  }
  std::string Send(std::string_view bytes) {
    session->OnData(bytes);
    return conn.Take();
  }
  TestDecky d;
  FakeConnection conn;
  std::unique_ptr<decoy::Service> svc;
  std::unique_ptr<decoy::Session> session;
};

// Cuts the Date header's value so responses compare byte for byte.
std::string NoDate(std::string r) {
  for (size_t at = r.find("\r\nDate: "); at != std::string::npos; at = r.find("\r\nDate: ", at + 2)) {
    size_t end = r.find("\r\n", at + 2);
    r.replace(at + 8, end - at - 8, "D");
  }
  return r;
}

std::string NginxPage(int code, std::string_view line, std::string_view title) {
  (void)code;
  (void)line;
  return "<html>\r\n<head><title>" + std::string(title) + "</title></head>\r\n<body>\r\n<center><h1>" +
         std::string(title) + "</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
}
std::string NginxError(std::string_view line, std::string_view title, bool keep_alive) {
  std::string body = NginxPage(0, line, title);
  return "HTTP/1.1 " + std::string(line) + "\r\nServer: nginx/1.22.1\r\nDate: D\r\nContent-Type: text/html\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: " +
         (keep_alive ? "keep-alive" : "close") + "\r\n\r\n" + body;
}

constexpr std::string_view kApache = "Apache/2.4.57 (Debian)";
std::string ApacheError(int code, std::string_view reason, std::string_view text, std::string_view host,
                        std::string_view extra_headers, bool close, bool length = true) {
  std::string body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>" +
                     std::to_string(code) + " " + std::string(reason) + "</title>\n</head><body>\n<h1>" +
                     std::string(reason) + "</h1>\n" + std::string(text) + "<hr>\n<address>" +
                     std::string(kApache) + " Server at " + std::string(host) +
                     " Port 80</address>\n</body></html>\n";
  std::string r = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) + "\r\nDate: D\r\nServer: " +
                  std::string(kApache) + "\r\n" + std::string(extra_headers);
  if (length) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (close) r += "Connection: close\r\n";
  return r + "Content-Type: text/html; charset=iso-8859-1\r\n\r\n" + body;
}

TEST(HttpNginx, DefaultPageHeadersInNginxOrder) {
  Rig r(Inputs("nginx/1.22.1"));
  std::string out = NoDate(r.Send("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n\r\n"));
  ASSERT_EQ(out.rfind("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: D\r\nContent-Type: text/html\r\n"
                      "Content-Length: 615\r\nLast-Modified: ", 0), 0u) << out;
  EXPECT_NE(out.find("\r\nConnection: keep-alive\r\nETag: \""), std::string::npos);
  EXPECT_NE(out.find("-267\"\r\nAccept-Ranges: bytes\r\n\r\n<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!"),
            std::string::npos);
  EXPECT_FALSE(r.conn.closed);
  auto ev = r.d.Events("request");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ParamOf(ev[0], "method"), "GET");
  EXPECT_EQ(ParamOf(ev[0], "path"), "/");
  EXPECT_EQ(ParamOf(ev[0], "status"), "200");
  EXPECT_EQ(ParamOf(ev[0], "user_agent"), "t");
  // The event writer shows control bytes as \xNN; the header block keeps the client's CR LF.
  EXPECT_EQ(ParamOf(ev[0], "headers"), "Host: h\\x0d\\x0aUser-Agent: t\\x0d\\x0a");
  EXPECT_EQ(ParamOf(ev[0], "ja4h"), "");  // FoxIO-licensed only
}

TEST(HttpNginx, HeadHasNoBody) {
  Rig r(Inputs("nginx/1.22.1"));
  std::string out = r.Send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(out.find("Content-Length: 615\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(HttpNginx, EveryErrorPage) {
  struct Case {
    std::string req, line, title;
    bool keep_alive;
  };
  const Case cases[] = {
      {"GET /nope.php HTTP/1.1\r\nHost: h\r\n\r\n", "404 Not Found", "404 Not Found", true},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", "405 Not Allowed", "405 Not Allowed", true},
      {"FOO / HTTP/1.1\r\nHost: h\r\n\r\n", "405 Not Allowed", "405 Not Allowed", true},
      {"DELETE / HTTP/1.1\r\nHost: h\r\n\r\n", "405 Not Allowed", "405 Not Allowed", true},
      {"TRACE / HTTP/1.1\r\nHost: h\r\n\r\n", "405 Not Allowed", "405 Not Allowed", false},
      {"hello world\r\n\r\n", "400 Bad Request", "400 Bad Request", false},
      {"get / HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request", "400 Bad Request", false},
      {"GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request", "400 Bad Request", false},
      {"GET / HTTP/1.1\r\n\r\n", "400 Bad Request", "400 Bad Request", false},
      {"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request", "400 Bad Request", false},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", "414 Request-URI Too Large",
       "414 Request-URI Too Large", false},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000000\r\n\r\n", "413 Request Entity Too Large",
       "413 Request Entity Too Large", false},
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", "505 HTTP Version Not Supported", "505 HTTP Version Not Supported",
       false},
      {"GET /admin HTTP/1.1\r\nHost: h\r\n\r\n", "401 Unauthorized", "401 Authorization Required", true},
  };
  for (const Case& c : cases) {
    Rig r(Inputs("nginx/1.22.1"));
    std::string want = NginxError(c.line, c.title, c.keep_alive);
    if (c.line.rfind("401", 0) == 0) {
      want.insert(want.find("\r\n\r\n") + 2, "WWW-Authenticate: Basic realm=\"Restricted\"\r\n");
    }
    EXPECT_EQ(NoDate(r.Send(c.req)), want) << c.req.substr(0, 60);
    EXPECT_EQ(r.conn.closed, !c.keep_alive) << c.req.substr(0, 60);
  }
}

TEST(HttpNginx, HeaderTooLargeIsNginxs400) {
  Rig r(Inputs("nginx/1.22.1"));
  std::string big(40000, 'a');
  std::string out = NoDate(r.Send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + big + "\r\n\r\n"));
  std::string body =
      "<html>\r\n<head><title>400 Request Header Or Cookie Too Large</title></head>\r\n<body>\r\n"
      "<center><h1>400 Bad Request</h1></center>\r\n<center>Request Header Or Cookie Too Large</center>\r\n"
      "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
  EXPECT_EQ(out, "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nDate: D\r\nContent-Type: text/html\r\n"
                 "Content-Length: 233\r\nConnection: close\r\n\r\n" + body);
  EXPECT_EQ(body.size(), 233u);  // what nginx 1.22.1 sends (ref_capture.py)
  EXPECT_TRUE(r.conn.closed);
}

TEST(HttpNginx, PipelinedRequestsAnsweredInOrderAndHttp10Closes) {
  Rig r(Inputs("nginx/1.22.1"));
  std::string out = r.Send("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
  size_t a = out.find("404 Not Found"), b = out.find("200 OK"), c = out.rfind("404 Not Found");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(r.conn.closed);
  EXPECT_EQ(r.d.Events("request").size(), 3u);
}

TEST(HttpNginx, SplitAtEveryByteGivesTheSameAnswer) {
  const std::string req = "POST /login HTTP/1.1\r\nHost: h\r\nContent-Length: 27\r\n\r\nusername=admin&password=pw1";
  Rig whole(Inputs("nginx/1.22.1"));
  const std::string want = NoDate(whole.Send(req));
  Rig r(Inputs("nginx/1.22.1"));
  std::string got;
  for (char c : req) got += r.Send(std::string_view(&c, 1));
  EXPECT_EQ(NoDate(got), want);
  auto logins = r.d.Events("login");
  ASSERT_EQ(logins.size(), 1u);
  EXPECT_EQ(ParamOf(logins[0], "principal"), "admin");
}

TEST(HttpNginx, Http09GetsABareBody) {
  Rig r(Inputs("nginx/1.22.1"));
  std::string out = r.Send("GET /\r\n");
  EXPECT_EQ(out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(r.conn.closed);
}

TEST(HttpNginx, IdleKeepAliveClosesAfterTheTimer) {
  Rig r(Inputs("nginx/1.22.1"));
  r.Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(r.conn.timer_ms, 65000u);  // keepalive_timeout 65
  r.conn.FireTimer();
  EXPECT_TRUE(r.conn.closed);
}

TEST(HttpApache, DefaultPageHeadersInApacheOrder) {
  Rig r(Inputs(std::string(kApache)));
  std::string out = NoDate(r.Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_EQ(out.rfind("HTTP/1.1 200 OK\r\nDate: D\r\nServer: Apache/2.4.57 (Debian)\r\nLast-Modified: ", 0), 0u)
      << out.substr(0, 400);
  EXPECT_NE(out.find("\r\nAccept-Ranges: bytes\r\nContent-Length: 10701\r\nVary: Accept-Encoding\r\n"
                     "Content-Type: text/html\r\n\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("<title>Apache2 Debian Default Page: It works</title>"), std::string::npos);
}

TEST(HttpApache, EveryErrorPage) {
  const std::string allow = "Allow: GET,POST,OPTIONS,HEAD\r\n";
  struct Case {
    std::string req, want;
    bool closed;
  };
  const Case cases[] = {
      {"GET /nope.php HTTP/1.1\r\nHost: h\r\n\r\n",
       ApacheError(404, "Not Found", "<p>The requested URL was not found on this server.</p>\n", "h", "", false),
       false},
      {"GET /.htaccess HTTP/1.1\r\nHost: h:80\r\n\r\n",
       ApacheError(403, "Forbidden", "<p>You don't have permission to access this resource.</p>\n", "h", "", false),
       false},
      {"DELETE / HTTP/1.1\r\nHost: h\r\n\r\n",
       ApacheError(405, "Method Not Allowed", "<p>The requested method DELETE is not allowed for this URL.</p>\n",
                   "h", allow, false),
       false},
      {"FOO / HTTP/1.1\r\nHost: h\r\n\r\n",
       ApacheError(501, "Not Implemented", "<p>FOO not supported for current URL.<br />\n</p>\n", "h", allow, true),
       true},
      {"hello world\r\n\r\n",
       ApacheError(400, "Bad Request",
                   "<p>Your browser sent a request that this server could not understand.<br />\n</p>\n", "web01",
                   "", true),
       true},
      {"GET / HTTP/1.1\r\n\r\n",
       ApacheError(400, "Bad Request",
                   "<p>Your browser sent a request that this server could not understand.<br />\n</p>\n", "web01",
                   "", true),
       true},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n",
       ApacheError(414, "Request-URI Too Long",
                   "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n</p>\n", "web01",
                   "", true),
       true},
      {"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(40000, 'a') + "\r\n\r\n",
       ApacheError(400, "Bad Request",
                   "<p>Your browser sent a request that this server could not understand.<br />\n"
                   "Size of a request header field exceeds server limit.</p>\n",
                   "web01", "", true),
       true},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000000\r\n\r\n",
       ApacheError(413, "Request Entity Too Large",
                   "The requested resource does not allow request data with POST requests, or the amount of data "
                   "provided in\nthe request exceeds the capacity limit.\n",
                   "h", "", true, false),
       true},
      {"GET /admin HTTP/1.1\r\nHost: h\r\n\r\n",
       ApacheError(401, "Unauthorized",
                   "<p>This server could not verify that you\nare authorized to access the document\nrequested.  "
                   "Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't "
                   "understand how to supply\nthe credentials required.</p>\n",
                   "h", "WWW-Authenticate: Basic realm=\"Restricted Content\"\r\n", false),
       false},
  };
  for (const Case& c : cases) {
    Rig r(Inputs(std::string(kApache)));
    EXPECT_EQ(NoDate(r.Send(c.req)), c.want) << c.req.substr(0, 60);
    EXPECT_EQ(r.conn.closed, c.closed) << c.req.substr(0, 60);
  }
}

TEST(HttpApache, OptionsAndKeepAliveHeaderOnlyWhenAsked) {
  Rig r(Inputs(std::string(kApache)));
  EXPECT_EQ(NoDate(r.Send("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")),
            "HTTP/1.1 200 OK\r\nDate: D\r\nServer: Apache/2.4.57 (Debian)\r\nContent-Length: 0\r\n\r\n");
  // One 9000-byte header line: over LimitRequestFieldSize, though the head is under the total bound.
  Rig big(Inputs(std::string(kApache)));
  EXPECT_NE(big.Send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n")
                .find("Size of a request header field exceeds server limit."),
            std::string::npos);
  EXPECT_EQ(NoDate(r.Send("OPTIONS / HTTP/1.1\r\nHost: h\r\n\r\n")),
            "HTTP/1.1 200 OK\r\nDate: D\r\nServer: Apache/2.4.57 (Debian)\r\nAllow: GET,POST,OPTIONS,HEAD\r\n"
            "Content-Length: 0\r\nContent-Type: text/html\r\n\r\n");
  std::string out = r.Send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_NE(out.find("Keep-Alive: timeout=5, max=98\r\nConnection: Keep-Alive\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Server at web01 Port 80"), std::string::npos);
  EXPECT_FALSE(r.conn.closed);
  EXPECT_EQ(r.conn.timer_ms, 5000u);  // KeepAliveTimeout 5
}

TEST(HttpPersona, ServerFollowsTheDistro) {
  for (auto [distro, want] : {std::pair{"ubuntu22", "(Ubuntu)"}, std::pair{"rocky9", ""}}) {
    decoy::PersonaInputs in;
    in.distro = distro;
    in.hostname = "h";
    TestDecky d(in);
    std::string s = ChooseServer(d.persona);
    EXPECT_TRUE(s.rfind("nginx/", 0) == 0 || s.rfind("Apache/", 0) == 0) << s;
    EXPECT_NE(s.find(want), std::string::npos) << s;
    if (std::string(distro) == "rocky9" && s.rfind("Apache", 0) == 0) EXPECT_NE(s.find("Rocky Linux"), std::string::npos);
  }
}

TEST(HttpPersona, SettingsAreHonoured) {
  decoy::PersonaInputs in = Inputs("nginx/1.22.1");
  in.settings["http"]["server_header"] = "Apache/2.4.52 (Ubuntu)";
  in.settings["http"]["response_code"] = "200";
  in.settings["http"]["custom_body"] = "<h1>intranet</h1>";
  in.settings["http"]["extra_headers"] = "X-Powered-By: PHP/8.1.2\nbad line\r\nX-Frame-Options: SAMEORIGIN";
  Rig r(in);
  std::string out = NoDate(r.Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  EXPECT_NE(out.find("Server: Apache/2.4.52 (Ubuntu)\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Length: 17\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Powered-By: PHP/8.1.2\r\nX-Frame-Options: SAMEORIGIN\r\n\r\n<h1>intranet</h1>"),
            std::string::npos) << out;
  EXPECT_EQ(out.find("bad line"), std::string::npos);
}

TEST(HttpPersona, ResponseCodeSetting) {
  decoy::PersonaInputs in = Inputs("nginx/1.22.1");
  in.settings["http"]["response_code"] = "403";
  Rig r(in);
  EXPECT_EQ(NoDate(r.Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")), NginxError("403 Forbidden", "403 Forbidden", true));
}

// ---- credentials ----------------------------------------------------------------------------------

std::string SecretOf(const std::string& line) {
  std::string out;
  EXPECT_TRUE(Base64Decode(ParamOf(line, "secret_b64"), &out)) << line;
  return out;
}

TEST(HttpCredentials, BasicBearerDigestAndForms) {
  Rig r(Inputs("nginx/1.22.1"));
  r.Send("GET /admin HTTP/1.1\r\nHost: h\r\nAuthorization: Basic " + Base64Encode("root:t\xc3\xabst:x") + "\r\n\r\n");
  r.Send("GET /api HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer eyJhbGciOi.x.y\r\n\r\n");
  r.Send("GET /d HTTP/1.1\r\nHost: h\r\nAuthorization: Digest username=\"bob\", realm=\"Restricted\", "
         "nonce=\"abc123\", uri=\"/d\", response=\"6629fae49393a05397450978507c4ef1\", qop=auth, nc=00000001, "
         "cnonce=\"0a4f113b\"\r\n\r\n");
  const std::string form = "log=wpadmin&pwd=p%C3%A4ss+w%26rd&wp-submit=Log+In";
  r.Send("POST /wp-login.php HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         "Content-Length: " + std::to_string(form.size()) + "\r\n\r\n" + form);
  const std::string raw = "email=a@b.c&password=t\xc3\xabst";  // a client that does not encode
  r.Send("POST /login HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(raw.size()) + "\r\n\r\n" + raw);
  auto ev = r.d.Events("login");
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ParamOf(ev[0], "auth"), "basic");
  EXPECT_EQ(ParamOf(ev[0], "principal"), "root");
  EXPECT_EQ(SecretOf(ev[0]), "t\xc3\xabst:x");
  EXPECT_EQ(ParamOf(ev[0], "secret_kind"), "plaintext");
  EXPECT_EQ(ParamOf(ev[1], "secret_kind"), "token");
  EXPECT_EQ(SecretOf(ev[1]), "eyJhbGciOi.x.y");
  EXPECT_EQ(ParamOf(ev[2], "principal"), "bob");
  EXPECT_EQ(SecretOf(ev[2]), "6629fae49393a05397450978507c4ef1");
  EXPECT_EQ(ParamOf(ev[2], "secret_kind"), "hash");
  EXPECT_EQ(ParamOf(ev[2], "realm"), "Restricted");
  EXPECT_EQ(ParamOf(ev[2], "nonce"), "abc123");
  EXPECT_EQ(ParamOf(ev[2], "uri"), "/d");
  EXPECT_EQ(ParamOf(ev[3], "auth"), "form");
  EXPECT_EQ(ParamOf(ev[3], "principal"), "wpadmin");
  EXPECT_EQ(SecretOf(ev[3]), "p\xc3\xa4ss w&rd");
  EXPECT_EQ(ParamOf(ev[4], "principal"), "a@b.c");
  EXPECT_EQ(SecretOf(ev[4]), "t\xc3\xabst");
}

TEST(HttpCredentials, JsonBodyIsNotAForm) {
  Rig r(Inputs("nginx/1.22.1"));
  r.Send("POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
         "{\"password\":1}x");
  EXPECT_TRUE(r.d.Events("login").empty());
  EXPECT_EQ(ParamOf(r.d.Events("request")[0], "body_b64"), Base64Encode("{\"password\":1}x"));
}

// ---- JA4H -----------------------------------------------------------------------------------------

TEST(HttpJa4h, OnlyWhenFoxioLicensedAndSameAsTheSharedImplementation) {
  decoy::PersonaInputs in = Inputs("nginx/1.22.1");
  in.settings["http"]["foxio_licensed"] = "true";
  Rig r(in);
  r.Send("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nCookie: b=2; a=1\r\n\r\n");
  auto ev = r.d.Events("request");
  ASSERT_EQ(ev.size(), 1u);
  std::vector<std::pair<std::string, std::string>> h = {
      {"Host", "h"}, {"User-Agent", "curl/7.88.1"}, {"Accept", "*/*"}, {"Cookie", "b=2; a=1"}};
  Ja4hResult want = ComputeJa4h("GET", "HTTP/1.1", h, &decoy::Sha256Hex);
  EXPECT_EQ(ParamOf(ev[0], "ja4h"), want.ja4h);
  EXPECT_EQ(want.ja4h.substr(0, 12), "ge11cn030000");
  EXPECT_EQ(ParamOf(ev[0], "ja4h_ro"), "ge11cn030000_Host,User-Agent,Accept_b,a_b=2,a=1");
}

// ---- hostile bytes --------------------------------------------------------------------------------

TEST(HttpHostile, GarbageNeverCrashesAndEveryBoundHolds) {
  const std::string inputs[] = {
      std::string("\x00\x01\x02\xff\r\n\r\n", 8),
      "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      std::string(100000, '\r') + "\n",
      std::string(70000, 'A'),
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x'),
      "GET /%00 HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic !!!!\r\nAuthorization: Digest\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n",
  };
  for (const std::string& in : inputs) {
    for (const char* server : {"nginx/1.22.1", "Apache/2.4.57 (Debian)"}) {
      FuzzHttpSession(server, in);
      Rig r(Inputs(server));
      std::string out = r.Send(in);
      if (!out.empty()) EXPECT_EQ(out.rfind("HTTP/1.1 ", 0), 0u) << in.substr(0, 40);
    }
  }
  // A large accepted body keeps only its bound; the request is still answered.
  Rig r(Inputs("Apache/2.4.57 (Debian)"));
  std::string out = r.Send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 200000\r\n\r\n" + std::string(200000, 'x'));
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(ParamOf(r.d.Events("request")[0], "body_bytes"), "200000");
}

}  // namespace
}  // namespace decnet::services::web
