#include "decnet/bus/broker.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <set>

#include "decnet/bus/protocol.h"
#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/core/loop.h"

namespace decnet::bus {

// One client connection. Owned by the Broker through conns_; deleted in its pipe's close callback.
class Connection {
 public:
  Connection(Broker* broker, uint32_t id) : broker_(broker), id_(id) {
    pipe_ = new uv_pipe_t;
    pipe_->data = this;
  }
  uv_pipe_t* pipe() { return pipe_; }
  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }

  void StartReading() {
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(pipe_),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* c = static_cast<Connection*>(h->data);
          buf->base = c->rbuf_;
          buf->len = sizeof c->rbuf_;
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
          static_cast<Connection*>(s->data)->OnRead(n, buf);
        });
  }

  // Queues a frame; drops the oldest queued frame when the bound is reached.
  void Enqueue(std::shared_ptr<const std::string> frame) {
    if (closing_) return;
    auto& st = broker_->mutable_stats();
    if (queue_.size() >= broker_->options().queue_limit) {
      queue_.pop_front();
      ++dropped_;
      ++st.dropped;
    }
    queue_.push_back(std::move(frame));
    ++st.delivered;
    Flush();
  }

  void Close() {
    if (closing_) return;
    closing_ = true;
    broker_->Forget(this);
    uv_close(reinterpret_cast<uv_handle_t*>(pipe_), [](uv_handle_t* h) {
      auto* c = static_cast<Connection*>(h->data);
      delete reinterpret_cast<uv_pipe_t*>(h);
      delete c;
    });
  }

  // Flushes what is queued, then closes (used at broker shutdown).
  void CloseAfterFlush() {
    close_after_flush_ = true;
    if (!writing_) Close();
  }

  std::set<std::string, std::less<>> patterns;

 private:
  struct WriteReq {
    uv_write_t req;
    std::vector<std::shared_ptr<const std::string>> frames;
    Connection* conn;
  };

  void Flush() {
    if (writing_ || queue_.empty() || closing_) return;
    auto* w = new WriteReq;
    w->conn = this;
    // Batch up to 64 frames per write: one syscall for a burst, while the queue bound still applies
    // to what is not yet written.
    std::vector<uv_buf_t> bufs;
    while (!queue_.empty() && w->frames.size() < 64) {
      w->frames.push_back(std::move(queue_.front()));
      queue_.pop_front();
      const std::string& f = *w->frames.back();
      bufs.push_back(uv_buf_init(const_cast<char*>(f.data()), static_cast<unsigned>(f.size())));
    }
    w->req.data = w;
    writing_ = true;
    int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(pipe_), bufs.data(),
                      static_cast<unsigned>(bufs.size()), [](uv_write_t* req, int status) {
                        auto* w = static_cast<WriteReq*>(req->data);
                        Connection* c = w->conn;
                        delete w;
                        c->writing_ = false;
                        if (status < 0) {
                          c->Close();
                          return;
                        }
                        if (c->close_after_flush_ && c->queue_.empty()) {
                          c->Close();
                          return;
                        }
                        c->Flush();
                      });
    if (rc < 0) {
      delete w;
      writing_ = false;
      Close();
    }
  }

  void OnRead(ssize_t n, const uv_buf_t* buf) {
    if (n == UV_EOF || n < 0) {
      if (reader_.HasPartial()) {
        ++broker_->mutable_stats().bad_frames;
        DLOG_WARN("connection %s closed in the middle of a frame", name_.c_str());
      }
      Close();
      return;
    }
    if (n == 0) return;
    if (Status st = reader_.Feed({buf->base, static_cast<size_t>(n)}); !st) {
      Fail(st.error());
      return;
    }
    Frame f;
    Error err;
    while (!closing_ && reader_.Next(&f, &err)) {
      broker_->OnFrameFromClient(this, f);
    }
    if (!closing_ && !err.message.empty()) Fail(err);
  }

 public:
  void Fail(const Error& err) {
    ++broker_->mutable_stats().bad_frames;
    DLOG_WARN("closing connection %s: %s", name_.c_str(), err.message.c_str());
    Close();
  }
  void SetName(std::string n) { name_ = std::move(n); }
  uint64_t dropped() const { return dropped_; }
  // The peer's credentials, read once at accept (SO_PEERCRED: what the kernel saw at connect, not
  // what the peer claims in HELLO).
  void ReadPeerCred() {
    uv_os_fd_t fd;
    struct ucred cred {};
    socklen_t len = sizeof cred;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(pipe_), &fd) == 0 &&
        ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof cred) {
      has_cred_ = true;
      uid_ = cred.uid;
      pid_ = cred.pid;
    }
  }
  bool has_cred() const { return has_cred_; }
  uint32_t uid() const { return uid_; }
  int32_t pid() const { return pid_; }

 private:
  Broker* broker_;
  uint32_t id_;
  uv_pipe_t* pipe_;
  std::string name_ = "<unknown>";
  FrameReader reader_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  uint64_t dropped_ = 0;
  bool has_cred_ = false;
  uint32_t uid_ = 0;
  int32_t pid_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool close_after_flush_ = false;
  char rbuf_[65536];
};

