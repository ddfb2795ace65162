// A small HTTP/1.1 server on a libuv loop: keep-alive, pipelining, bounded requests, timeouts for slow
// clients, a bounded number of connections, and Server-Sent Events.
//
// Handlers run synchronously on the loop thread and return a Response. A Response with sse=true turns the
// connection into an event stream; SseBroadcast() then writes to every such stream. A stream whose client
// does not read is dropped once its unsent bytes pass sse_max_pending_bytes (counted in stats).
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

#include "decnet/core/result.h"
#include "decnet/http/request.h"
#include "decnet/http/request_parser.h"

namespace decnet::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                        // 0: pick a free port (see Server::port())
  size_t max_connections = 256;           // beyond this, new connections get 503 and are closed
  ParserLimits limits;
  uint64_t request_timeout_ms = 10000;    // a started request must complete within this (slowloris)
  uint64_t idle_timeout_ms = 30000;       // keep-alive connection with no request in progress
  size_t max_pending_write_bytes = 16 << 20;  // a non-SSE client that stops reading is closed past this
  size_t max_sse_streams = 64;
  size_t sse_max_pending_bytes = 256 * 1024;
  uint64_t sse_keepalive_ms = 15000;      // comment line so proxies and clients see the stream alive
};

struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_rejected = 0;  // over max_connections
  uint64_t requests = 0;
  uint64_t bad_requests = 0;          // parser errors (4xx sent, connection closed)
  uint64_t timeouts = 0;              // request or idle timeouts
  uint64_t sse_events = 0;            // events written to streams (per stream)
  uint64_t sse_dropped_streams = 0;   // streams closed because their client fell behind
  uint64_t sse_rejected = 0;          // over max_sse_streams
  uint64_t open_connections = 0;
  uint64_t open_sse_streams = 0;
};

class Server {
 public:
  using Handler = std::function<Response(Request&)>;

  Server(uv_loop_t* loop, ServerOptions opts, Handler handler);
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

  const ServerStats& stats() const { return stats_; }

  struct Conn;  // internal

 private:
  friend struct ServerAccess;
  static void OnConnection(uv_stream_t* srv, int status);
  void Accept();
  void CloseConn(Conn* c);
  void OnRead(Conn* c, ssize_t nread, const uv_buf_t* buf);
  void Process(Conn* c);
  void Write(Conn* c, std::string data);
  void SendError(Conn* c, int status, std::string_view message);
  void ArmTimer(Conn* c, uint64_t ms);
  void MaybeFinishClose();

  uv_loop_t* loop_;
  ServerOptions opts_;
  Handler handler_;
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
