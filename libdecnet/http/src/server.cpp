#include "decnet/http/server.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "decnet/core/log.h"
#include "decnet/http/source.h"

namespace decnet::http {

// One client connection. Owns two handles (tcp, timer); freed when both close callbacks ran. Pending write
// callbacks always run before the tcp close callback (libuv cancels them first), so they may touch it.
struct Server::Conn {
  uv_tcp_t tcp;
  uv_timer_t timer;
  Server* server = nullptr;
  RequestParser parser;
  Conn* prev = nullptr;
  Conn* next = nullptr;
  std::string peer_ip;
  std::string source_key;  // counted in per_source_ while non-empty
  uint64_t id = 0;
  int open_handles = 0;
  bool closing = false;    // uv_close called
  bool draining = false;   // response sent with Connection: close; discard input until EOF
  bool close_after_write = false;
  bool request_timer_armed = false;
  bool sse = false;
  bool awaiting = false;    // the handler has not answered yet; reading is stopped
  bool in_handler = false;  // inside handler_(): an answer now is synchronous
  bool req_keep_alive = true;
  bool req_head = false;
  std::string pending_input;  // pipelined bytes that arrived behind a deferred request (<= one read)
  std::string sse_tag;
  size_t writes_in_flight = 0;

  explicit Conn(ParserLimits limits) : parser(limits) {}
  size_t Pending() const { return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&tcp)); }
};

namespace {

struct WriteReq {
  uv_write_t req;
  std::shared_ptr<const std::string> data;
  Server::Conn* conn;
};

// Reads go through one buffer per thread: the read callback consumes it before the next allocation.
char g_read_buf[64 * 1024];

void AllocCb(uv_handle_t*, size_t, uv_buf_t* buf) { *buf = uv_buf_init(g_read_buf, sizeof g_read_buf); }

std::string PeerIp(uv_tcp_t* tcp) {
  sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    uv_ip4_name(reinterpret_cast<sockaddr_in*>(&ss), buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&ss), buf, sizeof buf);
  }
  return buf;
}

bool SameHeaderName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

