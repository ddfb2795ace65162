#include "decnet/api/api.h"
#include "decnet/core/text.h"

#include <cmath>
#include <cstdio>

#include "decnet/api/params.h"
#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/http/source.h"

namespace decnet::api {
namespace {

using http::Request;
using http::Response;

constexpr const char* kPrefix = "/api/v1";

Response BadRequest(const Error& e) { return Response::Error(400, e.message); }
// The client learns the class of failure, never the SQL or the driver's words (they go to our log).
Response DbError(const Error& e) {
  DLOG_WARN("db: %s", e.message.c_str());
  if (e.code == Errc::kLimit) {
    Response r = Response::Error(503, "the query took too long; narrow the filters");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  if (e.code == Errc::kUnavailable || e.code == Errc::kBusy) {
    Response r = Response::Error(503, "database unavailable; try again");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return Response::Error(500, "internal error");
}

Response TooMany(int64_t wait_s, std::string_view what) {
  Response r = Response::Error(429, what);
  r.headers.emplace_back("Retry-After", std::to_string(wait_s < 1 ? 1 : wait_s));
  return r;
}

bool ParseSmallJson(const std::string& body, rapidjson::Document& doc) {
  json::ParseLimits lim;
  lim.max_bytes = 4096;
  lim.max_depth = 2;
  return json::ParseObject(body, doc, lim).has_value();
}

// A JSON column written by our own workers; "null" if empty so the document stays valid.
std::string_view JsonCol(const std::string& s) { return s.empty() ? std::string_view("null") : s; }

std::string JoinArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += items[i];
  }
  return out + "]";
}

std::vector<std::string> SplitPath(std::string_view p) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string_view::npos) slash = p.size();
    parts.emplace_back(p.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool Match(const std::string& pattern, const std::string& path, Api::Params* params) {
  auto pp = SplitPath(pattern), ps = SplitPath(path);
  if (pp.size() != ps.size()) return false;
  Api::Params out;
  for (size_t i = 0; i < pp.size(); ++i) {
    if (pp[i].size() > 2 && pp[i].front() == '{' && pp[i].back() == '}') {
      if (ps[i].empty()) return false;
      out[pp[i].substr(1, pp[i].size() - 2)] = ps[i];
    } else if (pp[i] != ps[i]) {
      return false;
    }
  }
  *params = std::move(out);
  return true;
}

std::string LogJson(const storage::LogRow& r) {
  json::JsonWriter w;
  w.Int("id", r.id).Str("ts", IsoTime(r.ts_us)).Str("decky", r.decky).Str("service", r.service);
  w.Str("event_type", r.event_type).Str("attacker_ip", r.attacker_ip).Str("msg", r.msg);
  w.Raw("fields", JsonCol(r.fields)).Str("raw_line", r.raw_line);
  return w.Finish();
}

void AttackerFields(json::JsonWriter& w, const storage::AttackerRow& a) {
  w.Str("ip", a.ip).Str("first_seen", IsoTime(a.first_seen_us)).Str("last_seen", IsoTime(a.last_seen_us));
  w.Int("event_count", a.event_count).Raw("services", JsonCol(a.services)).Raw("deckies", JsonCol(a.deckies));
  w.Bool("is_traversal", a.is_traversal).Raw("traversal", JsonCol(a.traversal));
  w.Int("bounty_count", a.bounty_count).Int("credential_count", a.credential_count);
  w.Double("score", a.score).Raw("score_reasons", JsonCol(a.score_reasons));
}

std::string CredentialJson(const storage::CredentialRow& c) {
  json::JsonWriter w;
  w.Int("id", c.id).Str("ts", IsoTime(c.ts_us)).Str("attacker_ip", c.attacker_ip).Str("decky", c.decky);
  w.Str("service", c.service).Str("username", c.username).Str("secret", c.secret).Str("secret_kind", c.secret_kind);
  return w.Finish();
}

std::string BountyJson(const storage::BountyRow& b) {
  json::JsonWriter w;
  w.Int("id", b.id).Str("ts", IsoTime(b.ts_us)).Str("decky", b.decky).Str("service", b.service);
  w.Str("attacker_ip", b.attacker_ip).Str("bounty_type", b.bounty_type).Raw("payload", JsonCol(b.payload));
  return w.Finish();
}

// CSV cell: quoted when needed; a leading = + - @ is neutralised so spreadsheets do not run formulas
// written by attackers.
void CsvCell(std::string& out, std::string_view v) {
  bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@');
  bool quote = formula || v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(v);
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

bool ValidWorkerName(std::string_view n) {
  if (n.empty() || n.size() > 32) return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

Api::Api(storage::Repository& repo, ApiOptions opts, Publish publish, Clock clock, Offload offload)
    : repo_(repo),
      opts_(std::move(opts)),
      publish_(std::move(publish)),
      clock_(std::move(clock)),
      offload_(std::move(offload)),
      user_throttle_(opts_.login_user_throttle),
      source_throttle_(opts_.login_source_throttle),
      password_throttle_(opts_.password_throttle),
      workers_(opts_.known_workers) {
  if (!opts_.web_root.empty()) {
    web_ = std::make_unique<http::StaticFiles>(opts_.web_root);
    if (!web_->ok()) {
      DLOG_WARN("web_root %s not found: dashboard disabled", opts_.web_root.c_str());
      web_.reset();
    }
  }
  auto h = http::HashPassword(http::RandomHex(16));
  if (h) dummy_hash_ = *h;
  BuildRoutes();
}

void Api::BuildRoutes() {
  using Q = std::vector<std::pair<std::string, std::string>>;
  const Q log_filters = {{"since", "from this time (epoch s or ISO 8601 UTC)"},
                         {"until", "before this time"},
                         {"attacker", "attacker IP"},
                         {"decky", "decky name"},
                         {"service", "service name"},
                         {"event_type", "event type (MSGID)"},
                         {"q", "full-text substring of the message"}};
  Q logs_q = log_filters;
  logs_q.push_back({"before_id", "keyset: the next_before_id of the previous page"});
  logs_q.push_back({"limit", "1..1000 (default 100)"});
  Q hist_q = log_filters;
  hist_q.push_back({"bucket", "bucket width in seconds (60..2592000, default 3600)"});
  std::string p = kPrefix;
  routes_ = {
      {"GET", "/healthz", false, "Liveness probe", {}, &Api::Health},
      {"GET", p + "/healthz", false, "Liveness probe", {}, &Api::Health},
      {"GET", p + "/openapi.json", false, "This document", {}, &Api::OpenApi},
      {"POST", p + "/auth/login", false, "Log in with {username, password}; returns a bearer token", {}, nullptr,
       false, &Api::Login},
      {"POST", p + "/auth/logout", true, "Revoke every token of the current user", {}, &Api::Logout},
      {"POST", p + "/auth/change-password", true,
       "Change password with {old_password, new_password}; revokes every token of the user and returns a new one",
       {}, nullptr, false, &Api::ChangePassword},
      {"GET", p + "/auth/me", true, "The current user", {}, &Api::Me},
      {"GET", p + "/stats", true, "Counts of attackers, events, credentials, deckies", {}, &Api::GetStats},
      {"GET", p + "/logs", true, "Logs, newest first, keyset paging", logs_q, &Api::ListLogs},
      {"GET", p + "/logs/histogram", true, "Events over time", hist_q, &Api::Histogram},
      {"GET", p + "/attackers", true, "Attackers sorted by last seen or score, keyset paging",
       {{"order", "last_seen | score"}, {"search", "substring of the IP"},
        {"cursor", "keyset: next_cursor of the previous page"}, {"limit", "1..1000 (default 50)"}},
       &Api::ListAttackers},
      {"GET", p + "/attackers/export", true, "All attackers as JSON or CSV",
       {{"format", "json | csv"}, {"order", "last_seen | score"}}, &Api::ExportAttackers},
      {"GET", p + "/attackers/{ip}", true, "One attacker: profile, behaviour, fingerprints, commands, credentials",
       {}, &Api::GetAttacker},
      {"GET", p + "/credentials", true, "Captured credentials, newest first",
       {{"attacker", "attacker IP"}, {"before_id", "keyset"}, {"limit", "1..1000"}}, &Api::ListCredentials},
      {"GET", p + "/credential-reuse", true, "Credentials seen from several attackers or deckies",
       {{"before_id", "keyset"}, {"limit", "1..1000"}}, &Api::ListReuse},
      {"GET", p + "/bounty", true, "Findings about attackers, newest first",
       {{"attacker", "attacker IP"}, {"type", "bounty type"}, {"before_id", "keyset"}, {"limit", "1..1000"}},
       &Api::ListBounty},
      {"GET", p + "/deckies", true, "Deckies", {{"topology", "topology id"}}, &Api::ListDeckies},
      {"GET", p + "/topologies", true, "Topologies, newest first", {}, &Api::ListTopologies},
      {"GET", p + "/topologies/{id}", true, "One topology and its deckies", {}, &Api::GetTopology},
      {"GET", p + "/workers", true, "Worker registry from health heartbeats (ok/stale/unknown, PSS)", {},
       &Api::ListWorkers},
      {"POST", p + "/workers/{name}/stop", true, "Ask a worker to stop (system.<name>.control)", {},
       &Api::StopWorker, true},
      {"POST", p + "/stream/ticket", true, "A single-use ticket for /stream (valid a few seconds)", {},
       &Api::StreamTicket},
      {"GET", p + "/stream", true, "Server-Sent Events: attacker.*, system.log, credential.*, decky.*",
       {{"ticket", "single-use ticket from POST /stream/ticket (EventSource cannot send headers)"}},
       &Api::Stream, false, nullptr, true},
  };
}

// ---- dispatch ---------------------------------------------------------------------------------------

Result<Api::Session> Api::Authenticate(const Request& req) {
  std::string_view authz = req.Header("authorization");
  if (authz.size() <= 7 || (authz.substr(0, 7) != "Bearer " && authz.substr(0, 7) != "bearer ")) {
    return MakeError(Errc::kInvalidArgument, "authentication required");
  }
  auto claims = http::VerifyJwt(authz.substr(7), opts_.jwt_secret, static_cast<int64_t>(clock_()));
  if (!claims) return claims.error();
  // The DB is the truth about the user: a deleted user, or a version bumped by logout, a password or a
  // role change, ends the token whatever its expiry says.
  auto user = repo_.GetUserByUuid(claims->sub);
  if (!user) return MakeError(Errc::kUnavailable, user.error().message);
  if (!user->has_value() || (*user)->token_version != claims->ver) {
    return MakeError(Errc::kInvalidArgument, "token revoked");
  }
  Session s{*claims};
  s.claims.username = (*user)->username;
  s.claims.role = (*user)->role;
  s.claims.must_change_password = (*user)->must_change_password;
  return s;
}

bool Api::HostAllowed(const Request& req) const {
  if (opts_.allowed_hosts.empty()) return true;
  std::string host = AsciiLower(req.Header("host"));
  for (const auto& h : opts_.allowed_hosts) {
    if (h == host) return true;
  }
  return false;
}

http::Response Api::HandleNow(Request& req) {
  Response out = Response::Error(500, "no answer");
  Handle(req, [&out](Response r) { out = std::move(r); });
  return out;
}

void Api::Handle(Request& req, Respond respond) {
  requests_++;
  // What every answer gets, now or later: CORS for allowed origins, and no caching of API data (tokens,
  // attackers' credentials) by the browser or a proxy.
  std::string allowed_origin;
  if (std::string_view origin = req.Header("origin"); !origin.empty()) {
    for (const auto& o : opts_.cors_origins) {
      if (o == origin) allowed_origin = o;
    }
  }
  const bool api_path = req.path.rfind(std::string(kPrefix) + "/", 0) == 0 || req.path == kPrefix;
  Respond finish = [respond = std::move(respond), allowed_origin, api_path](Response r) {
    if (!allowed_origin.empty()) {
      r.headers.emplace_back("Access-Control-Allow-Origin", allowed_origin);
      r.headers.emplace_back("Vary", "Origin");
    }
    if (api_path && !r.sse) r.headers.emplace_back("Cache-Control", "no-store");
    respond(std::move(r));
  };
  if (!HostAllowed(req)) {
    // DNS rebinding: a hostile page whose name resolves to 127.0.0.1 reaches us with its own Host.
    host_refused_++;
    return finish(Response::Error(421, "unknown Host; set allowed_hosts to the names this API is reached by"));
  }
  bool matched_path = false;
  const Route* route = nullptr;
  Params params;
  for (const auto& r : routes_) {
    Params p;
    if (!Match(r.pattern, req.path, &p)) continue;
    matched_path = true;
    if (r.method == req.method || (r.method == "GET" && req.method == "HEAD")) {
      route = &r;
      params = std::move(p);
      break;
    }
  }
  if (route == nullptr) {
    Response resp;
    if (matched_path && req.method == "OPTIONS" && !opts_.cors_origins.empty()) {
      resp = Response::Text(204, "");
      resp.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      resp.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    } else if (matched_path) {
      resp = Response::Error(405, "method not allowed");
    } else if (api_path) {
      resp = Response::Error(404, "no such route");
    } else if (web_ && (req.method == "GET" || req.method == "HEAD")) {
      resp = web_->Serve(req.path);  // the server adds the security headers to every response
    } else {
      resp = Response::Error(404, "not found");
    }
    return finish(std::move(resp));
  }
  Session session;
  if (route->auth && !route->ticket_auth) {
    auto s = Authenticate(req);
    if (!s) {
      if (s.error().code == Errc::kUnavailable) return finish(DbError(s.error()));
      Response resp = Response::Error(401, s.error().message);
      resp.headers.emplace_back("WWW-Authenticate", "Bearer");
      return finish(std::move(resp));
    }
    session = std::move(*s);
    bool password_route = route->async_handler == &Api::ChangePassword || route->handler == &Api::Logout ||
                          route->handler == &Api::Me;
    if (session.claims.must_change_password && !password_route) {
      return finish(Response::Error(403, "password change required"));
    }
    if (route->admin && session.claims.role != "admin") {
      return finish(Response::Error(403, "admin role required"));
    }
  }
  if (route->async_handler != nullptr) return (this->*(route->async_handler))(req, params, session, std::move(finish));
  finish((this->*(route->handler))(req, params, session));
}

void Api::Offloaded(std::function<void()> work, std::function<void()> done, const Respond& respond) {
  if (!offload_) {
    work();
    done();
    return;
  }
  if (!offload_(std::move(work), std::move(done))) {
    // Every hashing slot is taken: say so now rather than queue without bound or block the loop.
    busy_refused_++;
    Response r = Response::Error(503, "busy; try again");
    r.headers.emplace_back("Retry-After", "1");
    respond(std::move(r));
  }
}

std::string Api::MintToken(const storage::UserRow& u, int64_t now) const {
  http::JwtClaims c;
  c.sub = u.uuid;
  c.username = u.username;
  c.role = u.role;
  c.jti = http::RandomHex(12);
  c.ver = u.token_version;
  c.iat = now;
  c.exp = now + opts_.token_ttl_s;
  c.must_change_password = u.must_change_password;
  return http::SignJwt(c, opts_.jwt_secret);
}

void Api::Revoked(const std::string& uuid) {
  for (auto it = tickets_.begin(); it != tickets_.end();) {
    it = it->second.uuid == uuid ? tickets_.erase(it) : std::next(it);
  }
  if (on_revoked_) on_revoked_(uuid);
}

// ---- auth routes ------------------------------------------------------------------------------------

void Api::Login(Request& req, const Params&, const Session&, Respond respond) {
  int64_t now = static_cast<int64_t>(clock_());
  rapidjson::Document doc;
  if (!ParseSmallJson(req.body, doc)) return respond(Response::Error(400, "body must be a JSON object"));
  std::string username(json::GetString(doc, "username"));
  std::string password(json::GetString(doc, "password"));
  if (username.empty() || password.empty() || username.size() > 64 || password.size() > 256) {
    return respond(Response::Error(400, "username and password are required"));
  }
  // Both budgets are checked before either is charged, and charged before the password is checked,
  // so parallel guesses cannot outrun the count. Usernames compare case-insensitively here so "Admin"
  // is not a fresh budget for "admin".
  const std::string user_key = AsciiLower(username), source_key = http::SourceKey(req.peer_ip);
  int64_t wait = std::max(user_throttle_.Wait(user_key, now), source_throttle_.Wait(source_key, now));
  if (wait > 0) {
    (user_throttle_.Wait(user_key, now) > 0 ? user_throttle_ : source_throttle_).CountRefusal();
    return respond(TooMany(wait, "too many login attempts; try again later"));
  }
  user_throttle_.Record(user_key, now);
  source_throttle_.Record(source_key, now);
  auto user = repo_.GetUserByName(username);
  if (!user) return respond(DbError(user.error()));
  // Verify against a dummy hash when the user does not exist so both paths cost the same.
  auto found = std::make_shared<std::optional<storage::UserRow>>(std::move(*user));
  auto ok = std::make_shared<bool>(false);
  std::string hash = found->has_value() ? (*found)->password_hash : dummy_hash_;
  Offloaded(
      [ok, password = std::move(password), hash = std::move(hash)] { *ok = http::VerifyPassword(password, hash); },
      [this, ok, found, user_key, respond] {
        if (!*ok || !found->has_value()) return respond(Response::Error(401, "invalid username or password"));
        user_throttle_.Forgive(user_key);  // this user only; the source's count stands
        const storage::UserRow& u = **found;
        const int64_t at = static_cast<int64_t>(clock_());
        json::JsonWriter w;
        w.Str("access_token", MintToken(u, at)).Str("token_type", "bearer");
        w.Int("expires_in", opts_.token_ttl_s).Bool("must_change_password", u.must_change_password);
        w.Str("username", u.username).Str("role", u.role);
        respond(Response::Json(200, w.Finish()));
      },
      respond);
}

Response Api::Logout(Request&, const Params&, const Session& s) {
  // Every token of this user ends (all its browsers and scripts): a token is only good at the current
  // version, and the version lives in the DB, so a restart does not bring it back.
  auto v = repo_.BumpTokenVersion(s.claims.sub);
  if (!v) return DbError(v.error());
  Revoked(s.claims.sub);
  return Response::Json(200, R"({"ok":true})");
}

void Api::ChangePassword(Request& req, const Params&, const Session& s, Respond respond) {
  int64_t now = static_cast<int64_t>(clock_());
  const std::string key = s.claims.sub;
  if (int64_t wait = password_throttle_.Wait(key, now); wait > 0) {
    password_throttle_.CountRefusal();
    return respond(TooMany(wait, "too many password changes; try again later"));
  }
  password_throttle_.Record(key, now);  // every attempt: each costs two Argon2id hashes
  rapidjson::Document doc;
  if (!ParseSmallJson(req.body, doc)) return respond(Response::Error(400, "body must be a JSON object"));
  std::string old_pw(json::GetString(doc, "old_password")), new_pw(json::GetString(doc, "new_password"));
  if (auto st = http::CheckPasswordPolicy(new_pw); !st) {
    return respond(Response::Error(400, "new_password: " + st.error().message));
  }
  auto user = repo_.GetUserByUuid(key);
  if (!user) return respond(DbError(user.error()));
  if (!user->has_value()) return respond(Response::Error(401, "user no longer exists"));
  struct Outcome {
    bool old_ok = false;
    Result<std::string> hash = std::string();
  };
  auto out = std::make_shared<Outcome>();
  Offloaded(
      [out, old_pw = std::move(old_pw), new_pw = std::move(new_pw), stored = (*user)->password_hash] {
        out->old_ok = http::VerifyPassword(old_pw, stored);
        if (out->old_ok) out->hash = http::HashPassword(new_pw);
      },
      [this, out, key, respond] {
        if (!out->old_ok) return respond(Response::Error(401, "old_password is wrong"));
        if (!out->hash) {
          DLOG_WARN("password hash: %s", out->hash.error().message.c_str());
          return respond(Response::Error(500, "internal error"));
        }
        // Bumps the token version: every token of this user ends, this one included; the answer carries
        // a new one so the client that changed it stays signed in.
        if (auto st = repo_.UpdatePasswordHash(key, *out->hash, false); !st) return respond(DbError(st.error()));
        Revoked(key);
        auto u = repo_.GetUserByUuid(key);
        if (!u) return respond(DbError(u.error()));
        if (!u->has_value()) return respond(Response::Error(401, "user no longer exists"));
        json::JsonWriter w;
        w.Bool("ok", true).Str("access_token", MintToken(**u, static_cast<int64_t>(clock_())));
        w.Str("token_type", "bearer").Int("expires_in", opts_.token_ttl_s);
        respond(Response::Json(200, w.Finish()));
      },
      respond);
}

Response Api::Me(Request&, const Params&, const Session& s) {
  json::JsonWriter w;
  w.Str("uuid", s.claims.sub).Str("username", s.claims.username).Str("role", s.claims.role);
  w.Bool("must_change_password", s.claims.must_change_password).Int("exp", s.claims.exp);
  return Response::Json(200, w.Finish());
}

Response Api::Health(Request&, const Params&, const Session&) {
  auto v = repo_.SchemaVersion();
  json::JsonWriter w;
  w.Str("status", v ? "ok" : "degraded").Bool("db", v.has_value());
  return Response::Json(v ? 200 : 503, w.Finish());
}

Response Api::OpenApi(Request&, const Params&, const Session&) { return Response::Json(200, OpenApiJson()); }

// ---- data routes ------------------------------------------------------------------------------------

Response Api::GetStats(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {}); !st) return BadRequest(st.error());
  auto s = repo_.GetStats();
  if (!s) return DbError(s.error());
  auto deckies = repo_.ListDeckies("");
  json::JsonWriter w;
  w.Int("total_logs", s->total_logs).Int("unique_attackers", s->unique_attackers).Int("attackers", s->attackers);
  w.Int("total_credentials", s->total_credentials).Int("total_bounty", s->total_bounty);
  w.Int("deckies_seen", s->deckies).Int("deckies", deckies ? static_cast<int64_t>(deckies->size()) : 0);
  return Response::Json(200, w.Finish());
}

namespace {
Result<storage::LogQuery> ParseLogQuery(const Request& req) {
  storage::LogQuery q;
  auto since = TimeParam(req, "since");
  if (!since) return since.error();
  auto until = TimeParam(req, "until");
  if (!until) return until.error();
  if (*until != 0 && *until <= *since) return MakeError(Errc::kInvalidArgument, "parameter 'until' must be after 'since'");
  auto ip = IpParam(req, "attacker");
  if (!ip) return ip.error();
  auto decky = TextParam(req, "decky", 255);
  if (!decky) return decky.error();
  auto service = TextParam(req, "service", 48);
  if (!service) return service.error();
  auto type = TextParam(req, "event_type", 32);
  if (!type) return type.error();
  auto text = TextParam(req, "q", 256);
  if (!text) return text.error();
  auto before = IntParam(req, "before_id", 0, 0, INT64_MAX);
  if (!before) return before.error();
  auto limit = IntParam(req, "limit", 100, 1, 1000);
  if (!limit) return limit.error();
  q.since_us = *since;
  q.until_us = *until;
  q.attacker_ip = *ip;
  q.decky = *decky;
  q.service = *service;
  q.event_type = *type;
  q.search = *text;
  q.before_id = *before;
  q.limit = static_cast<int>(*limit);
  return q;
}
}  // namespace

Response Api::ListLogs(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"since", "until", "attacker", "decky", "service", "event_type", "q",
                                       "before_id", "limit"});
      !st) {
    return BadRequest(st.error());
  }
  auto q = ParseLogQuery(req);
  if (!q) return BadRequest(q.error());
  auto page = repo_.QueryLogs(*q);
  if (!page) return DbError(page.error());
  std::vector<std::string> items;
  for (const auto& r : page->rows) items.push_back(LogJson(r));
  json::JsonWriter w;
  w.Raw("items", JoinArray(items));
  if (page->next_before_id > 0) w.Int("next_before_id", page->next_before_id);
  else w.Null("next_before_id");
  return Response::Json(200, w.Finish());
}

