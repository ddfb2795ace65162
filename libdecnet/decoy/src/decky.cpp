// The decky's sockets. Ownership: a Listener, Conn or Udp is allocated here, registered in the Decky,
// and freed only in the close callback of its last libuv handle (libuv: free after close). Sessions are
// destroyed in that callback too, never inside one of their own calls.
#include "decnet/decoy/decky.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "decnet/core/log.h"
#include "decnet/core/loop.h"

namespace decnet::decoy {

Endpoint ToEndpoint(const sockaddr* sa) {
  Endpoint e;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    e.port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    }
    e.port = ntohs(in6->sin6_port);
  }
  e.ip = buf;
  return e;
}

bool ToSockaddr(const std::string& ip, uint16_t port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  auto* in = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, ip.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    return true;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    return true;
  }
  return false;
}

namespace {

Endpoint LocalOf(uv_handle_t* h, bool tcp) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  const int rc = tcp ? uv_tcp_getsockname(reinterpret_cast<uv_tcp_t*>(h),
                                          reinterpret_cast<sockaddr*>(&ss), &len)
                     : uv_udp_getsockname(reinterpret_cast<uv_udp_t*>(h),
                                          reinterpret_cast<sockaddr*>(&ss), &len);
  return rc == 0 ? ToEndpoint(reinterpret_cast<sockaddr*>(&ss)) : Endpoint{};
}

// One read buffer for every connection of the loop: reads are handed to the session at once.
char g_read_buf[64 << 10];
void AllocReadBuf(uv_handle_t*, size_t, uv_buf_t* buf) {
  buf->base = g_read_buf;
  buf->len = sizeof g_read_buf;
}

}  // namespace

// ---- TCP connections

struct Decky::Conn final : Connection {
  Decky* decky;
  Service* service;      // for the connect/disconnect events (may be null for extra listeners)
  std::string service_name;
  uv_tcp_t tcp;
  uv_timer_t idle, life, user;
  int open_handles = 0;
  std::unique_ptr<Session> session;
  std::function<void()> user_fn;
  Endpoint remote_, local_;
  uint64_t id_;
  uint64_t started_ms;
  uint64_t bytes_in = 0, bytes_out = 0;
  size_t pending = 0;  // bytes handed to uv_write and not yet written
  bool closing = false;
  bool admitted = false;  // counted against the caps (and so logged)
  CloseReason reason = CloseReason::kPeer;

  Conn(Decky* d, std::string svc, uint64_t id) : decky(d), service_name(std::move(svc)), id_(id) {
    uv_tcp_init(d->loop_, &tcp);
    tcp.data = this;
    for (uv_timer_t* t : {&idle, &life, &user}) {
      uv_timer_init(d->loop_, t);
      t->data = this;
    }
    open_handles = 4;
    started_ms = uv_now(d->loop_);
  }

  // Connection
  const Endpoint& remote() const override { return remote_; }
  const Endpoint& local() const override { return local_; }
  uint64_t id() const override { return id_; }
  Host& host() override { return *decky; }