Broker::Broker(uv_loop_t* loop, BrokerOptions opts) : loop_(loop), opts_(std::move(opts)) {
  if (opts_.control_uids.empty()) opts_.control_uids.push_back(static_cast<uint32_t>(::geteuid()));
}

bool IsControlTopic(std::string_view topic) {
  constexpr std::string_view kPrefix = "system.", kSuffix = ".control";
  if (topic.size() <= kPrefix.size() + kSuffix.size()) return false;
  if (topic.substr(0, kPrefix.size()) != kPrefix) return false;
  if (topic.substr(topic.size() - kSuffix.size()) != kSuffix) return false;
  std::string_view middle =
      topic.substr(kPrefix.size(), topic.size() - kPrefix.size() - kSuffix.size());
  return middle.find('.') == std::string_view::npos;
}

bool Broker::MayControl(const Connection* c) const {
  if (!c->has_cred()) return false;  // unknown peer: refuse rather than guess
  if (c->uid() == 0) return true;
  for (uint32_t u : opts_.control_uids) {
    if (u == c->uid()) return true;
  }
  return false;
}

Broker::~Broker() = default;

namespace {

// True when something accepts connections on `path` (a live broker).
bool SocketIsLive(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool live = ::connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return live;
}

// The gid of `name` from /etc/group, or -1. Read directly rather than through getgrnam(3): NSS
// would map libnss_systemd and friends into the broker for good (about 350 KiB of PSS measured) for
// one lookup. sysusers.d creates the decnet group in /etc/group, so the file is the source of truth
// here.
long GroupIdFromEtcGroup(const std::string& name) {
  FILE* f = std::fopen("/etc/group", "re");
  if (!f) return -1;
  char line[1024];
  long gid = -1;
  while (std::fgets(line, sizeof line, f)) {
    // name:password:gid:members
    char* c1 = std::strchr(line, ':');
    if (!c1 || static_cast<size_t>(c1 - line) != name.size() ||
        name.compare(0, name.size(), line, name.size()) != 0)
      continue;
    char* c2 = std::strchr(c1 + 1, ':');
    if (!c2) break;
    gid = std::strtol(c2 + 1, nullptr, 10);
    break;
  }
  std::fclose(f);
  return gid;
}

}  // namespace