Response Api::Histogram(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"since", "until", "attacker", "decky", "service", "event_type", "q", "bucket"});
      !st) {
    return BadRequest(st.error());
  }
  auto q = ParseLogQuery(req);
  if (!q) return BadRequest(q.error());
  auto bucket = IntParam(req, "bucket", 3600, 60, 2592000);
  if (!bucket) return BadRequest(bucket.error());
  auto h = repo_.LogHistogram(*q, *bucket);
  if (!h) return DbError(h.error());
  std::vector<std::string> items;
  for (const auto& b : *h) {
    json::JsonWriter w;
    w.Str("start", IsoTime(b.bucket_start_us)).Int("t", b.bucket_start_us / 1000000).Int("count", b.count);
    items.push_back(w.Finish());
  }
  json::JsonWriter w;
  w.Int("bucket_s", *bucket).Raw("buckets", JoinArray(items));
  return Response::Json(200, w.Finish());
}

namespace {
// cursor = "<key>,<ip>" where key is last_seen_us or the score of the previous page's last row.
Status ParseCursor(const Request& req, storage::AttackerQuery& q) {
  auto c = req.Query("cursor");
  if (!c || c->empty()) return Ok();
  size_t comma = c->find(',');
  std::string_view bad = "parameter 'cursor' must be the next_cursor of a previous page";
  if (comma == std::string::npos) return MakeError(Errc::kInvalidArgument, std::string(bad));
  char* end = nullptr;
  std::string key = c->substr(0, comma);
  double v = std::strtod(key.c_str(), &end);
  if (key.empty() || *end != '\0' || !std::isfinite(v) || !IsIp(c->substr(comma + 1))) {
    return MakeError(Errc::kInvalidArgument, std::string(bad));
  }
  q.after_key = v;
  q.after_ip = c->substr(comma + 1);
  return Ok();
}

std::string CursorOf(const storage::AttackerRow& a, storage::AttackerOrder order) {
  std::string key;
  if (order == storage::AttackerOrder::kScore) json::AppendDouble(key, a.score);
  else key = std::to_string(a.last_seen_us);
  return key + "," + a.ip;
}
}  // namespace

