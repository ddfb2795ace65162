#include "decnet/fleet/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "decnet/core/log.h"

extern char** environ;

namespace decnet::fleet {

const char* ChildStateName(ChildState s) {
  switch (s) {
    case ChildState::kStarting:
      return "starting";
    case ChildState::kReady:
      return "ready";
    case ChildState::kStopping:
      return "stopping";
    case ChildState::kExited:
      return "exited";
    case ChildState::kBackoff:
      return "backoff";
    case ChildState::kFailed:
      return "failed";
  }
  return "?";
}

struct Supervisor::Child {
  ChildSpec spec;
  ChildStatus status;
  uv_process_t* proc = nullptr;
  std::unique_ptr<Timer> restart_timer;
  uint64_t backoff_ms = 500;
  bool stop_requested = false;
  Supervisor* owner = nullptr;
};

Supervisor::Supervisor(uv_loop_t* loop, std::string notify_path)
    : loop_(loop), notify_path_(std::move(notify_path)) {}

Supervisor::~Supervisor() {
  if (poll_) {
    uv_close(reinterpret_cast<uv_handle_t*>(poll_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
  }
  if (notify_fd_ >= 0) ::close(notify_fd_);
  ::unlink(notify_path_.c_str());
  for (auto& c : children_) {
    c->restart_timer.reset();
    if (c->proc) {
      c->proc->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(c->proc),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_process_t*>(h); });
    }
  }
}

Status Supervisor::Start() {
  ::unlink(notify_path_.c_str());
  notify_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (notify_fd_ < 0) return MakeError(Errc::kIo, std::string("socket: ") + std::strerror(errno));
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (notify_path_.size() >= sizeof addr.sun_path) {
    return MakeError(Errc::kInvalidArgument, "notify socket path too long: " + notify_path_);
  }
  std::strcpy(addr.sun_path, notify_path_.c_str());
  if (::bind(notify_fd_, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    return MakeError(Errc::kIo, "bind " + notify_path_ + ": " + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(notify_fd_, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  poll_ = new uv_poll_t;
  uv_poll_init(loop_, poll_, notify_fd_);
  poll_->data = this;
  uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* p, int status, int) {
    if (status == 0) static_cast<Supervisor*>(p->data)->OnNotify();
  });
  return Ok();
}

void Supervisor::OnNotify() {
  for (;;) {
    char buf[4096];
    union {
      struct cmsghdr align;
      char data[CMSG_SPACE(sizeof(struct ucred))];
    } ctrl;
    struct iovec iov = {buf, sizeof buf - 1};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctrl.data;
    msg.msg_controllen = sizeof ctrl.data;
    ssize_t n = ::recvmsg(notify_fd_, &msg, MSG_DONTWAIT);
    if (n < 0) return;
    buf[n] = '\0';
    pid_t pid = 0;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        struct ucred cred;
        std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
        pid = cred.pid;
      }
    }
    // on_change_ may spawn children (and so grow children_): call it only after the scan.
    bool became_ready = false;
    ChildStatus changed;
    for (auto& ch : children_) {
      if (ch->status.pid != pid || pid == 0) continue;
      std::string text(buf, static_cast<size_t>(n));
      size_t pos = 0;
      while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line == "READY=1" && ch->status.state == ChildState::kStarting) {
          ch->status.state = ChildState::kReady;
          ch->backoff_ms = 500;
          became_ready = true;
          changed = ch->status;
        } else if (line.rfind("STATUS=", 0) == 0) {
          ch->status.status_text = line.substr(7);
        }
      }
      break;
    }
    if (became_ready && on_change_) on_change_(changed);
  }
}

Status Supervisor::Spawn(ChildSpec spec) {
  auto c = std::make_unique<Child>();
  c->status.name = spec.name;
  c->spec = std::move(spec);
  c->owner = this;
  children_.push_back(std::move(c));
  SpawnChild(*children_.back());
  return children_.back()->status.state == ChildState::kFailed
             ? MakeError(Errc::kIo, "cannot start " + children_.back()->spec.path)
             : Ok();
}

