#include "inputs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "decnet/core/log.h"
#include "decnet/syslog/framing.h"

namespace decnet::collector {

namespace {
constexpr size_t kBatch = 16;  // datagrams per recvmmsg
constexpr size_t kReadBuf = 64 * 1024;

Error SysError(const std::string& what) {
  return MakeError(Errc::kIo, what + ": " + std::strerror(errno));
}
}  // namespace

struct Inputs::Dgram {
  Inputs* owner;
  int fd;
  uv_poll_t* poll;
  std::string unix_path;
};

struct Inputs::Conn {
  Inputs* owner;
  uv_tcp_t handle;
  uv_timer_t idle;
  int open_handles = 0;  // deleted when both handles are closed
  sockaddr_storage peer{};
  std::string source_key;  // address bytes, the per-source count's key
  syslog::StreamFramer framer;
  Conn(Inputs* o, size_t max) : owner(o), framer(max) {}
};

namespace {

void OnConnHandleClosed(uv_handle_t* h) {
  auto* c = static_cast<Inputs::Conn*>(h->data);
  if (--c->open_handles == 0) delete c;
}

std::string SourceKey(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return std::string(reinterpret_cast<const char*>(&a->sin_addr), 4);
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    return std::string(reinterpret_cast<const char*>(&a->sin6_addr), 16);
  }
  return {};
}

}  // namespace

std::string FormatOrigin(const Origin& o) {
  switch (o.kind) {
    case Origin::kDocker:
      return "docker";
    case Origin::kUnix:
      return o.pid > 0 ? "unix:pid=" + std::to_string(o.pid) : "unix";
    case Origin::kUdp:
    case Origin::kTcp:
      break;
  }
  std::string out = o.kind == Origin::kUdp ? "udp:" : "tcp:";
  if (!o.addr) return out + "?";
  char host[64] = "?";
  int port = 0;
  if (o.addr->ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(o.addr);
    uv_ip4_name(a, host, sizeof host);
    port = ntohs(a->sin_port);
    out += host;
  } else if (o.addr->ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(o.addr);
    uv_ip6_name(a, host, sizeof host);
    port = ntohs(a->sin6_port);
    out += "[";
    out += host;
    out += "]";
  } else {
    return out + "?";
  }
  return out + ":" + std::to_string(port);
}

Status ParseHostPort(std::string_view hp, sockaddr_storage* out) {
  std::string host;
  std::string_view port;
  if (!hp.empty() && hp.front() == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos || close + 1 >= hp.size() || hp[close + 1] != ':') {
      return MakeError(Errc::kInvalidArgument, "bad address '" + std::string(hp) + "'");
    }
    host.assign(hp.substr(1, close - 1));
    port = hp.substr(close + 2);
  } else {
    size_t colon = hp.rfind(':');
    if (colon == std::string_view::npos) {
      return MakeError(Errc::kInvalidArgument, "address '" + std::string(hp) + "' has no port");
    }
    host.assign(hp.substr(0, colon));
    port = hp.substr(colon + 1);
  }
  int p = 0;
  for (char ch : port) {
    if (ch < '0' || ch > '9' || p > 65535) return MakeError(Errc::kInvalidArgument, "bad port");
    p = p * 10 + (ch - '0');
  }
  if (port.empty() || p > 65535) return MakeError(Errc::kInvalidArgument, "bad port");
  std::memset(out, 0, sizeof(*out));
  if (uv_ip4_addr(host.c_str(), p, reinterpret_cast<sockaddr_in*>(out)) == 0) return Ok();
  if (uv_ip6_addr(host.c_str(), p, reinterpret_cast<sockaddr_in6*>(out)) == 0) return Ok();
  return MakeError(Errc::kInvalidArgument, "bad host '" + host + "' (an IP address is required)");
}

Inputs::Inputs(uv_loop_t* loop, InputOptions opts, LineFn on_line)
    : loop_(loop), opts_(opts), on_line_(std::move(on_line)) {
  if (opts_.max_line < 64) opts_.max_line = 64;
}

Inputs::~Inputs() { Close(); }

Status Inputs::Listen(std::string_view spec) {
  auto starts = [&](std::string_view p) { return spec.substr(0, p.size()) == p; };
  if (starts("unix://")) {
    std::string path(spec.substr(7));
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(sa.sun_path)) {
      return MakeError(Errc::kInvalidArgument,
                       "bad UNIX socket path in '" + std::string(spec) + "'");
    }
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    return ListenDatagram(AF_UNIX, reinterpret_cast<sockaddr*>(&sa), sizeof(sa), path);
  }
  const bool udp = starts("udp://"), tcp = starts("tcp://");
  if (!udp && !tcp) {
    return MakeError(Errc::kInvalidArgument,
                     "listen '" + std::string(spec) + "': expected udp://, tcp:// or unix://");
  }
  sockaddr_storage ss;
  if (Status st = ParseHostPort(spec.substr(6), &ss); !st) {
    return MakeError(Errc::kInvalidArgument,
                     "listen '" + std::string(spec) + "': " + st.error().message);
  }
  const socklen_t len = ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (udp) return ListenDatagram(ss.ss_family, reinterpret_cast<sockaddr*>(&ss), len, "");
  return ListenTcp(reinterpret_cast<sockaddr*>(&ss));
}

