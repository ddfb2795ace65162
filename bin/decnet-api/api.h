// The REST API under /api/v1: a route table (method, path pattern, auth, summary, parameters) dispatched by
// Api::Handle. The OpenAPI document is generated from the same table, so it cannot drift from the routes;
// tests check that every documented operation answers (not 404) and requires auth where it says so.
//
// Api holds no sockets: the worker wires it to an http::Server (Handle), the bus (publish for worker
// control, OnBusEvent for SSE and the worker registry) and the DB (a storage::Repository).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decnet/http/auth.h"
#include "decnet/http/request.h"
#include "decnet/http/static_files.h"
#include "decnet/storage/repository.h"
#include "worker_registry.h"

namespace decnet::api {

struct ApiOptions {
  std::string jwt_secret;                 // REQUIRED, non-empty
  int64_t token_ttl_s = 8 * 3600;
  std::vector<std::string> cors_origins;  // empty: CORS closed
  size_t login_max_sources = 4096;
  int login_max_attempts = 10;            // per source per window
  int64_t login_window_s = 60;
  size_t max_revoked_tokens = 10000;
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

  Api(storage::Repository& repo, ApiOptions opts, Publish publish, Clock clock);

  // Answers one request (routes under /api/v1, /healthz, the dashboard). Never throws.
  http::Response Handle(http::Request& req);

  // Feeds the worker registry from system.*.health (call for every such bus event).
  void OnHealth(const std::string& topic, const std::string& payload_json);
  WorkerRegistry& workers() { return workers_; }

  // Stats for our own health payload.
  uint64_t requests() const { return requests_; }
  uint64_t login_refused() const { return limiter_.refused(); }

  struct Route;  // internal
  using Params = std::map<std::string, std::string>;

  // The OpenAPI 3 document of every route.
  std::string OpenApiJson() const;

 private:
  struct Session {
    http::JwtClaims claims;
  };
  using Handler = http::Response (Api::*)(http::Request&, const Params&, const Session&);

  void BuildRoutes();
  Result<Session> Authenticate(const http::Request& req, bool allow_query_token);
  void AddCors(const http::Request& req, http::Response& resp) const;

  http::Response Login(http::Request&, const Params&, const Session&);
  http::Response Logout(http::Request&, const Params&, const Session&);
  http::Response ChangePassword(http::Request&, const Params&, const Session&);
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
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  storage::Repository& repo_;
  ApiOptions opts_;
  Publish publish_;
  Clock clock_;
  std::vector<Route> routes_;
  http::LoginRateLimiter limiter_;
  std::map<std::string, int64_t> revoked_;  // jti -> exp (bounded by max_revoked_tokens)
  WorkerRegistry workers_;
  std::unique_ptr<http::StaticFiles> web_;
  std::string dummy_hash_;  // verified against for unknown users, so timing does not reveal them
  uint64_t requests_ = 0;
};

}  // namespace decnet::api