Response Api::ListAttackers(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"order", "search", "cursor", "limit"}); !st) return BadRequest(st.error());
  storage::AttackerQuery q;
  auto order = ChoiceParam(req, "order", {"last_seen", "score"}, "last_seen");
  if (!order) return BadRequest(order.error());
  q.order = *order == "score" ? storage::AttackerOrder::kScore : storage::AttackerOrder::kLastSeen;
  auto search = TextParam(req, "search", 64);
  if (!search) return BadRequest(search.error());
  q.search = *search;
  auto limit = IntParam(req, "limit", 50, 1, 1000);
  if (!limit) return BadRequest(limit.error());
  q.limit = static_cast<int>(*limit);
  if (auto st = ParseCursor(req, q); !st) return BadRequest(st.error());
  auto page = repo_.QueryAttackers(q);
  if (!page) return DbError(page.error());
  std::vector<std::string> items;
  for (const auto& a : page->rows) {
    json::JsonWriter w;
    AttackerFields(w, a);
    items.push_back(w.Finish());
  }
  json::JsonWriter w;
  w.Raw("items", JoinArray(items));
  if (page->more && !page->rows.empty()) w.Str("next_cursor", CursorOf(page->rows.back(), q.order));
  else w.Null("next_cursor");
  return Response::Json(200, w.Finish());
}