  void Write(std::string_view bytes) override {
    if (closing || bytes.empty()) return;
    bytes_out += bytes.size();
    uv_buf_t b = uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
    if (pending == 0) {
      const int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp), &b, 1);
      if (n == static_cast<int>(bytes.size())) return;
      if (n > 0) bytes.remove_prefix(static_cast<size_t>(n));
      else if (n != UV_EAGAIN) return Teardown(CloseReason::kError);
    }
    if (pending + bytes.size() > decky->limits_.max_output_bytes) {
      ++decky->counters_.closed_output_limit;
      return Teardown(CloseReason::kOutputLimit);
    }
    struct Req {
      uv_write_t req;
      Conn* conn;
      std::string data;
    };
    auto* r = new Req{{}, this, std::string(bytes)};
    r->req.data = r;
    pending += r->data.size();
    uv_buf_t rb = uv_buf_init(r->data.data(), static_cast<unsigned>(r->data.size()));
    uv_write(&r->req, reinterpret_cast<uv_stream_t*>(&tcp), &rb, 1, [](uv_write_t* req, int) {
      auto* rr = static_cast<Req*>(req->data);
      rr->conn->pending -= rr->data.size();
      delete rr;
    });
  }

  void Close() override {
    if (closing) return;
    reason = CloseReason::kService;
    closing = true;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp));
    // Flush what is queued, send FIN, then close.
    auto* req = new uv_shutdown_t;
    req->data = this;
    if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&tcp), [](uv_shutdown_t* r, int) {
          auto* c = static_cast<Conn*>(r->data);
          delete r;
          c->CloseHandles();
        }) != 0) {
      delete req;
      CloseHandles();
    }
  }

  void SetReading(bool on) override {
    if (closing) return;
    if (on) {
      uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp), AllocReadBuf, OnRead);
    } else {
      uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp));
    }
  }

  void SetTimer(uint64_t ms, std::function<void()> fn) override {
    if (closing) return;
    uv_timer_stop(&user);
    user_fn = std::move(fn);
    if (ms == 0) return;
    uv_timer_start(&user, [](uv_timer_t* t) {
      auto* c = static_cast<Conn*>(t->data);
      if (c->closing || !c->user_fn) return;
      auto fn = std::move(c->user_fn);
      c->user_fn = nullptr;
      fn();
    }, ms, 0);
  }

  void Start() {
    local_ = LocalOf(reinterpret_cast<uv_handle_t*>(&tcp), true);
    const Limits& l = decky->limits_;
    if (l.idle_timeout_ms) uv_timer_start(&idle, OnIdle, l.idle_timeout_ms, 0);
    uv_timer_start(&life, [](uv_timer_t* t) {
      auto* c = static_cast<Conn*>(t->data);
      ++c->decky->counters_.closed_duration;
      c->Teardown(CloseReason::kDuration);
    }, l.max_session_ms, 0);
    // A run-time listener (FTP data) has no service name: its service logs what it means.
    if (!service_name.empty()) decky->log_.New(service_name, "connect").From(*this).Emit();
    uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp), AllocReadBuf, OnRead);
    if (session) session->OnOpen();
  }

  static void OnIdle(uv_timer_t* t) {
    auto* c = static_cast<Conn*>(t->data);
    ++c->decky->counters_.closed_idle;
    c->Teardown(CloseReason::kIdle);
  }

  static void OnRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* c = static_cast<Conn*>(s->data);
    if (n < 0) {
      c->Teardown(n == UV_EOF ? CloseReason::kPeer : CloseReason::kError);
      return;
    }
    if (n == 0 || c->closing) return;
    c->bytes_in += static_cast<uint64_t>(n);
    if (c->decky->limits_.idle_timeout_ms)
      uv_timer_start(&c->idle, OnIdle, c->decky->limits_.idle_timeout_ms, 0);
    if (c->session) c->session->OnData(std::string_view(buf->base, static_cast<size_t>(n)));
  }

  // Closes now, dropping what is queued.
  void Teardown(CloseReason r) {
    if (closing) {
      if (open_handles == 4 && r != CloseReason::kService) CloseHandles();  // shutdown pending
      return;
    }
    reason = r;
    closing = true;
    CloseHandles();
  }

  void CloseHandles() {
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp))) return;
    auto cb = [](uv_handle_t* h) {
      auto* c = static_cast<Conn*>(h->data);
      if (--c->open_handles == 0) c->Finish();
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp), cb);
    for (uv_timer_t* t : {&idle, &life, &user}) uv_close(reinterpret_cast<uv_handle_t*>(t), cb);
  }

  void Finish() {
    if (session) session->OnClose(reason);
    session.reset();
    if (admitted && !service_name.empty()) decky->log_.New(service_name, "disconnect")
        .From(*this)
        .Add("reason", CloseReasonName(reason))
        .Add("duration_ms", static_cast<int64_t>(uv_now(decky->loop_) - started_ms))
        .Add("bytes_in", static_cast<int64_t>(bytes_in))
        .Add("bytes_out", static_cast<int64_t>(bytes_out))
        .Emit();
    Detach();
    delete this;
  }

  void Detach() {
    if (admitted) decky->Release(remote_.ip);
    auto& v = decky->conns_;
    v.erase(std::remove(v.begin(), v.end(), this), v.end());
    decky->MaybeReleaseServices();
  }
};

