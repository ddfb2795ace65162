// The REST API under /api/v1: a route table (method, path pattern, auth, summary, parameters) dispatched by
// Api::Handle. The OpenAPI document is generated from the same table, so it cannot drift from the routes;
// tests check that every documented operation answers (not 404) and requires auth where it says so.
//
// Api holds no sockets: the worker wires it to an http::Server (Handle), the bus (publish for worker
// control, OnBusEvent for SSE and the worker registry), the DB (a storage::Repository) and a WorkPool
// (Offload) for the Argon2id work.
//
// Sessions (issue 14, finding 7): a token carries its user's token_version (users.token_version in the
// DB), and every request re-reads the user: a token is good only while the user exists and the
// versions match. Logout, a password change and a role change bump the version, so each of them ends
// every token of that user, across restarts. Event streams authenticate with a single-use ticket
// (POST /stream/ticket, valid stream_ticket_ttl_s) instead of a token in the URL, end at the token's
// expiry, and end when their user is revoked (OnRevoked at once when this API revoked; otherwise
// at the next StreamStillValid sweep).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "decnet/api/worker_registry.h"
#include "decnet/http/auth.h"
#include "decnet/http/request.h"
#include "decnet/http/static_files.h"
#include "decnet/storage/repository.h"

namespace decnet::api {

struct ApiOptions {
  std::string jwt_secret;                 // REQUIRED, non-empty
  int64_t token_ttl_s = 8 * 3600;
  std::vector<std::string> cors_origins;  // empty: CORS closed
  // Login: per username (a success forgives only that username) and per source (IPv4 address, IPv6
  // /64; never forgiven by a success), each with its free attempts, then exponential backoff.
  http::ThrottleOptions login_user_throttle{4096, 5, 60, 1, 900};
  http::ThrottleOptions login_source_throttle{4096, 10, 60, 1, 900};
  // Password changes per user (every attempt counts: each costs two Argon2id hashes).
  http::ThrottleOptions password_throttle{4096, 5, 300, 2, 900};
  int64_t stream_ticket_ttl_s = 30;
  size_t max_stream_tickets = 256;        // outstanding (unused, unexpired) tickets
  // Host header values accepted ("127.0.0.1:8000", lower-case); empty: any (tests only). Refuses
  // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
  std::vector<std::string> allowed_hosts;
  // The export is built in memory (~450 bytes a row): 20 k rows is ~9 MB, under the server's per-connection
  // unsent-bytes bound. Past the cap the response carries X-Export-Truncated.
  int64_t max_export_rows = 20000;
  std::string web_root;                   // dashboard assets; empty: no dashboard
  std::vector<std::string> known_workers;
};

class Api {
 public:
  using Publish = std::function<void(const std::string& topic, const std::string& type, const std::string& json)>;
  using Clock = std::function<double()>;  // epoch seconds
  using Respond = std::function<void(http::Response)>;
  // Runs `work` off the loop and `done` on it afterwards (WorkPool::Submit); false: busy, nothing ran.
  // Empty: both run inline (tests).
  using Offload = std::function<bool(std::function<void()> work, std::function<void()> done)>;

  Api(storage::Repository& repo, ApiOptions opts, Publish publish, Clock clock, Offload offload = {});

  // Answers one request (routes under /api/v1, /healthz, the dashboard) through `respond`, at once or
  // (login, password change) after the offloaded work. `req` is read only during the call. Never throws.
  void Handle(http::Request& req, Respond respond);
  // Handle() for callers that need the answer now; REQUIRES an inline Offload (tests).
  http::Response HandleNow(http::Request& req);

  // Called with the user's uuid whenever this API revoked that user's tokens (logout, password change):
  // the worker closes the user's streams (http::Server::CloseSseStreams with StreamTagUser).
  void OnRevoked(std::function<void(const std::string& uuid)> fn) { on_revoked_ = std::move(fn); }
  // For the periodic sweep of open streams: false once the stream's user is gone or revoked.
  bool StreamStillValid(const std::string& sse_tag);
  // The user uuid in a stream's tag.
  static std::string StreamTagUser(const std::string& sse_tag);
  void SetAllowedHosts(std::vector<std::string> hosts) { opts_.allowed_hosts = std::move(hosts); }