std::string SerializeHead(const Response& r, const HeaderList& defaults, bool keep_alive, size_t body_len,
                          bool include_length) {
  std::string head;
  head.reserve(256);
  char line[96];
  snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", r.status, StatusReason(r.status));
  head += line;
  head += "Content-Type: ";
  head += r.content_type;
  head += "\r\n";
  if (include_length) {
    snprintf(line, sizeof line, "Content-Length: %zu\r\n", body_len);
    head += line;
  }
  for (const auto& [k, v] : r.headers) {
    head += k;
    head += ": ";
    head += v;
    head += "\r\n";
  }
  for (const auto& [k, v] : defaults) {
    bool overridden = false;
    for (const auto& h : r.headers) overridden = overridden || SameHeaderName(h.first, k);
    if (overridden) continue;
    head += k;
    head += ": ";
    head += v;
    head += "\r\n";
  }
  if (!keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

}  // namespace

void Responder::operator()(Response resp) const {
  if (server_ != nullptr) server_->Complete(conn_id_, std::move(resp));
}

Server::Server(uv_loop_t* loop, ServerOptions opts, Handler handler)
    : loop_(loop), opts_(std::move(opts)) {
  handler_ = [h = std::move(handler)](Request& r, Responder done) { done(h(r)); };
}

Server::Server(uv_loop_t* loop, ServerOptions opts, AsyncHandler handler)
    : loop_(loop), opts_(std::move(opts)), handler_(std::move(handler)) {}

Server::~Server() {
  if (listener_ != nullptr || conns_ != nullptr) {
    DLOG_ERROR("http::Server destroyed while open; call Close() and run the loop first");
    std::abort();
  }
}

Status Server::Listen() {
  sockaddr_storage addr;
  if (uv_ip4_addr(opts_.host.c_str(), opts_.port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(opts_.host.c_str(), opts_.port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
    return MakeError(Errc::kInvalidArgument, "listen address '" + opts_.host + "' is not an IP address");
  }
  listener_ = new uv_tcp_t;
  uv_tcp_init(loop_, listener_);
  listener_->data = this;
  std::string where = opts_.host + ":" + std::to_string(opts_.port);
  int rc = uv_tcp_bind(listener_, reinterpret_cast<sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 128, &Server::OnConnection);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    listener_ = nullptr;
    return MakeError(Errc::kIo, "listen on " + where + ": " + uv_strerror(rc));
  }
  sockaddr_storage bound;
  int len = sizeof bound;
  uv_tcp_getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  bound_port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  sse_timer_ = std::make_unique<uv_timer_t>();
  uv_timer_init(loop_, sse_timer_.get());
  sse_timer_->data = this;
  uv_timer_start(sse_timer_.get(), [](uv_timer_t* t) {
    auto* self = static_cast<Server*>(t->data);
    auto frame = std::make_shared<const std::string>(": keepalive\n\n");
    for (Conn* c = self->conns_; c != nullptr; c = c->next) {
      if (c->sse && !c->closing) self->Write(c, *frame);
    }
  }, opts_.sse_keepalive_ms, opts_.sse_keepalive_ms);
  uv_unref(reinterpret_cast<uv_handle_t*>(sse_timer_.get()));
  return Ok();
}

void Server::OnConnection(uv_stream_t* srv, int status) {
  if (status < 0) return;
  static_cast<Server*>(srv->data)->Accept();
}

void Server::Accept() {
  auto* c = new Conn(opts_.limits);
  c->server = this;
  c->id = next_conn_id_++;
  uv_tcp_init(loop_, &c->tcp);
  uv_timer_init(loop_, &c->timer);
  c->tcp.data = c;
  c->timer.data = c;
  c->open_handles = 2;
  c->next = conns_;
  if (conns_ != nullptr) conns_->prev = c;
  conns_ = c;
  stats_.open_connections++;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_), reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    CloseConn(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  c->peer_ip = PeerIp(&c->tcp);
  // Per source first: one client over its share is refused at once, without an answer or a linger,
  // so its connections never count against everyone's max_connections for long.
  const std::string key = SourceKey(c->peer_ip);
  auto src = per_source_.find(key);
  if (opts_.max_connections_per_source == 0 ||
      (src != per_source_.end() && src->second >= opts_.max_connections_per_source)) {
    stats_.connections_rejected_per_source++;
    CloseConn(c);
    return;
  }
  c->source_key = key;
  per_source_[key]++;
  if (stats_.open_connections > opts_.max_connections) {
    stats_.connections_rejected++;
    SendError(c, 503, "too many connections");
    return;
  }
  stats_.connections_accepted++;
  StartReading(c);
  ArmTimer(c, opts_.idle_timeout_ms);
}

void Server::StartReading(Conn* c) {
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), AllocCb,
                [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
                  auto* conn = static_cast<Conn*>(s->data);
                  conn->server->OnRead(conn, nread, buf);
                });
}

void Server::ArmTimer(Conn* c, uint64_t ms) {
  uv_timer_start(&c->timer, [](uv_timer_t* t) {
    auto* conn = static_cast<Conn*>(t->data);
    Server* self = conn->server;
    if (conn->sse) {  // the stream's lifetime (its token's expiry) ran out
      self->stats_.sse_expired++;
      self->CloseConn(conn);
      return;
    }
    self->stats_.timeouts++;
    if (conn->draining || !conn->parser.started()) {
      self->CloseConn(conn);
    } else {
      self->SendError(conn, 408, "request timeout");
    }
  }, ms, 0);
}

void Server::OnRead(Conn* c, ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {
    CloseConn(c);
    return;
  }
  if (c->closing || c->draining || c->sse) return;  // input after the end is discarded
  Consume(c, buf->base, static_cast<size_t>(nread));
}

void Server::Consume(Conn* c, const char* p, size_t left) {
  while (left > 0 && !c->closing && !c->draining && !c->sse) {
    size_t n = c->parser.Feed(p, left);
    p += n;
    left -= n;
    switch (c->parser.state()) {
      case RequestParser::State::kNeedMore:
        if (n == 0) left = 0;
        break;
      case RequestParser::State::kError:
        stats_.bad_requests++;
        SendError(c, c->parser.error_status(), c->parser.error_message());
        return;
      case RequestParser::State::kComplete:
        Process(c);
        c->parser.Reset();
        c->request_timer_armed = false;
        if (c->awaiting) {
          // Answered later (Complete): read nothing more until then, keep what already came, and
          // let the request timeout cut a connection whose answer never comes.
          c->pending_input.assign(p, left);
          uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
          ArmTimer(c, opts_.request_timeout_ms);
          return;
        }
        if (!c->closing && !c->draining && !c->sse) ArmTimer(c, opts_.idle_timeout_ms);
        break;
    }
  }
  // A request in progress must finish within request_timeout_ms no matter how its bytes trickle in.
  if (!c->closing && !c->draining && !c->sse && c->parser.started() && !c->request_timer_armed) {
    c->request_timer_armed = true;
    ArmTimer(c, opts_.request_timeout_ms);
  }
}