// ---- TCP listeners

struct Decky::Listener {
  Decky* decky;
  std::string service_name;
  SessionFactory factory;
  size_t accepts_left;
  uv_tcp_t tcp;
  struct OwnedSocket* handle = nullptr;  // the ExtraSocket of a run-time listener
  Endpoint local;
  bool closing = false;

  void Close();
  static void OnConnection(uv_stream_t* server, int status);
};

struct OwnedSocket final : ExtraSocket {
  Decky::Listener* listener = nullptr;
  Decky::Udp* udp = nullptr;
  Endpoint local_;
  ~OwnedSocket() override;
  const Endpoint& local() const override { return local_; }
  Datagrams* datagrams() override;
};

void Decky::Listener::Close() {
  if (closing) return;
  closing = true;
  if (handle) handle->listener = nullptr;
  handle = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp), [](uv_handle_t* h) {
    auto* l = static_cast<Listener*>(h->data);
    auto& v = l->decky->listeners_;
    v.erase(std::remove(v.begin(), v.end(), l), v.end());
    delete l;
  });
}

void Decky::Listener::OnConnection(uv_stream_t* server, int status) {
  auto* l = static_cast<Listener*>(server->data);
  if (status < 0 || l->closing) return;
  Decky* d = l->decky;
  auto* c = new Conn(d, l->service_name, ++d->next_conn_id_);
  d->conns_.push_back(c);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    c->Teardown(CloseReason::kError);
    return;
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  c->remote_ = ToEndpoint(reinterpret_cast<sockaddr*>(&ss));
  if (!d->Admit(c->remote_.ip)) {
    c->closing = true;  // refused before any session: no events for it
    c->CloseHandles();
    return;
  }
  c->admitted = true;
  ++d->counters_.accepted;
  uv_tcp_nodelay(&c->tcp, 1);
  c->session = l->factory(*c);
  if (l->accepts_left != SIZE_MAX && --l->accepts_left == 0) l->Close();
  if (!c->session) {
    c->Teardown(CloseReason::kService);
    return;
  }
  c->Start();
}

// ---- UDP sockets

struct Decky::Udp final : Datagrams {
  Decky* decky;
  DatagramHandler handler;
  uv_udp_t udp;
  OwnedSocket* handle = nullptr;
  Endpoint local_;
  bool closing = false;
  bool extra = false;

  const Endpoint& local() const override { return local_; }
  bool SendTo(const Endpoint& to, std::string_view bytes) override {
    sockaddr_storage ss;
    if (closing || !ToSockaddr(to.ip, to.port, &ss)) return false;
    uv_buf_t b = uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
    if (uv_udp_try_send(&udp, &b, 1, reinterpret_cast<sockaddr*>(&ss)) < 0) {
      ++decky->counters_.datagrams_refused;
      return false;
    }
    return true;
  }
  void Close() {
    if (closing) return;
    closing = true;
    if (handle) handle->udp = nullptr;
    handle = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&udp), [](uv_handle_t* h) {
      auto* u = static_cast<Udp*>(h->data);
      auto& v = u->decky->udps_;
      v.erase(std::remove(v.begin(), v.end(), u), v.end());
      if (u->extra) --u->decky->extra_udp_;
      delete u;
    });
  }
  static void OnRecv(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* addr, unsigned) {
    auto* u = static_cast<Udp*>(h->data);
    if (n <= 0 || addr == nullptr || u->closing) return;
    ++u->decky->counters_.datagrams;
    u->handler(*u, ToEndpoint(addr), std::string_view(buf->base, static_cast<size_t>(n)));
  }
};

OwnedSocket::~OwnedSocket() {
  if (listener) listener->Close();
  if (udp) udp->Close();
}
Datagrams* OwnedSocket::datagrams() { return udp; }