void Supervisor::SpawnChild(Child& c) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    std::string key = kv.substr(0, kv.find('='));
    if (key == "NOTIFY_SOCKET" || key == "DECNET_SUPERVISOR_PID" || c.spec.env.count(key)) continue;
    env_strings.push_back(kv);
  }
  for (const auto& [k, v] : c.spec.env) env_strings.push_back(k + "=" + v);
  env_strings.push_back("NOTIFY_SOCKET=" + notify_path_);
  // The worker runtime asks the kernel for SIGTERM when this process dies (PR_SET_PDEATHSIG), so a
  // launcher killed with SIGKILL does not leave an orphaned fleet behind.
  env_strings.push_back("DECNET_SUPERVISOR_PID=" + std::to_string(getpid()));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  argv.push_back(c.spec.path.data());
  for (auto& a : c.spec.args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int log_fd = -1;
  if (!c.spec.log_path.empty()) {
    log_fd = ::open(c.spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  }
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  for (int i = 1; i < 3; ++i) {
    stdio[i].flags = UV_INHERIT_FD;
    stdio[i].data.fd = log_fd >= 0 ? log_fd : i;
  }
  uv_process_options_t opts{};
  opts.file = c.spec.path.c_str();
  opts.args = argv.data();
  opts.env = envp.data();
  opts.stdio = stdio;
  opts.stdio_count = 3;
  opts.exit_cb = [](uv_process_t* p, int64_t status, int sig) {
    auto* child = static_cast<Child*>(p->data);
    if (child) child->owner->OnExit(*child, status, sig);
  };
  c.proc = new uv_process_t;
  c.proc->data = &c;
  int rc = uv_spawn(loop_, c.proc, &opts);
  if (log_fd >= 0) ::close(log_fd);
  if (rc < 0) {
    DLOG_ERROR("cannot start %s: %s", c.spec.path.c_str(), uv_strerror(rc));
    uv_close(reinterpret_cast<uv_handle_t*>(c.proc),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_process_t*>(h); });
    c.proc = nullptr;
    c.status.state = ChildState::kFailed;
    if (on_change_) on_change_(c.status);
    return;
  }
  c.status.pid = c.proc->pid;
  c.status.state = ChildState::kStarting;
  if (on_change_) on_change_(c.status);
}

void Supervisor::OnExit(Child& c, int64_t status, int sig) {
  c.status.last_exit = sig ? 128 + sig : static_cast<int>(status);
  c.status.pid = 0;
  uv_close(reinterpret_cast<uv_handle_t*>(c.proc),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_process_t*>(h); });
  c.proc = nullptr;
  const bool restart = !stopping_ && !c.stop_requested && c.spec.restart && status != 2;
  if (!restart) {
    c.status.state = (status == 0 && !sig) || c.stop_requested || stopping_ ? ChildState::kExited
                                                                            : ChildState::kFailed;
    if (on_change_) on_change_(c.status);
    MaybeAllStopped();
    return;
  }
  DLOG_WARN("%s exited (%d); restarting in %llu ms", c.spec.name.c_str(), c.status.last_exit,
            static_cast<unsigned long long>(c.backoff_ms));
  c.status.state = ChildState::kBackoff;
  ++c.status.restarts;
  if (on_change_) on_change_(c.status);
  c.restart_timer = std::make_unique<Timer>(loop_);
  c.restart_timer->Start(c.backoff_ms, 0, [this, &c] {
    if (!stopping_ && !c.stop_requested) SpawnChild(c);
  });
  c.backoff_ms = std::min<uint64_t>(c.backoff_ms * 2, 30000);
}

void Supervisor::Stop(const std::string& name) {
  for (auto& c : children_) {
    if (c->spec.name != name) continue;
    c->stop_requested = true;
    StopChild(*c);
  }
}

void Supervisor::Forget(const std::string& name) {
  std::erase_if(children_, [&](const std::unique_ptr<Child>& c) {
    return c->spec.name == name && c->proc == nullptr &&
           (c->status.state == ChildState::kExited || c->status.state == ChildState::kFailed);
  });
}

void Supervisor::StopChild(Child& c) {
  c.restart_timer.reset();
  if (c.proc) {
    c.status.state = ChildState::kStopping;
    uv_process_kill(c.proc, SIGTERM);
  } else if (c.status.state == ChildState::kBackoff) {
    // Waiting to be restarted: nothing runs, so it is stopped now (not left showing "backoff").
    c.status.state = ChildState::kExited;
    if (on_change_) on_change_(c.status);
  }
}

void Supervisor::StopAll(uint64_t timeout_ms, std::function<void()> done) {
  stopping_ = true;
  on_all_stopped_ = std::move(done);
  // Reverse start order: the bus (started first) goes last so the others can say goodbye.
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
    StopChild(**it);
  }
  kill_timer_ = std::make_unique<Timer>(loop_);
  kill_timer_->Start(timeout_ms, 0, [this] {
    for (auto& c : children_) {
      if (c->proc) {
        DLOG_WARN("%s did not stop in time; SIGKILL", c->spec.name.c_str());
        uv_process_kill(c->proc, SIGKILL);
      }
    }
  });
  MaybeAllStopped();
}

void Supervisor::MaybeAllStopped() {
  if (!stopping_) return;
  for (auto& c : children_) {
    if (c->proc) return;
  }
  kill_timer_.reset();
  if (on_all_stopped_) {
    auto fn = std::move(on_all_stopped_);
    on_all_stopped_ = nullptr;
    fn();
  }
}

std::vector<ChildStatus> Supervisor::Children() const {
  std::vector<ChildStatus> out;
  for (auto& c : children_) out.push_back(c->status);
  return out;
}

const ChildStatus* Supervisor::Find(const std::string& name) const {
  for (auto& c : children_) {
    if (c->spec.name == name) return &c->status;
  }
  return nullptr;
}

}  // namespace decnet::fleet