void Server::Process(Conn* c) {
  Request& req = c->parser.request();
  req.peer_ip = c->peer_ip;
  stats_.requests++;
  c->req_keep_alive = req.keep_alive;
  c->req_head = req.method == "HEAD";
  c->awaiting = true;
  c->in_handler = true;
  awaiting_[c->id] = c;
  handler_(req, Responder(this, c->id));
  c->in_handler = false;
  if (c->awaiting) stats_.deferred++;
}

void Server::Complete(uint64_t conn_id, Response resp) {
  auto it = awaiting_.find(conn_id);
  if (it == awaiting_.end()) {
    if (!closing_) stats_.deferred_orphaned++;
    return;
  }
  Conn* c = it->second;
  awaiting_.erase(it);
  c->awaiting = false;
  Send(c, resp);
  if (c->in_handler) return;  // synchronous: Consume() goes on with the next pipelined request
  if (c->closing || c->draining || c->sse) return;
  ArmTimer(c, opts_.idle_timeout_ms);
  StartReading(c);
  if (!c->pending_input.empty()) {
    std::string in = std::move(c->pending_input);
    c->pending_input.clear();
    Consume(c, in.data(), in.size());
  }
}

void Server::Send(Conn* c, Response& resp) {
  bool keep_alive = c->req_keep_alive && !closing_;
  if (resp.sse) {
    if (stats_.open_sse_streams >= opts_.max_sse_streams) {
      stats_.sse_rejected++;
      SendError(c, 503, "too many event streams");
      return;
    }
    c->sse = true;
    c->sse_tag = std::move(resp.sse_tag);
    stats_.open_sse_streams++;
    uv_timer_stop(&c->timer);
    if (resp.sse_lifetime_ms > 0) ArmTimer(c, resp.sse_lifetime_ms);
    resp.content_type = "text/event-stream";
    bool has_cache_control = false;
    for (const auto& h : resp.headers) has_cache_control |= SameHeaderName(h.first, "Cache-Control");
    if (!has_cache_control) resp.headers.emplace_back("Cache-Control", "no-cache");
    resp.headers.emplace_back("X-Accel-Buffering", "no");
    std::string out = SerializeHead(resp, opts_.default_headers, true, 0, false);
    out += resp.body;
    Write(c, std::move(out));
    return;
  }
  bool head_only = c->req_head;
  std::string out = SerializeHead(resp, opts_.default_headers, keep_alive, resp.body.size(), true);
  if (!head_only) out += resp.body;
  if (!keep_alive) c->close_after_write = true;
  Write(c, std::move(out));
  if (!keep_alive) c->draining = true;
}

void Server::SendError(Conn* c, int status, std::string_view message) {
  Response r = Response::Error(status, message);
  c->close_after_write = true;
  c->draining = true;
  Write(c, SerializeHead(r, opts_.default_headers, false, r.body.size(), true) + r.body);
  ArmTimer(c, 2000);  // a client that never reads nor closes is cut after 2 s
}

void Server::Write(Conn* c, std::string data) {
  if (c->closing) return;
  auto* w = new WriteReq;
  w->data = std::make_shared<const std::string>(std::move(data));
  w->conn = c;
  uv_buf_t b = uv_buf_init(const_cast<char*>(w->data->data()), static_cast<unsigned>(w->data->size()));
  c->writes_in_flight++;
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&c->tcp), &b, 1, [](uv_write_t* req, int status) {
    auto* wr = reinterpret_cast<WriteReq*>(req);
    Conn* conn = wr->conn;
    delete wr;
    conn->writes_in_flight--;
    Server* self = conn->server;
    if (status < 0) {
      self->CloseConn(conn);
      return;
    }
    if (conn->close_after_write && conn->writes_in_flight == 0 && !conn->closing) {
      // Half-close, then keep reading until the peer closes so the kernel does not answer with RST
      // (which could destroy the response we just sent).
      auto* sh = new uv_shutdown_t;
      sh->data = conn;
      if (uv_shutdown(sh, reinterpret_cast<uv_stream_t*>(&conn->tcp), [](uv_shutdown_t* s, int) {
            delete s;
          }) != 0) {
        delete sh;
        self->CloseConn(conn);
      }
    }
  });
  if (rc != 0) {
    c->writes_in_flight--;
    delete w;
    CloseConn(c);
    return;
  }
  size_t limit = c->sse ? opts_.sse_max_pending_bytes : opts_.max_pending_write_bytes;
  if (c->Pending() > limit) {
    if (c->sse) stats_.sse_dropped_streams++;
    CloseConn(c);
  }
}