// ---- Decky

Decky::Decky(uv_loop_t* loop, const Persona& persona, EventLog& log, ArtifactStore& artifacts,
             const Limits& limits, Counters& counters, std::string bind_ip)
    : loop_(loop), persona_(persona), log_(log), artifacts_(artifacts), limits_(limits),
      counters_(counters), bind_ip_(std::move(bind_ip)) {}

Decky::~Decky() {
  Stop();
  // Let the close callbacks run (they use this Decky): one or two loop turns, since Stop closes without
  // waiting for peers. Destroying a Decky inside one of its own callbacks is not allowed.
  for (int i = 0; i < 100 && !(conns_.empty() && listeners_.empty() && udps_.empty()); ++i)
    uv_run(loop_, UV_RUN_NOWAIT);
}

int64_t Decky::WallUs() const { return static_cast<int64_t>(NowEpoch() * 1e6); }

bool Decky::Admit(const std::string& ip) {
  if (open_ >= limits_.max_connections) {
    ++counters_.refused_decky_cap;
    return false;
  }
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && it->second >= limits_.max_connections_per_ip) {
    ++counters_.refused_ip_cap;
    return false;
  }
  ++open_;
  ++per_ip_[ip];
  return true;
}

void Decky::Release(const std::string& ip) {
  --open_;
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

Result<Decky::Listener*> Decky::BindTcp(const std::string& ip, uint16_t port,
                                        std::string service_name, SessionFactory factory,
                                        size_t max_accepts) {
  sockaddr_storage ss;
  if (!ToSockaddr(ip, port, &ss))
    return MakeError(Errc::kInvalidArgument, "bad bind address '" + ip + "'");
  auto* l = new Listener{this, std::move(service_name), std::move(factory), max_accepts, {}, nullptr, {}, false};
  uv_tcp_init(loop_, &l->tcp);
  l->tcp.data = l;
  listeners_.push_back(l);
  int rc = uv_tcp_bind(&l->tcp, reinterpret_cast<sockaddr*>(&ss), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l->tcp), 128, Listener::OnConnection);
  if (rc != 0) {
    l->Close();
    return MakeError(Errc::kIo, "listen tcp " + ip + ":" + std::to_string(port) + ": " + uv_strerror(rc));
  }
  l->local = LocalOf(reinterpret_cast<uv_handle_t*>(&l->tcp), true);
  return l;
}

Result<Decky::Udp*> Decky::BindUdp(const std::string& ip, uint16_t port, DatagramHandler handler) {
  sockaddr_storage ss;
  if (!ToSockaddr(ip, port, &ss))
    return MakeError(Errc::kInvalidArgument, "bad bind address '" + ip + "'");
  auto* u = new Udp;
  u->decky = this;
  u->handler = std::move(handler);
  uv_udp_init(loop_, &u->udp);
  u->udp.data = u;
  udps_.push_back(u);
  int rc = uv_udp_bind(&u->udp, reinterpret_cast<sockaddr*>(&ss), 0);
  if (rc == 0) {
    rc = uv_udp_recv_start(&u->udp, AllocReadBuf, Udp::OnRecv);
  }
  if (rc != 0) {
    u->Close();
    return MakeError(Errc::kIo, "listen udp " + ip + ":" + std::to_string(port) + ": " + uv_strerror(rc));
  }
  u->local_ = LocalOf(reinterpret_cast<uv_handle_t*>(&u->udp), false);
  return u;
}