Response Api::ExportAttackers(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"format", "order"}); !st) return BadRequest(st.error());
  auto format = ChoiceParam(req, "format", {"json", "csv"}, "json");
  if (!format) return BadRequest(format.error());
  auto order = ChoiceParam(req, "order", {"last_seen", "score"}, "last_seen");
  if (!order) return BadRequest(order.error());
  storage::AttackerQuery q;
  q.order = *order == "score" ? storage::AttackerOrder::kScore : storage::AttackerOrder::kLastSeen;
  q.limit = 1000;
  bool csv = *format == "csv";
  std::string out = csv ? "ip,first_seen,last_seen,event_count,score,is_traversal,credential_count,bounty_count,"
                          "services,deckies\r\n"
                        : "[";
  int64_t n = 0;
  for (;;) {
    auto page = repo_.QueryAttackers(q);
    if (!page) return DbError(page.error());
    for (const auto& a : page->rows) {
      if (n >= opts_.max_export_rows) break;
      if (csv) {
        CsvCell(out, a.ip);
        out += ',' + IsoTime(a.first_seen_us) + ',' + IsoTime(a.last_seen_us) + ',' + std::to_string(a.event_count) + ',';
        json::AppendDouble(out, a.score);
        out += a.is_traversal ? ",true," : ",false,";
        out += std::to_string(a.credential_count) + ',' + std::to_string(a.bounty_count) + ',';
        CsvCell(out, a.services);
        out += ',';
        CsvCell(out, a.deckies);
        out += "\r\n";
      } else {
        json::JsonWriter w;
        AttackerFields(w, a);
        w.Raw("fingerprints", JsonCol(a.fingerprints)).Raw("commands", JsonCol(a.commands));
        if (n > 0) out += ',';
        out += w.Finish();
      }
      ++n;
    }
    if (!page->more || page->rows.empty() || n >= opts_.max_export_rows) break;
    const auto& last = page->rows.back();
    q.after_key = q.order == storage::AttackerOrder::kScore ? last.score : static_cast<double>(last.last_seen_us);
    q.after_ip = last.ip;
  }
  Response r;
  if (n >= opts_.max_export_rows) r.headers.emplace_back("X-Export-Truncated", std::to_string(n));
  if (csv) {
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"attackers.csv\"");
  } else {
    out += ']';
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"attackers.json\"");
  }
  r.body = std::move(out);
  return r;
}