Status Inputs::ListenDatagram(int family, const sockaddr* addr, socklen_t len,
                              const std::string& unix_path) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return SysError("socket");
  if (opts_.rcvbuf_bytes > 0) {
    // SO_RCVBUFFORCE passes net.core.rmem_max when we hold CAP_NET_ADMIN (as rsyslog does).
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &opts_.rcvbuf_bytes,
                   sizeof(opts_.rcvbuf_bytes))) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opts_.rcvbuf_bytes, sizeof(opts_.rcvbuf_bytes));
    }
  }
  if (family == AF_UNIX) {
    // A stale socket from an earlier run is replaced; anything else at that path is an error.
    struct stat st;
    if (lstat(unix_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) unlink(unix_path.c_str());
  }
  if (bind(fd, addr, len) != 0) {
    Error e = SysError("bind " + (unix_path.empty() ? std::string("udp") : unix_path));
    close(fd);
    return e;
  }
  if (family == AF_UNIX) {
    chmod(unix_path.c_str(), static_cast<mode_t>(opts_.unix_mode));
    // Every datagram then carries the sender's pid, filled in by the kernel (the sender cannot
    // forge another process's): the collector attributes native deckies by it, not by HOSTNAME.
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
      DLOG_WARN("SO_PASSCRED on %s: %s (senders will not be attributed)", unix_path.c_str(),
                std::strerror(errno));
    }
  }
  if (!dgram_bufs_) dgram_bufs_.reset(new char[kBatch * (opts_.max_line + 1)]);
  auto* d = new Dgram{this, fd, new uv_poll_t, unix_path};
  uv_poll_init(loop_, d->poll, fd);
  d->poll->data = d;
  uv_poll_start(d->poll, UV_READABLE, [](uv_poll_t* h, int status, int) {
    auto* dg = static_cast<Dgram*>(h->data);
    if (status == 0) dg->owner->OnDatagramReadable(dg);
  });
  dgrams_.push_back(d);
  return Ok();
}

void Inputs::OnDatagramReadable(Dgram* d) {
  const size_t slot = opts_.max_line + 1;
  const bool is_unix = !d->unix_path.empty();
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  sockaddr_storage names[kBatch];
  union Control {
    cmsghdr align;
    char buf[CMSG_SPACE(sizeof(ucred))];
  };
  Control control[kBatch];
  // Bounded work per wake-up so one busy socket cannot starve the others or the flush timer.
  for (int round = 0; round < 64; ++round) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i].iov_base = dgram_bufs_.get() + i * slot;
      iov[i].iov_len = slot;
      std::memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      if (is_unix) {
        msgs[i].msg_hdr.msg_control = control[i].buf;
        msgs[i].msg_hdr.msg_controllen = sizeof control[i].buf;
      } else {
        msgs[i].msg_hdr.msg_name = &names[i];
        msgs[i].msg_hdr.msg_namelen = sizeof names[i];
      }
    }
    int n = recvmmsg(d->fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      size_t len = msgs[i].msg_len;
      bool truncated = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) || len > opts_.max_line;
      if (len > opts_.max_line) len = opts_.max_line;
      ++stats_.datagrams;
      if (truncated) ++stats_.truncated;
      Origin origin;
      if (is_unix) {
        origin.kind = Origin::kUnix;
        for (cmsghdr* cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm;
             cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm)) {
          if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
              cm->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
            ucred cred;
            std::memcpy(&cred, CMSG_DATA(cm), sizeof cred);
            origin.pid = cred.pid;
          }
        }
        if (origin.pid <= 0) ++stats_.unix_no_creds;
      } else {
        origin.kind = Origin::kUdp;
        origin.addr = &names[i];
      }
      std::string_view dg(static_cast<const char*>(iov[i].iov_base), len);
      on_line_(syslog::TrimDatagram(dg), truncated, origin);
    }
    if (static_cast<size_t>(n) < kBatch) return;
  }
}