Status Decky::AddService(std::unique_ptr<Service> service, const std::vector<PortBinding>& ports) {
  Service* svc = service.get();
  const std::string name(svc->name());
  std::vector<Listener*> ls;
  std::vector<Udp*> us;
  auto undo = [&] {
    for (Listener* l : ls) l->Close();
    for (Udp* u : us) u->Close();
  };
  for (const PortBinding& p : ports) {
    if (p.transport == Transport::kTcp) {
      auto l = BindTcp(bind_ip_, p.port, name, [svc](Connection& c) { return svc->NewSession(c); },
                       SIZE_MAX);
      if (!l) {
        undo();
        return MakeError(l.error().code, name + ": " + l.error().message);
      }
      ls.push_back(*l);
      bound_.emplace_back(name, PortBinding{(*l)->local.port, p.transport});
    } else {
      auto u = BindUdp(bind_ip_, p.port, [svc](Datagrams& s, const Endpoint& from, std::string_view b) {
        svc->OnDatagram(s, from, b);
      });
      if (!u) {
        undo();
        return MakeError(u.error().code, name + ": " + u.error().message);
      }
      us.push_back(*u);
      bound_.emplace_back(name, PortBinding{(*u)->local_.port, p.transport});
    }
  }
  services_.push_back(std::move(service));
  return Ok();
}

Result<std::unique_ptr<ExtraSocket>> Decky::ListenTcp(const std::string& ip, uint16_t port,
                                                      size_t max_accepts, SessionFactory factory) {
  if (stopped_) return MakeError(Errc::kUnavailable, "decky stopping");
  auto l = BindTcp(ip, port, "", std::move(factory), max_accepts == 0 ? 1 : max_accepts);
  if (!l) return l.error();
  auto h = std::make_unique<OwnedSocket>();
  h->listener = *l;
  h->local_ = (*l)->local;
  (*l)->handle = h.get();
  return std::unique_ptr<ExtraSocket>(std::move(h));
}

Result<std::unique_ptr<ExtraSocket>> Decky::OpenUdp(const std::string& ip, uint16_t port,
                                                    DatagramHandler handler) {
  if (stopped_) return MakeError(Errc::kUnavailable, "decky stopping");
  if (extra_udp_ >= limits_.max_udp_peers) {
    ++counters_.datagrams_refused;
    return MakeError(Errc::kLimit, "max_udp_peers reached");
  }
  auto u = BindUdp(ip, port, std::move(handler));
  if (!u) return u.error();
  (*u)->extra = true;
  ++extra_udp_;
  auto h = std::make_unique<OwnedSocket>();
  h->udp = *u;
  h->local_ = (*u)->local_;
  (*u)->handle = h.get();
  return std::unique_ptr<ExtraSocket>(std::move(h));
}

void Decky::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (Listener* l : std::vector<Listener*>(listeners_)) l->Close();
  for (Udp* u : std::vector<Udp*>(udps_)) u->Close();
  for (Conn* c : std::vector<Conn*>(conns_)) c->Teardown(CloseReason::kShutdown);
  MaybeReleaseServices();
}

void Decky::MaybeReleaseServices() {
  // Sessions may use their service until their OnClose: destroy services (and the timers and
  // sockets they own) only once the last connection is gone.
  if (stopped_ && conns_.empty()) services_.clear();
}

std::string Decky::HealthMembers() const {
  const Counters& c = counters_;
  std::string out;
  auto add = [&](const char* k, uint64_t v) {
    if (!out.empty()) out.push_back(',');
    out += '"';
    out += k;
    out += "\":";
    out += std::to_string(v);
  };
  add("open_connections", open_);
  add("source_ips", per_ip_.size());
  add("accepted", c.accepted);
  add("refused_decky_cap", c.refused_decky_cap);
  add("refused_ip_cap", c.refused_ip_cap);
  add("closed_idle", c.closed_idle);
  add("closed_duration", c.closed_duration);
  add("closed_output_limit", c.closed_output_limit);
  add("lines_too_long", c.lines_too_long);
  add("fields_truncated", c.fields_truncated);
  add("malformed", c.malformed);
  add("datagrams", c.datagrams);
  add("datagrams_refused", c.datagrams_refused);
  add("events", c.events);
  add("events_dropped", c.events_dropped);
  add("artifacts", c.artifacts);
  add("artifact_bytes", c.artifact_bytes);
  add("artifact_bytes_dropped", c.artifact_bytes_dropped);
  for (const auto& s : services_) s->AddHealth(&out);
  return out;
}

}  // namespace decnet::decoy
