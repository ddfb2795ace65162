// A small HTTP/1.1 server on a libuv loop: keep-alive, pipelining, bounded requests, timeouts for slow
// clients, a bounded number of connections, and Server-Sent Events.
//
// Handlers run on the loop thread. A plain Handler returns its Response; an AsyncHandler gets a
// Responder it may call later (after work on another thread, say): until then the connection reads
// nothing more (pipelined bytes wait, bounded by one read), and a Responder whose connection has gone
// is a no-op. A Response with sse=true turns the connection into an event stream; SseBroadcast() then
// writes to every such stream. A stream whose client does not read is dropped once its unsent bytes
// pass sse_max_pending_bytes (counted in stats); a stream with sse_lifetime_ms is closed when that
// runs out, and CloseSseStreams() closes the streams whose tag a predicate names.
//
// Every response, error answers of the server itself included, carries default_headers (the
// security headers) unless the handler set a header of the same name.
//
// Lifetimes: the Server owns its libuv handles; Close() closes them all and calls `done` when the last
// close callback ran. Destroying a Server that is still open aborts (close it first).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/http/request.h"
#include "decnet/http/request_parser.h"

namespace decnet::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                        // 0: pick a free port (see Server::port())
  size_t max_connections = 256;           // beyond this, new connections get 503 and are closed
  // Open connections from one source (IPv4 address, IPv6 /64; SourceKey()); past it a new one is
  // closed at once, so one client cannot fill max_connections and lock everyone else out.
  size_t max_connections_per_source = 32;
  ParserLimits limits;
  uint64_t request_timeout_ms = 10000;    // a started request must complete within this (slowloris)
  uint64_t idle_timeout_ms = 30000;       // keep-alive connection with no request in progress
  size_t max_pending_write_bytes = 16 << 20;  // a non-SSE client that stops reading is closed past this
  size_t max_sse_streams = 64;
  size_t sse_max_pending_bytes = 256 * 1024;
  uint64_t sse_keepalive_ms = 15000;      // comment line so proxies and clients see the stream alive
  std::vector<std::pair<std::string, std::string>> default_headers = {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"},
      {"Referrer-Policy", "no-referrer"},
  };
};

struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_rejected = 0;  // over max_connections
  uint64_t connections_rejected_per_source = 0;  // over max_connections_per_source
  uint64_t requests = 0;
  uint64_t bad_requests = 0;          // parser errors (4xx sent, connection closed)
  uint64_t timeouts = 0;              // request or idle timeouts
  uint64_t sse_events = 0;            // events written to streams (per stream)
  uint64_t sse_dropped_streams = 0;   // streams closed because their client fell behind
  uint64_t sse_oversize_events = 0;   // events larger than sse_max_pending_bytes, not sent
  uint64_t sse_rejected = 0;          // over max_sse_streams
  uint64_t sse_expired = 0;           // streams closed at their sse_lifetime_ms
  uint64_t sse_revoked = 0;           // streams closed by CloseSseStreams()
  uint64_t deferred = 0;              // responses an AsyncHandler gave later
  uint64_t deferred_orphaned = 0;     // ... after their connection had gone
  uint64_t open_connections = 0;
  uint64_t open_sse_streams = 0;
};

class Server;

// Sends the response to one request, once; later calls and calls after the connection closed are
// no-ops. Copyable; call on the loop thread only. Must not outlive the Server.
class Responder {
 public:
  Responder() = default;
  void operator()(Response resp) const;

 private:
  friend class Server;
  Responder(Server* s, uint64_t conn_id) : server_(s), conn_id_(conn_id) {}
  Server* server_ = nullptr;
  uint64_t conn_id_ = 0;
};

class Server {
 public:
  using Handler = std::function<Response(Request&)>;
  using AsyncHandler = std::function<void(Request&, Responder)>;

  Server(uv_loop_t* loop, ServerOptions opts, Handler handler);
  Server(uv_loop_t* loop, ServerOptions opts, AsyncHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Errors name the address.
  Status Listen();
  // The bound port (useful with port 0).
  int port() const { return bound_port_; }
  // Closes the listener and every connection. `done` runs after the last handle closed.
  void Close(std::function<void()> done = {});

  // Writes "event: <event>\ndata: <data>\n\n" to every SSE stream (no event line when `event` is empty,
  // so browsers deliver it to EventSource.onmessage). `data` must not contain newlines
  // (JSON from JsonWriter never does); any newline is replaced by a space.
  void SseBroadcast(std::string_view event, std::string_view data);
  // Closes every SSE stream whose Response::sse_tag makes `close` return true; returns how many.
  size_t CloseSseStreams(const std::function<bool(const std::string& tag)>& close);

  const ServerStats& stats() const { return stats_; }

  struct Conn;  // internal

 private:
  friend struct ServerAccess;
  friend class Responder;
  static void OnConnection(uv_stream_t* srv, int status);
  void Accept();
  void CloseConn(Conn* c);
  void OnRead(Conn* c, ssize_t nread, const uv_buf_t* buf);
  void Consume(Conn* c, const char* p, size_t left);
  void Process(Conn* c);
  void Complete(uint64_t conn_id, Response resp);
  void Send(Conn* c, Response& resp);
  void StartReading(Conn* c);
  void Write(Conn* c, std::string data);
  void SendError(Conn* c, int status, std::string_view message);
  void ArmTimer(Conn* c, uint64_t ms);
  void MaybeFinishClose();

  uv_loop_t* loop_;
  ServerOptions opts_;
  AsyncHandler handler_;
  std::unordered_map<uint64_t, Conn*> awaiting_;  // connections whose response is outstanding
  std::unordered_map<std::string, size_t> per_source_;  // SourceKey -> open connections
  uint64_t next_conn_id_ = 1;
  uv_tcp_t* listener_ = nullptr;
  std::unique_ptr<uv_timer_t> sse_timer_;
  Conn* conns_ = nullptr;  // intrusive list of live connections
  int bound_port_ = 0;
  bool closing_ = false;
  int pending_closes_ = 0;
  std::function<void()> on_closed_;
  ServerStats stats_;
};

}  // namespace decnet::http