long UserIdFromEtcPasswd(const std::string& user) {
  if (user.empty()) return -1;
  char* end = nullptr;
  long n = std::strtol(user.c_str(), &end, 10);
  if (end && *end == 0) return n >= 0 && n < 0xFFFFFFFFL ? n : -1;
  FILE* f = std::fopen("/etc/passwd", "re");
  if (!f) return -1;
  char line[1024];
  long uid = -1;
  while (std::fgets(line, sizeof line, f)) {
    // name:password:uid:gid:gecos:home:shell
    char* c1 = std::strchr(line, ':');
    if (!c1 || static_cast<size_t>(c1 - line) != user.size() ||
        user.compare(0, user.size(), line, user.size()) != 0) {
      continue;
    }
    char* c2 = std::strchr(c1 + 1, ':');
    if (c2) uid = std::strtol(c2 + 1, nullptr, 10);
    break;
  }
  std::fclose(f);
  return uid;
}

Status Broker::Listen() {
  const std::string& path = opts_.socket_path;
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return MakeError(Errc::kInvalidArgument, "socket path too long: " + path);
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return MakeError(Errc::kBusy, path + " exists and is not a socket; refusing to remove it");
    }
    if (SocketIsLive(path)) {
      return MakeError(Errc::kBusy, "a live broker already listens on " + path);
    }
    DLOG_NOTICE("removing stale socket %s", path.c_str());
    ::unlink(path.c_str());
  }
  server_ = new uv_pipe_t;
  uv_pipe_init(loop_, server_, 0);
  server_->data = this;
  // Create the socket with the final mode: no window where it is wider than 0660.
  mode_t old = ::umask(0777 & ~opts_.socket_mode);
  int rc = uv_pipe_bind(server_, path.c_str());
  ::umask(old);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(server_), 128, [](uv_stream_t* s, int status) {
      static_cast<Broker*>(s->data)->OnConnection(status);
    });
  }
  if (rc < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(server_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
    server_ = nullptr;
    return MakeError(Errc::kIo, "cannot listen on " + path + ": " + uv_strerror(rc));
  }
  ::chmod(path.c_str(), opts_.socket_mode);
  if (!opts_.group.empty()) {
    if (long gid = GroupIdFromEtcGroup(opts_.group); gid >= 0) {
      if (::chown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(gid)) != 0) {
        DLOG_DEBUG("chown %s to group %s: %s", path.c_str(), opts_.group.c_str(), strerror(errno));
      }
    }
  }
  return Ok();
}

void Broker::OnConnection(int status) {
  if (status < 0 || closing_) return;
  uint32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<uint32_t>(conns_.size());
    conns_.push_back(nullptr);
    stamp_.push_back(0);
  }
  auto* c = new Connection(this, id);
  uv_pipe_init(loop_, c->pipe(), 0);
  conns_[id] = c;
  ++live_;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(server_),
                reinterpret_cast<uv_stream_t*>(c->pipe())) != 0) {
    c->Close();
    return;
  }
  if (live_ > opts_.max_connections) {
    ++stats_.rejected;
    DLOG_WARN("refusing connection: %zu connections is the limit", opts_.max_connections);
    c->Close();
    return;
  }
  ++stats_.accepted;
  c->ReadPeerCred();
  c->StartReading();
}

void Broker::Forget(Connection* c) {
  for (const auto& p : c->patterns) trie_.Remove(p, c->id());
  c->patterns.clear();
  conns_[c->id()] = nullptr;
  free_ids_.push_back(c->id());
  --live_;
  MaybeDone();
}