Response Api::GetAttacker(Request& req, const Params& params, const Session&) {
  if (auto st = CheckKnownParams(req, {}); !st) return BadRequest(st.error());
  const std::string& ip = params.at("ip");
  if (!IsIp(ip)) return Response::Error(400, "attacker must be an IPv4 or IPv6 address");
  auto a = repo_.GetAttacker(ip);
  if (!a) return DbError(a.error());
  if (!a->has_value()) return Response::Error(404, "no such attacker");
  json::JsonWriter w;
  AttackerFields(w, **a);
  w.Raw("fingerprints", JsonCol((*a)->fingerprints)).Raw("commands", JsonCol((*a)->commands));
  auto b = repo_.GetAttackerBehavior(ip);
  if (!b) return DbError(b.error());
  if (b->has_value()) {
    const auto& x = **b;
    json::JsonWriter bw;
    bw.Str("os_guess", x.os_guess).Int("hop_distance", x.hop_distance).Raw("tcp_fingerprint", JsonCol(x.tcp_fingerprint));
    bw.Int("retransmit_count", x.retransmit_count).Str("behavior_class", x.behavior_class);
    bw.Double("beacon_interval_s", x.beacon_interval_s).Double("beacon_jitter_pct", x.beacon_jitter_pct);
    bw.Raw("tool_guesses", JsonCol(x.tool_guesses)).Raw("timing_stats", JsonCol(x.timing_stats));
    bw.Raw("phase_sequence", JsonCol(x.phase_sequence));
    w.Raw("behavior", bw.Finish());
  } else {
    w.Null("behavior");
  }
  auto creds = repo_.ListCredentials(ip, 0, 100);
  if (!creds) return DbError(creds.error());
  std::vector<std::string> ci;
  for (const auto& c : *creds) ci.push_back(CredentialJson(c));
  w.Raw("credentials", JoinArray(ci));
  auto bounty = repo_.ListBounty(ip, "", 0, 100);
  if (!bounty) return DbError(bounty.error());
  std::vector<std::string> bi;
  for (const auto& x : *bounty) bi.push_back(BountyJson(x));
  w.Raw("bounty", JoinArray(bi));
  return Response::Json(200, w.Finish());
}