  // Feeds the worker registry from system.*.health (call for every such bus event).
  void OnHealth(const std::string& topic, const std::string& payload_json);
  WorkerRegistry& workers() { return workers_; }

  // Stats for our own health payload.
  uint64_t requests() const { return requests_; }
  uint64_t login_refused() const { return user_throttle_.refused() + source_throttle_.refused(); }
  uint64_t busy_refused() const { return busy_refused_; }
  uint64_t host_refused() const { return host_refused_; }

  struct Route;  // internal
  using Params = std::map<std::string, std::string>;

  // The OpenAPI 3 document of every route.
  std::string OpenApiJson() const;

 private:
  struct Session {
    http::JwtClaims claims;  // username, role, must_change_password as the DB says now
  };
  using Handler = http::Response (Api::*)(http::Request&, const Params&, const Session&);
  using AsyncHandler = void (Api::*)(http::Request&, const Params&, const Session&, Respond);

  void BuildRoutes();
  Result<Session> Authenticate(const http::Request& req);
  bool HostAllowed(const http::Request& req) const;
  std::string MintToken(const storage::UserRow& u, int64_t now) const;
  void Revoked(const std::string& uuid);
  void Offloaded(std::function<void()> work, std::function<void()> done, const Respond& respond);

  void Login(http::Request&, const Params&, const Session&, Respond);
  void ChangePassword(http::Request&, const Params&, const Session&, Respond);
  http::Response Logout(http::Request&, const Params&, const Session&);
  http::Response Me(http::Request&, const Params&, const Session&);
  http::Response Health(http::Request&, const Params&, const Session&);
  http::Response OpenApi(http::Request&, const Params&, const Session&);
  http::Response GetStats(http::Request&, const Params&, const Session&);
  http::Response ListLogs(http::Request&, const Params&, const Session&);
  http::Response Histogram(http::Request&, const Params&, const Session&);
  http::Response ListAttackers(http::Request&, const Params&, const Session&);
  http::Response ExportAttackers(http::Request&, const Params&, const Session&);
  http::Response GetAttacker(http::Request&, const Params&, const Session&);
  http::Response ListCredentials(http::Request&, const Params&, const Session&);
  http::Response ListReuse(http::Request&, const Params&, const Session&);
  http::Response ListBounty(http::Request&, const Params&, const Session&);
  http::Response ListDeckies(http::Request&, const Params&, const Session&);
  http::Response ListTopologies(http::Request&, const Params&, const Session&);
  http::Response GetTopology(http::Request&, const Params&, const Session&);
  http::Response ListWorkers(http::Request&, const Params&, const Session&);
  http::Response StopWorker(http::Request&, const Params&, const Session&);
  http::Response StreamTicket(http::Request&, const Params&, const Session&);
  http::Response Stream(http::Request&, const Params&, const Session&);

 public:
  struct Route {
    std::string method;
    std::string pattern;  // "/api/v1/attackers/{ip}"
    bool auth;
    std::string summary;
    std::vector<std::pair<std::string, std::string>> query;  // name, description
    Handler handler;
    bool admin = false;
    AsyncHandler async_handler = nullptr;  // instead of handler
    bool ticket_auth = false;              // auth by ?ticket= (the event stream), not a bearer token
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Ticket {
    std::string uuid;
    int64_t ver = 0;
    int64_t token_exp = 0;
    int64_t expires = 0;
  };

  storage::Repository& repo_;
  ApiOptions opts_;
  Publish publish_;
  Clock clock_;
  Offload offload_;
  std::vector<Route> routes_;
  http::Throttle user_throttle_, source_throttle_, password_throttle_;
  std::unordered_map<std::string, Ticket> tickets_;  // bounded by max_stream_tickets
  std::function<void(const std::string&)> on_revoked_;
  WorkerRegistry workers_;
  std::unique_ptr<http::StaticFiles> web_;
  std::string dummy_hash_;  // verified against for unknown users, so timing does not reveal them
  uint64_t requests_ = 0;
  uint64_t busy_refused_ = 0;
  uint64_t host_refused_ = 0;
};

}  // namespace decnet::api