void Broker::OnFrameFromClient(Connection* c, Frame& f) {
  switch (f.verb) {
    case Verb::kHello:
      c->SetName(f.args.empty() ? "<unnamed>" : f.args.substr(0, 128));
      DLOG_DEBUG("HELLO from %s", c->name().c_str());
      return;
    case Verb::kSub:
      if (!ValidPattern(f.args))
        return c->Fail(MakeError(Errc::kInvalidArgument, "bad SUB pattern"));
      if (c->patterns.size() >= opts_.max_patterns_per_conn) {
        return c->Fail(MakeError(Errc::kLimit, "too many patterns on one connection"));
      }
      if (c->patterns.insert(f.args).second) trie_.Add(f.args, c->id());
      return;
    case Verb::kUnsub:
      if (auto it = c->patterns.find(f.args); it != c->patterns.end()) {
        trie_.Remove(f.args, c->id());
        c->patterns.erase(it);
      }
      return;
    case Verb::kPub: {
      if (!ValidTopic(f.args)) return c->Fail(MakeError(Errc::kInvalidArgument, "bad PUB topic"));
      std::string type, payload = "{}";
      if (!f.body.empty()) {
        rapidjson::Document doc;
        if (Status st = json::ParseObject(f.body, doc); !st) {
          return c->Fail(MakeError(Errc::kInvalidArgument, "PUB body: " + st.error().message));
        }
        type = std::string(json::GetString(doc, "type"));
        auto it = doc.FindMember("payload");
        if (it != doc.MemberEnd() && it->value.IsObject()) payload = json::Serialize(it->value);
      }
      std::string sender;
      if (IsControlTopic(f.args)) {
        if (!MayControl(c)) {
          ++stats_.control_refused;
          DLOG_WARN("refused PUB %s from %s (uid %ld, pid %ld): not a control uid", f.args.c_str(),
                    c->name().c_str(), c->has_cred() ? static_cast<long>(c->uid()) : -1L,
                    c->has_cred() ? static_cast<long>(c->pid()) : -1L);
          return;
        }
        // The receiver logs who stopped it; the broker, not the publisher, vouches for this.
        json::JsonWriter j;
        j.Str("name", c->name()).Int("uid", c->uid()).Int("pid", c->pid());
        sender = j.Finish();
        DLOG_NOTICE("control PUB %s from %s (uid %u, pid %d)", f.args.c_str(), c->name().c_str(),
                    c->uid(), c->pid());
      }
      ++stats_.published;
      std::string body = MakeEventBody(f.args, type, payload, NowEpoch(), sender);
      if (body.size() > kMaxBodyBytes) return;  // cannot happen for a body that fit; be safe
      FanOut(f.args, std::make_shared<const std::string>(EncodeFrame(Verb::kEvt, f.args, body)), c);
      if (on_control_ && f.args == "system.bus.control") on_control_(payload);
      return;
    }
    case Verb::kBye:
      c->Close();
      return;
    case Verb::kEvt:
      return c->Fail(MakeError(Errc::kInvalidArgument, "EVT is server-to-client only"));
  }
}

void Broker::FanOut(std::string_view topic, std::shared_ptr<const std::string> frame,
                    Connection* origin) {
  const uint64_t seq = ++fanout_seq_;
  trie_.Match(topic, [&](uint32_t id) {
    Connection* c = conns_[id];
    if (!c || c == origin || stamp_[id] == seq) return;
    stamp_[id] = seq;
    c->Enqueue(frame);
  });
}

void Broker::PublishLocal(std::string_view topic, std::string_view type,
                          std::string_view payload_json) {
  ++stats_.published;
  std::string body = MakeEventBody(topic, type, payload_json, NowEpoch());
  FanOut(topic, std::make_shared<const std::string>(EncodeFrame(Verb::kEvt, topic, body)), nullptr);
}

void Broker::Close(std::function<void()> done) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(done);
  if (server_) {
    uv_close(reinterpret_cast<uv_handle_t*>(server_), [](uv_handle_t* h) {
      auto* b = static_cast<Broker*>(h->data);
      delete reinterpret_cast<uv_pipe_t*>(h);
      b->server_closed_ = true;
      b->MaybeDone();
    });
    server_ = nullptr;
    ::unlink(opts_.socket_path.c_str());
  } else {
    server_closed_ = true;
  }
  for (Connection* c : std::vector<Connection*>(conns_)) {
    if (c) c->CloseAfterFlush();
  }
  MaybeDone();
}

void Broker::MaybeDone() {
  if (closing_ && server_closed_ && live_ == 0 && on_closed_) {
    auto fn = std::move(on_closed_);
    on_closed_ = nullptr;
    fn();
  }
}

}  // namespace decnet::bus