Response Api::ListCredentials(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"attacker", "before_id", "limit"}); !st) return BadRequest(st.error());
  auto ip = IpParam(req, "attacker");
  if (!ip) return BadRequest(ip.error());
  auto before = IntParam(req, "before_id", 0, 0, INT64_MAX);
  if (!before) return BadRequest(before.error());
  auto limit = IntParam(req, "limit", 100, 1, 1000);
  if (!limit) return BadRequest(limit.error());
  auto rows = repo_.ListCredentials(*ip, *before, static_cast<int>(*limit));
  if (!rows) return DbError(rows.error());
  std::vector<std::string> items;
  for (const auto& c : *rows) items.push_back(CredentialJson(c));
  json::JsonWriter w;
  w.Raw("items", JoinArray(items));
  if (static_cast<int64_t>(rows->size()) == *limit) w.Int("next_before_id", rows->back().id);
  else w.Null("next_before_id");
  return Response::Json(200, w.Finish());
}

Response Api::ListReuse(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"before_id", "limit"}); !st) return BadRequest(st.error());
  auto before = IntParam(req, "before_id", 0, 0, INT64_MAX);
  if (!before) return BadRequest(before.error());
  auto limit = IntParam(req, "limit", 100, 1, 1000);
  if (!limit) return BadRequest(limit.error());
  auto rows = repo_.ListCredentialReuse(*before, static_cast<int>(*limit));
  if (!rows) return DbError(rows.error());
  std::vector<std::string> items;
  for (const auto& r : *rows) {
    json::JsonWriter w;
    w.Int("id", r.id).Str("username", r.username).Str("secret_kind", r.secret_kind).Str("secret", r.secret);
    w.Int("target_count", r.target_count).Int("attempt_count", r.attempt_count);
    w.Raw("attacker_ips", JsonCol(r.attacker_ips)).Raw("deckies", JsonCol(r.deckies));
    w.Raw("services", JsonCol(r.services)).Str("first_seen", IsoTime(r.first_seen_us));
    w.Str("last_seen", IsoTime(r.last_seen_us));
    items.push_back(w.Finish());
  }
  json::JsonWriter w;
  w.Raw("items", JoinArray(items));
  if (static_cast<int64_t>(rows->size()) == *limit) w.Int("next_before_id", rows->back().id);
  else w.Null("next_before_id");
  return Response::Json(200, w.Finish());
}