void Server::SseBroadcast(std::string_view event, std::string_view data) {
  if (stats_.open_sse_streams == 0) return;
  std::string frame;
  frame.reserve(event.size() + data.size() + 16);
  if (!event.empty()) {
    frame += "event: ";
    for (char ch : event) frame.push_back(ch == '\n' || ch == '\r' ? ' ' : ch);
    frame += '\n';
  }
  frame += "data: ";
  for (char ch : data) frame.push_back(ch == '\n' || ch == '\r' ? ' ' : ch);
  frame += "\n\n";
  // One event larger than a stream's whole budget would put every client over it at once and close
  // them all (issue 14, finding 11): such an event is not sent, and counted.
  if (frame.size() > opts_.sse_max_pending_bytes) {
    stats_.sse_oversize_events++;
    return;
  }
  for (Conn* c = conns_; c != nullptr;) {
    Conn* next = c->next;
    if (c->sse && !c->closing) {
      if (c->Pending() > opts_.sse_max_pending_bytes) {
        stats_.sse_dropped_streams++;
        CloseConn(c);
      } else {
        stats_.sse_events++;
        Write(c, frame);
      }
    }
    c = next;
  }
}

size_t Server::CloseSseStreams(const std::function<bool(const std::string& tag)>& close) {
  size_t n = 0;
  for (Conn* c = conns_; c != nullptr; c = c->next) {  // CloseConn unlinks later, in the close callback
    if (c->sse && !c->closing && close(c->sse_tag)) {
      stats_.sse_revoked++;
      CloseConn(c);
      ++n;
    }
  }
  return n;
}

void Server::CloseConn(Conn* c) {
  if (c->closing) return;
  c->closing = true;
  if (c->sse) stats_.open_sse_streams--;
  if (c->awaiting) {
    awaiting_.erase(c->id);  // its Responder becomes a no-op
    c->awaiting = false;
  }
  auto on_close = [](uv_handle_t* h) {
    auto* conn = static_cast<Conn*>(h->data);
    if (--conn->open_handles > 0) return;
    Server* self = conn->server;
    if (conn->prev != nullptr) conn->prev->next = conn->next;
    if (conn->next != nullptr) conn->next->prev = conn->prev;
    if (self->conns_ == conn) self->conns_ = conn->next;
    self->stats_.open_connections--;
    if (!conn->source_key.empty()) {
      auto it = self->per_source_.find(conn->source_key);
      if (it != self->per_source_.end() && --it->second == 0) self->per_source_.erase(it);
    }
    delete conn;
    self->MaybeFinishClose();
  };
  uv_timer_stop(&c->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->timer), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), on_close);
}

void Server::Close(std::function<void()> done) {
  on_closed_ = std::move(done);
  if (closing_) return;
  closing_ = true;
  if (listener_ != nullptr) {
    pending_closes_++;
    uv_close(reinterpret_cast<uv_handle_t*>(listener_), [](uv_handle_t* h) {
      auto* self = static_cast<Server*>(h->data);
      delete reinterpret_cast<uv_tcp_t*>(h);
      self->listener_ = nullptr;
      self->pending_closes_--;
      self->MaybeFinishClose();
    });
  }
  if (sse_timer_) {
    pending_closes_++;
    uv_close(reinterpret_cast<uv_handle_t*>(sse_timer_.release()), [](uv_handle_t* h) {
      auto* self = static_cast<Server*>(h->data);
      delete reinterpret_cast<uv_timer_t*>(h);
      self->pending_closes_--;
      self->MaybeFinishClose();
    });
  }
  for (Conn* c = conns_; c != nullptr; c = c->next) CloseConn(c);
  MaybeFinishClose();
}

void Server::MaybeFinishClose() {
  if (!closing_ || pending_closes_ > 0 || conns_ != nullptr || !on_closed_) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  done();
}

}  // namespace decnet::http