Status Inputs::ListenTcp(const sockaddr* addr) {
  auto* server = new uv_tcp_t;
  uv_tcp_init(loop_, server);
  server->data = this;
  int rc = uv_tcp_bind(server, addr, 0);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(server), 128, [](uv_stream_t* s, int status) {
      static_cast<Inputs*>(s->data)->OnConnection(s, status);
    });
  }
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(server),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    return MakeError(Errc::kIo, std::string("tcp listen: ") + uv_strerror(rc));
  }
  servers_.push_back(server);
  return Ok();
}

void Inputs::OnConnection(uv_stream_t* server, int status) {
  if (status < 0 || closed_) return;
  auto* c = new Conn(this, opts_.max_line);
  uv_tcp_init(loop_, &c->handle);
  c->handle.data = c;
  c->open_handles = 1;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->handle)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->handle), OnConnHandleClosed);
    return;
  }
  int namelen = sizeof c->peer;
  uv_tcp_getpeername(&c->handle, reinterpret_cast<sockaddr*>(&c->peer), &namelen);
  c->source_key = SourceKey(c->peer);
  if (conns_.size() >= opts_.max_tcp_connections) {
    ++stats_.tcp_rejected;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->handle), OnConnHandleClosed);
    return;
  }
  uint32_t& from_source = per_source_[c->source_key];
  if (from_source >= opts_.max_tcp_per_source) {
    ++stats_.tcp_rejected_source;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->handle), OnConnHandleClosed);
    return;
  }
  ++from_source;
  ++stats_.tcp_accepted;
  conns_.insert(c);
  uv_timer_init(loop_, &c->idle);
  c->idle.data = c;
  ++c->open_handles;
  if (opts_.tcp_idle_ms > 0) {
    uv_timer_start(
        &c->idle,
        [](uv_timer_t* t) {
          auto* conn = static_cast<Conn*>(t->data);
          ++conn->owner->stats_.tcp_idle_closed;
          conn->owner->CloseConn(conn);
        },
        opts_.tcp_idle_ms, opts_.tcp_idle_ms);
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->handle),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        Inputs* self = static_cast<Conn*>(h->data)->owner;
        if (!self->read_buf_) self->read_buf_.reset(new char[kReadBuf]);
        *buf = uv_buf_init(self->read_buf_.get(), kReadBuf);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        auto* conn = static_cast<Conn*>(s->data);
        conn->owner->OnConnRead(conn, nread, buf);
      });
}

void Inputs::OnConnRead(Conn* c, ssize_t nread, const uv_buf_t* buf) {
  syslog::Frame f;
  Origin origin;
  origin.kind = Origin::kTcp;
  origin.addr = &c->peer;
  if (nread < 0) {
    if (c->framer.Finish(&f)) {
      ++stats_.tcp_frames;
      on_line_(f.data, false, origin);
    }
    CloseConn(c);
    return;
  }
  if (nread == 0) return;
  if (opts_.tcp_idle_ms > 0) uv_timer_again(&c->idle);
  c->framer.Append(std::string_view(buf->base, static_cast<size_t>(nread)));
  for (;;) {
    auto r = c->framer.Next(&f);
    if (!r) {
      ++stats_.framing_errors;
      CloseConn(c);
      return;
    }
    if (!*r) break;
    ++stats_.tcp_frames;
    if (f.truncated) ++stats_.truncated;
    on_line_(f.data, f.truncated, origin);
  }
}

void Inputs::CloseConn(Conn* c) {
  if (!conns_.erase(c)) return;
  auto it = per_source_.find(c->source_key);
  if (it != per_source_.end() && --it->second == 0) per_source_.erase(it);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->idle), OnConnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->handle), OnConnHandleClosed);
}

void Inputs::Close() {
  if (closed_) return;
  closed_ = true;
  for (Dgram* d : dgrams_) {
    uv_poll_stop(d->poll);
    if (!d->unix_path.empty()) unlink(d->unix_path.c_str());
    // The fd is closed only after libuv has forgotten it (its close callback).
    d->poll->data = reinterpret_cast<void*>(static_cast<intptr_t>(d->fd));
    uv_close(reinterpret_cast<uv_handle_t*>(d->poll), [](uv_handle_t* h) {
      close(static_cast<int>(reinterpret_cast<intptr_t>(h->data)));
      delete reinterpret_cast<uv_poll_t*>(h);
    });
    delete d;
  }
  dgrams_.clear();
  for (uv_tcp_t* s : servers_) {
    uv_close(reinterpret_cast<uv_handle_t*>(s),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  }
  servers_.clear();
  std::vector<Conn*> open(conns_.begin(), conns_.end());
  for (Conn* c : open) {
    // Deliver what the peer sent before the stop.
    syslog::Frame f;
    Origin origin;
    origin.kind = Origin::kTcp;
    origin.addr = &c->peer;
    if (c->framer.Finish(&f)) on_line_(f.data, false, origin);
    CloseConn(c);
  }
}

}  // namespace decnet::collector