Response Api::ListBounty(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"attacker", "type", "before_id", "limit"}); !st) return BadRequest(st.error());
  auto ip = IpParam(req, "attacker");
  if (!ip) return BadRequest(ip.error());
  auto type = TextParam(req, "type", 64);
  if (!type) return BadRequest(type.error());
  auto before = IntParam(req, "before_id", 0, 0, INT64_MAX);
  if (!before) return BadRequest(before.error());
  auto limit = IntParam(req, "limit", 100, 1, 1000);
  if (!limit) return BadRequest(limit.error());
  auto rows = repo_.ListBounty(*ip, *type, *before, static_cast<int>(*limit));
  if (!rows) return DbError(rows.error());
  std::vector<std::string> items;
  for (const auto& b : *rows) items.push_back(BountyJson(b));
  json::JsonWriter w;
  w.Raw("items", JoinArray(items));
  if (static_cast<int64_t>(rows->size()) == *limit) w.Int("next_before_id", rows->back().id);
  else w.Null("next_before_id");
  return Response::Json(200, w.Finish());
}

namespace {
std::string DeckyJson(const storage::DeckyRow& d) {
  json::JsonWriter w;
  w.Str("name", d.name).Str("topology_id", d.topology_id).Str("ip", d.ip).Str("state", d.state);
  w.Str("updated_at", IsoTime(d.updated_at_us)).Raw("config", JsonCol(d.json));
  return w.Finish();
}
void TopologyFields(json::JsonWriter& w, const storage::TopologyRow& t) {
  w.Str("id", t.id).Str("name", t.name).Str("hash", t.hash).Str("status", t.status);
  w.Str("created_at", IsoTime(t.created_at_us));
}
}  // namespace

Response Api::ListDeckies(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {"topology"}); !st) return BadRequest(st.error());
  auto topo = TextParam(req, "topology", 64);
  if (!topo) return BadRequest(topo.error());
  auto rows = repo_.ListDeckies(*topo);
  if (!rows) return DbError(rows.error());
  std::vector<std::string> items;
  for (const auto& d : *rows) items.push_back(DeckyJson(d));
  json::JsonWriter w;
  w.Raw("items", JoinArray(items));
  return Response::Json(200, w.Finish());
}

Response Api::ListTopologies(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {}); !st) return BadRequest(st.error());
  auto rows = repo_.ListTopologies();
  if (!rows) return DbError(rows.error());
  std::vector<std::string> items;
  for (const auto& t : *rows) {
    json::JsonWriter w;
    TopologyFields(w, t);
    items.push_back(w.Finish());
  }
  json::JsonWriter w;
  w.Raw("items", JoinArray(items));
  return Response::Json(200, w.Finish());
}

Response Api::GetTopology(Request& req, const Params& params, const Session&) {
  if (auto st = CheckKnownParams(req, {}); !st) return BadRequest(st.error());
  const std::string& id = params.at("id");
  if (id.size() > 64) return Response::Error(400, "topology id too long");
  auto t = repo_.GetTopology(id);
  if (!t) return DbError(t.error());
  if (!t->has_value()) return Response::Error(404, "no such topology");
  auto deckies = repo_.ListDeckies(id);
  if (!deckies) return DbError(deckies.error());
  std::vector<std::string> items;
  for (const auto& d : *deckies) items.push_back(DeckyJson(d));
  json::JsonWriter w;
  TopologyFields(w, **t);
  w.Raw("document", JsonCol((*t)->json)).Raw("deckies", JoinArray(items));
  return Response::Json(200, w.Finish());
}

Response Api::ListWorkers(Request& req, const Params&, const Session&) {
  if (auto st = CheckKnownParams(req, {}); !st) return BadRequest(st.error());
  return Response::Json(200, workers_.ToJson(clock_()));
}

Response Api::StopWorker(Request&, const Params& params, const Session& s) {
  const std::string& name = params.at("name");
  if (!ValidWorkerName(name)) return Response::Error(400, "worker name must be 1-32 of [a-z0-9_-]");
  publish_("system." + name + ".control", "control", R"({"action":"stop"})");
  DLOG_NOTICE("user %s asked worker %s to stop", s.claims.username.c_str(), name.c_str());
  json::JsonWriter w;
  w.Bool("ok", true).Str("topic", "system." + name + ".control");
  return Response::Json(202, w.Finish());
}

