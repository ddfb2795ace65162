// decnet-api: the REST API, the live event stream (SSE) and the dashboard. Flags and wiring only: the
// HTTP server is libdecnet/http, the routes, sessions and the Argon2id pool are libdecnet/api, the data
// comes from libdecnet/storage and the bus.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "decnet/api/api.h"
#include "decnet/api/work_pool.h"
#include "decnet/bus/worker.h"
#include "decnet/core/config.h"
#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/core/paths.h"
#include "decnet/http/server.h"
#include "decnet/storage/repository.h"

namespace {

using namespace decnet;

// The dashboard bundle: <exe dir>/../web (build tree and /usr/lib layouts), else
// /usr/share/decnet/web.
std::string DefaultWebRoot() {
  if (const std::string dir = SelfExeDir(); !dir.empty()) {
    std::string candidate = dir + "/../web";
    if (access((candidate + "/index.html").c_str(), R_OK) == 0) return candidate;
  }
  return "/usr/share/decnet/web";
}

bool SplitHostPort(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  char* end = nullptr;
  long p = std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535) return false;
  *port = static_cast<int>(p);
  return !host->empty();
}

// The packaged unit passes the secret as a systemd credential (LoadCredential=jwt_secret:...), so it
// is never in the environment of this or any other worker (issue 14, finding 2): systemd copies the
// root-only file into $CREDENTIALS_DIRECTORY, readable by this unit's user alone. Returns "" when
// there is no such credential; trailing whitespace (the file's newline) is not part of the secret.
constexpr const char* kJwtCredential = "jwt_secret";
std::string CredentialSecret() {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') return "";
  const std::string path = std::string(dir) + "/" + kJwtCredential;
  FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return "";
  char buf[4096];  // a secret is 64 hex characters; more than this is not a secret file
  size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) --n;
  return std::string(buf, n);
}