Response Api::StreamTicket(Request& req, const Params&, const Session& s) {
  if (auto st = CheckKnownParams(req, {}); !st) return BadRequest(st.error());
  int64_t now = static_cast<int64_t>(clock_());
  if (tickets_.size() >= opts_.max_stream_tickets) {
    for (auto it = tickets_.begin(); it != tickets_.end();) {
      it = it->second.expires <= now ? tickets_.erase(it) : std::next(it);
    }
  }
  if (tickets_.size() >= opts_.max_stream_tickets) {
    busy_refused_++;
    Response r = Response::Error(503, "too many outstanding stream tickets; try again");
    r.headers.emplace_back("Retry-After", std::to_string(opts_.stream_ticket_ttl_s));
    return r;
  }
  std::string ticket = http::RandomHex(16);
  tickets_[ticket] = Ticket{s.claims.sub, s.claims.ver, s.claims.exp, now + opts_.stream_ticket_ttl_s};
  json::JsonWriter w;
  w.Str("ticket", ticket).Int("expires_in", opts_.stream_ticket_ttl_s);
  return Response::Json(200, w.Finish());
}

Response Api::Stream(Request& req, const Params&, const Session&) {
  auto unauthorized = [](std::string_view why) {
    Response r = Response::Error(401, why);
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  };
  // A bearer token in the URL would end up in access logs and browser history; the ticket it buys
  // is good once, for a few seconds.
  if (auto st = CheckKnownParams(req, {"ticket"}); !st) return unauthorized("a stream ticket is required");
  auto id = req.Query("ticket");
  if (!id || id->empty()) return unauthorized("a stream ticket is required (POST /api/v1/stream/ticket)");
  auto it = tickets_.find(*id);
  if (it == tickets_.end()) return unauthorized("unknown or used stream ticket");
  Ticket t = it->second;
  tickets_.erase(it);  // single use
  int64_t now = static_cast<int64_t>(clock_());
  if (t.expires <= now || t.token_exp <= now) return unauthorized("stream ticket expired");
  std::string tag = t.uuid + ":" + std::to_string(t.ver);
  if (!StreamStillValid(tag)) return unauthorized("token revoked");
  Response r;
  r.sse = true;
  r.sse_tag = std::move(tag);
  r.sse_lifetime_ms = static_cast<uint64_t>(t.token_exp - now) * 1000;  // ends with the token
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = "retry: 3000\n: connected\n\n";
  return r;
}

std::string Api::StreamTagUser(const std::string& tag) { return tag.substr(0, tag.rfind(':')); }

bool Api::StreamStillValid(const std::string& tag) {
  size_t colon = tag.rfind(':');
  if (colon == std::string::npos) return false;
  auto user = repo_.GetUserByUuid(tag.substr(0, colon));
  if (!user) return true;  // the DB is away: keep the stream, the next sweep decides
  return user->has_value() && std::to_string((*user)->token_version) == tag.substr(colon + 1);
}

void Api::OnHealth(const std::string& topic, const std::string& payload_json) {
  // system.<name>.health
  if (topic.size() < 15 || topic.rfind("system.", 0) != 0) return;
  std::string name = topic.substr(7, topic.size() - 7 - 7);
  if (!ValidWorkerName(name)) return;
  workers_.OnHealth(name, payload_json, clock_());
}

// ---- OpenAPI ----------------------------------------------------------------------------------------

std::string Api::OpenApiJson() const {
  std::map<std::string, std::vector<const Route*>> by_path;
  for (const auto& r : routes_) by_path[r.pattern].push_back(&r);
  std::string paths = "{";
  for (const auto& [pattern, rs] : by_path) {
    if (paths.size() > 1) paths += ',';
    json::AppendQuoted(paths, pattern);
    paths += ":{";
    bool first = true;
    for (const Route* r : rs) {
      if (!first) paths += ',';
      first = false;
      std::string method = r->method;
      for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      json::AppendQuoted(paths, method);
      std::vector<std::string> params;
      for (const auto& seg : SplitPath(pattern)) {
        if (seg.size() > 2 && seg.front() == '{') {
          json::JsonWriter p;
          p.Str("name", seg.substr(1, seg.size() - 2)).Str("in", "path").Bool("required", true);
          p.Raw("schema", R"({"type":"string"})");
          params.push_back(p.Finish());
        }
      }
      for (const auto& [name, desc] : r->query) {
        json::JsonWriter p;
        p.Str("name", name).Str("in", "query").Bool("required", false).Str("description", desc);
        p.Raw("schema", R"({"type":"string"})");
        params.push_back(p.Finish());
      }
      json::JsonWriter op;
      op.Str("summary", r->summary).Raw("parameters", JoinArray(params));
      if (r->ticket_auth) op.Raw("security", "[]").Str("x-auth", "single-use ticket (query parameter)");
      else if (r->auth) op.Raw("security", R"([{"bearer":[]}])");
      else op.Raw("security", "[]");
      if (r->admin) op.Str("x-required-role", "admin");
      op.Raw("responses", R"({"200":{"description":"OK"},"400":{"description":"bad parameter"},)"
                          R"("401":{"description":"authentication required"}})");
      paths += ':';
      paths += op.Finish();
    }
    paths += '}';
  }
  paths += '}';
  json::JsonWriter doc;
  doc.Str("openapi", "3.0.3").Raw("info", R"({"title":"DECNET API","version":"1"})").Raw("paths", paths);
  doc.Raw("components", R"({"securitySchemes":{"bearer":{"type":"http","scheme":"bearer","bearerFormat":"JWT"}}})");
  return doc.Finish();
}

}  // namespace decnet::api