// The Host header values the API answers: each name of `names` with ":<port>" unless it names its own
// port ("[::1]:8443"), plus the listen address itself when it is a specific one.
std::vector<std::string> AllowedHosts(const std::vector<std::string>& names, const std::string& listen_host,
                                      int port) {
  std::vector<std::string> out;
  auto add = [&](std::string h) {
    for (char& ch : h) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool has_port = h.front() == '[' ? h.find("]:") != std::string::npos : h.find(':') != std::string::npos;
    if (!has_port) {
      if (port == 80) out.push_back(h);  // browsers leave the default port out
      h += ":" + std::to_string(port);
    }
    out.push_back(h);
  };
  for (const auto& n : names) {
    if (!n.empty()) add(n);
  }
  if (listen_host != "0.0.0.0" && listen_host != "::") {
    add(listen_host.find(':') != std::string::npos ? "[" + listen_host + "]" : listen_host);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bus::Worker w("api", "REST API under /api/v1, Server-Sent Events and the dashboard");
  Config& c = w.config();
  c.AddString("listen", "127.0.0.1:8000", "address:port to serve HTTP on");
  c.AddString("jwt_secret", "", "HS256 secret for tokens (required; use DECNET_JWT_SECRET)");
  c.AddInt("token_ttl", 8 * 3600, 60, 30 * 86400, "token lifetime in seconds");
  c.AddString("cors_origins", "", "comma-separated origins allowed by CORS (empty: closed)");
  c.AddString("web_root", "",
              "dashboard assets directory (default: <exe>/../web, then /usr/share/decnet/web)");
  c.AddInt("max_connections", 256, 1, 65536, "open HTTP connections beyond this get 503");
  c.AddInt("max_connections_per_source", 32, 1, 65536,
           "open HTTP connections from one IPv4 address or IPv6 /64; more are refused");
  c.AddString("allowed_hosts", "127.0.0.1,localhost,[::1]",
              "Host header names the API answers (the listen port is appended unless one is given); "
              "others get 421 (DNS rebinding)");
  c.AddInt("max_sse_streams", 64, 0, 4096, "concurrent /stream clients");
  c.AddInt("request_timeout_ms", 10000, 100, 600000, "a request must arrive whole within this");
  c.AddInt("idle_timeout_ms", 30000, 100, 3600000,
           "keep-alive connections idle this long are closed");
  c.AddInt("max_body_bytes", 64 * 1024, 1024, 16 << 20, "request body bound");
  c.AddInt("login_max_attempts", 10, 1, 100000,
           "login attempts per source (IPv4 address, IPv6 /64) before backoff");
  c.AddInt("login_user_max_attempts", 5, 1, 100000,
           "login attempts per username before backoff (only its own success forgives it)");
  c.AddInt("login_window", 60, 1, 86400,
           "seconds without attempts (after the last wait) that restore a login budget");
  c.AddInt("login_max_delay", 900, 1, 86400, "longest login backoff in seconds (it doubles up to this)");
  c.AddInt("password_change_max_attempts", 5, 1, 100000,
           "password changes per user before backoff (each costs two Argon2id hashes)");
  c.AddInt("hash_threads", 1, 1, 64, "threads hashing passwords (Argon2id, ~19 MiB each while busy)");
  c.AddInt("hash_queue", 32, 1, 100000, "logins and password changes queued for hashing; more get 503");
  c.AddInt("db_statement_timeout_ms", 1000, 0, 600000,
           "a DB statement of the API (the log search, say) running longer fails with 503; 0: no limit");
  c.AddInt("stream_ticket_ttl", 30, 1, 3600, "seconds a /stream ticket stays usable");
  c.AddInt("stream_recheck_interval", 10, 1, 3600,
           "seconds between checks that each open event stream's user still exists and is not revoked");
  c.AddInt("max_export_rows", 20000, 1, 100000,
           "rows in one attackers export (built in memory, ~450 B a row)");
#ifndef DECNET_WORKER_NAMES
#define DECNET_WORKER_NAMES "bus,collector,ingester,sniffer,profiler,reuse-correlator,api"
#endif
  // Default: the worker list this build was made from (bin/CMakeLists.txt).
  c.AddString("known_workers", DECNET_WORKER_NAMES,
              "workers listed as 'unknown' until their first heartbeat");
  storage::AddDbConfigKeys(c);
  if (auto code = w.Init(argc, argv)) return *code;

  api::ApiOptions opts;
  opts.jwt_secret = c.String("jwt_secret");
  if (opts.jwt_secret.empty()) opts.jwt_secret = CredentialSecret();
  if (opts.jwt_secret.size() < 16) {
    DLOG_ERROR("jwt_secret is %s: set DECNET_JWT_SECRET (or the systemd credential %s) to at least "
               "16 random characters",
               opts.jwt_secret.empty() ? "not set" : "too short", kJwtCredential);
    return kExitUsage;
  }
  std::string host;
  int port = 0;
  if (!SplitHostPort(c.String("listen"), &host, &port)) {
    DLOG_ERROR("listen '%s' (%s) is not ADDRESS:PORT", c.String("listen").c_str(),
               c.Source("listen").c_str());
    return kExitUsage;
  }
  storage::OpenedDb db = storage::OpenFromConfig(c);
  if (!db.repo) return db.exit_code;
  opts.token_ttl_s = c.Int("token_ttl");
  opts.cors_origins = SplitCommaList(c.String("cors_origins"));
  opts.login_source_throttle.free_attempts = static_cast<int>(c.Int("login_max_attempts"));
  opts.login_user_throttle.free_attempts = static_cast<int>(c.Int("login_user_max_attempts"));
  opts.login_source_throttle.quiet_s = opts.login_user_throttle.quiet_s = c.Int("login_window");
  opts.login_source_throttle.max_delay_s = opts.login_user_throttle.max_delay_s = c.Int("login_max_delay");
  opts.password_throttle.free_attempts = static_cast<int>(c.Int("password_change_max_attempts"));
  opts.stream_ticket_ttl_s = c.Int("stream_ticket_ttl");
  db.repo->SetStatementTimeout(c.Int("db_statement_timeout_ms"));
  opts.max_export_rows = c.Int("max_export_rows");
  opts.web_root = c.String("web_root").empty() ? DefaultWebRoot() : c.String("web_root");
  opts.known_workers = SplitCommaList(c.String("known_workers"));

  // The broker does not deliver a connection's own events back to it, so a stop addressed to this
  // worker is applied here (after a short delay, so the 202 reaches the client first).
  Timer self_stop(w.loop());
  // Argon2id runs here, never on the loop: a login flood costs queue slots, not SSE or /healthz.
  api::WorkPool pool(w.loop(), static_cast<size_t>(c.Int("hash_threads")),
                     static_cast<size_t>(c.Int("hash_queue")));
  api::Api api(
      *db.repo, opts,
      [&w, &self_stop](const std::string& topic, const std::string& type,
                       const std::string& payload) {
        w.bus().Publish(topic, type, payload);
        if (topic == "system." + w.name() + ".control") {
          self_stop.Start(200, 0, [&w] { w.RequestStop(kExitOk); });
        }
      },
      [] { return NowEpoch(); },
      [&pool](std::function<void()> work, std::function<void()> done) {
        return pool.Submit(std::move(work), std::move(done));
      });

  http::ServerOptions so;
  so.host = host;
  so.port = port;
  so.max_connections = static_cast<size_t>(c.Int("max_connections"));
  so.max_connections_per_source = static_cast<size_t>(c.Int("max_connections_per_source"));
  so.max_sse_streams = static_cast<size_t>(c.Int("max_sse_streams"));
  so.request_timeout_ms = static_cast<uint64_t>(c.Int("request_timeout_ms"));
  so.idle_timeout_ms = static_cast<uint64_t>(c.Int("idle_timeout_ms"));
  so.limits.max_body_bytes = static_cast<size_t>(c.Int("max_body_bytes"));
  http::Server server(w.loop(), so, http::Server::AsyncHandler([&api](http::Request& r, http::Responder done) {
                        api.Handle(r, [done](http::Response resp) { done(std::move(resp)); });
                      }));
  if (Status st = server.Listen(); !st) {
    DLOG_ERROR("%s", st.error().message.c_str());
    return kExitFailure;
  }
  api.SetAllowedHosts(AllowedHosts(SplitCommaList(c.String("allowed_hosts")), host, server.port()));
  // Streams end when their user is revoked: at once when this API did it, else at the next sweep
  // (a user deleted or demoted by `decnet user`, another process).
  api.OnRevoked([&server](const std::string& uuid) {
    server.CloseSseStreams([&uuid](const std::string& tag) { return api::Api::StreamTagUser(tag) == uuid; });
  });
  auto stream_sweep = std::make_unique<Timer>(w.loop());
  const uint64_t sweep_ms = static_cast<uint64_t>(c.Int("stream_recheck_interval")) * 1000;
  stream_sweep->Start(sweep_ms, sweep_ms, [&server, &api] {
    if (server.stats().open_sse_streams == 0) return;
    server.CloseSseStreams([&api](const std::string& tag) { return !api.StreamStillValid(tag); });
  });
  stream_sweep->Unref();

  w.bus().Subscribe("system.*.health",
                    [&api](const bus::Event& e) { api.OnHealth(e.topic, e.payload_json); });
  for (const char* pattern : {"attacker.>", "system.log", "credential.>", "decky.>"}) {
    w.bus().Subscribe(pattern, [&server](const bus::Event& e) {
      json::JsonWriter env;
      env.Str("topic", e.topic).Str("type", e.type).Str("id", e.id).Double("ts", e.ts);
      env.Raw("payload",
              e.payload_json.empty() ? std::string_view("{}") : std::string_view(e.payload_json));
      server.SseBroadcast({}, env.Finish());  // unnamed: the topic is in the envelope
    });
  }
  // The broker does not echo our own heartbeat back to us, so record it directly; then sample the
  // fleet.
  auto fleet_timer = std::make_unique<Timer>(w.loop());
  const uint64_t every_ms = static_cast<uint64_t>(c.Int("health_interval")) * 1000;
  auto record = [&api, &w] {
    api.OnHealth("system.api.health", w.HealthJson());
    api.workers().SampleFleet(NowEpoch());
  };
  fleet_timer->Start(every_ms, every_ms, record);
  fleet_timer->Unref();

  w.OnStop([&] {
    fleet_timer.reset();
    stream_sweep.reset();
    self_stop.Stop();
    pool.Close();  // before the server: answers of jobs still running are dropped
    server.Close();
  });
  w.AddHealth([&](json::JsonWriter& j) {
    const http::ServerStats& s = server.stats();
    j.Uint("http_requests", s.requests).Uint("http_bad_requests", s.bad_requests);
    j.Uint("http_open_connections", s.open_connections)
        .Uint("http_rejected", s.connections_rejected)
        .Uint("http_rejected_per_source", s.connections_rejected_per_source);
    j.Uint("http_timeouts", s.timeouts).Uint("sse_streams", s.open_sse_streams);
    j.Uint("sse_dropped_streams", s.sse_dropped_streams).Uint("login_refused", api.login_refused());
    j.Uint("workers_dropped", api.workers().dropped());
    j.Uint("sse_expired", s.sse_expired).Uint("sse_revoked", s.sse_revoked);
    j.Uint("hash_pending", pool.pending()).Uint("hash_rejected", pool.rejected());
    j.Uint("busy_refused", api.busy_refused()).Uint("host_refused", api.host_refused());
  });
  DLOG_NOTICE("dashboard and API on http://%s:%d/ (db %s)", host.c_str(), server.port(),
              db.config.path.c_str());
  w.NotifyReady();
  record();
  return w.Run();
}
