#include "decnet/core/runtime.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "decnet/core/log.h"
#include "decnet/core/notify.h"

namespace decnet {

Runtime::Runtime(std::string worker, std::string summary)
    : name_(worker), config_(std::move(worker), std::move(summary)) {
  uv_loop_init(&loop_);
  config_.AddString("state_dir", "/var/lib/decnet", "directory for the DB, ingest files and state");
  config_.AddString("bus_socket", "",
                    "bus UNIX socket (default: /run/decnet/bus.sock, or "
                    "<state_dir>/bus.sock when state_dir is not the default)");
  config_.AddString("log_level", "info", "self-log threshold: debug, info, notice, warning, error");
  config_.AddInt("health_interval", 30, 1, 3600,
                 "seconds between system.<worker>.health heartbeats");
  config_.AddInt("stop_timeout", 10, 1, 600, "seconds a stop may take before the worker gives up");
}

Runtime::~Runtime() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // the kernel drops the flock with the last descriptor
  watchdog_.reset();
  stop_deadline_.reset();
  CloseSignals();  // still open when the worker returned before Run() (a start-up error)
  CloseAllHandles(&loop_);
  uv_loop_close(&loop_);
}

std::optional<int> Runtime::Init(int argc, char** argv) {
  // One malloc arena: workers are single-threaded; extra arenas are resident memory for nothing.
  mallopt(M_ARENA_MAX, 1);
  log::Init(name_);
  if (Status st = config_.Load(argc, argv); !st) {
    std::fprintf(stderr, "decnet-%s: %s\n", name_.c_str(), st.error().message.c_str());
    return kExitUsage;
  }
  if (config_.help_requested()) {
    std::fputs(config_.Usage().c_str(), stdout);
    return kExitOk;
  }
  if (!config_.positional().empty()) {
    std::fprintf(stderr, "decnet-%s: unexpected argument '%s' (see --help)\n", name_.c_str(),
                 config_.positional().front().c_str());
    return kExitUsage;
  }
  log::Level level;
  if (!log::ParseLevel(config_.String("log_level"), &level)) {
    std::fprintf(stderr,
                 "decnet-%s: invalid value '%s' for log_level (from %s): expected debug, "
                 "info, notice, warning or error\n",
                 name_.c_str(), config_.String("log_level").c_str(),
                 config_.Source("log_level").c_str());
    return kExitUsage;
  }
  log::SetThreshold(level);
  if (auto code = TakeStateLock()) return code;
  StartSignals();
  if (!FollowSupervisor()) return kExitOk;
  // Flag parsing (cxxopts builds std::regex objects) leaves freed heap behind; give it back before
  // idling.
  malloc_trim(0);
  return std::nullopt;
}

// One copy of a worker per state (issue 14, finding 5): two collectors on one ingest file duplicate
// every event, two ingesters race on one offset. An exclusive flock on
// <state_dir>/locks/<name>.lock is held for the life of the process (the descriptor is
// close-on-exec, so children do not keep it) and the kernel releases it however the process dies,
// so there is no stale lock to clean up.
std::optional<int> Runtime::TakeStateLock() {
  std::string lock_name = name_;
  if (!lock_key_.empty()) {
    const std::string& v = config_.String(lock_key_);
    // The value becomes a file name: one path component of printable characters.
    bool ok = !v.empty() && v.size() <= 200 && v != "." && v != "..";
    for (unsigned char ch : v) ok = ok && ch > 0x20 && ch < 0x7F && ch != '/';
    if (!ok) {
      std::fprintf(stderr,
                   "decnet-%s: invalid value '%s' for %s (from %s): expected a name without "
                   "'/' or spaces\n",
                   name_.c_str(), v.c_str(), lock_key_.c_str(), config_.Source(lock_key_).c_str());
      return kExitUsage;
    }
    lock_name += "-" + v;
  }
  const std::string dir = config_.String("state_dir") + "/locks";
  if (Status st = MakeDirs(dir); !st) {
    std::fprintf(stderr, "decnet-%s: %s\n", name_.c_str(), st.error().message.c_str());
    return kExitFailure;
  }
  const std::string path = dir + "/" + lock_name + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) {
    std::fprintf(stderr, "decnet-%s: cannot open lock file %s: %s\n", name_.c_str(), path.c_str(),
                 std::strerror(errno));
    return kExitFailure;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char holder[32] = {0};
    ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    while (n > 0 && (holder[n - 1] == '\n' || holder[n - 1] == ' ')) holder[--n] = 0;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::fprintf(stderr,
                   "decnet-%s: another decnet-%s already runs on this state (%s is locked by pid "
                   "%s); stop it first\n",
                   name_.c_str(), name_.c_str(), path.c_str(), n > 0 ? holder : "?");
      return kExitUsage;
    }
    std::fprintf(stderr, "decnet-%s: cannot lock %s: %s\n", name_.c_str(), path.c_str(),
                 std::strerror(err));
    return kExitFailure;
  }
  // Our pid in the file is for the message above and for operators; the lock itself is the flock.
  char pid[24];
  int len = std::snprintf(pid, sizeof pid, "%d\n", static_cast<int>(getpid()));
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid, static_cast<size_t>(len), 0) != len) {
    DLOG_DEBUG("cannot write pid to %s: %s", path.c_str(), std::strerror(errno));
  }
  lock_fd_ = fd;
  lock_path_ = path;
  return std::nullopt;
}

// Under `decnet fleet up` the launcher is our parent and says so in DECNET_SUPERVISOR_PID: if it
// dies, even by SIGKILL, the kernel sends us SIGTERM and we stop as usual. (systemd does not set
// it.) Returns false when that supervisor is already gone (it died between our fork and the prctl).
bool Runtime::FollowSupervisor() {
  const char* pid = std::getenv("DECNET_SUPERVISOR_PID");
  if (!pid || !*pid) return true;
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (std::to_string(getppid()) == pid) return true;
  DLOG_WARN("supervisor %s is gone before we started; exiting", pid);
  return false;
}

void Runtime::StartSignals() {
  // A peer that closes its socket while we write to it (the bus stopping first, a client hanging
  // up) must be an EPIPE the caller handles, not a death by SIGPIPE that the supervisor reads as a
  // crash.
  std::signal(SIGPIPE, SIG_IGN);
  auto start = [this](int signum) {
    auto* h = new uv_signal_t;
    uv_signal_init(&loop_, h);
    h->data = this;
    uv_signal_start(
        h,
        [](uv_signal_t* s, int sig) {
          DLOG_INFO("received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
          static_cast<Runtime*>(s->data)->RequestStop(kExitOk);
        },
        signum);
    // Signal handles must not keep the loop alive once the worker closed everything else.
    uv_unref(reinterpret_cast<uv_handle_t*>(h));
    return h;
  };
  sigterm_ = start(SIGTERM);
  sigint_ = start(SIGINT);
}

void Runtime::CloseSignals() {
  for (uv_signal_t* s : {sigterm_, sigint_}) {
    if (s && !uv_is_closing(reinterpret_cast<uv_handle_t*>(s))) {
      uv_close(reinterpret_cast<uv_handle_t*>(s),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
    }
  }
  sigterm_ = sigint_ = nullptr;
}

void Runtime::RequestStop(int exit_code) {
  if (stopping_) return;
  stopping_ = true;
  exit_code_ = exit_code;
  SdNotify("STOPPING=1");
  watchdog_.reset();
  CloseSignals();
  stop_deadline_ = std::make_unique<Timer>(&loop_);
  stop_deadline_->Start(static_cast<uint64_t>(config_.Int("stop_timeout")) * 1000, 0, [this] {
    DLOG_ERROR("stop took longer than %lld s; giving up",
               static_cast<long long>(config_.Int("stop_timeout")));
    deadline_hit_ = true;
    uv_stop(&loop_);
  });
  stop_deadline_->Unref();
  // Last registered runs first (like destructors): the worker's own handlers flush before the
  // runtime's plumbing (bus client, heartbeat) registered earlier goes away. Each runs exactly
  // once.
  auto handlers = std::move(on_stop_);
  for (auto it = handlers.rbegin(); it != handlers.rend(); ++it) (*it)();
}

void Runtime::NotifyReady(std::string_view status) {
  std::string msg = "READY=1\nMAINPID=" + std::to_string(getpid());
  if (!status.empty()) msg += "\nSTATUS=" + std::string(status);
  SdNotify(msg);
  const uint64_t usec = WatchdogUsec();
  if (usec > 0) {
    watchdog_ = std::make_unique<Timer>(&loop_);
    const uint64_t every_ms = usec / 2000 ? usec / 2000 : 1;  // pet at half the interval
    watchdog_->Start(every_ms, every_ms, [] { SdNotify("WATCHDOG=1"); });
    watchdog_->Unref();
  }
}

int Runtime::Run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  watchdog_.reset();
  stop_deadline_.reset();
  if (deadline_hit_) return kExitFailure;
  return exit_code_;
}

Status MakeDirs(const std::string& dir, uint32_t also_trusted_uid) {
  if (dir.empty()) return Ok();
  const uid_t me = ::geteuid();
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0750) == 0) continue;
    if (errno != EEXIST) {
      return MakeError(Errc::kIo, "cannot create directory " + cur + ": " + std::strerror(errno));
    }
    struct stat st;
    if (::stat(cur.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return MakeError(Errc::kIo, cur + " exists and is not a directory");
    }
    if (st.st_uid != me && st.st_uid != 0 && st.st_uid != also_trusted_uid) {
      return MakeError(Errc::kIo, "refusing directory " + cur + ": owned by uid " +
                                      std::to_string(st.st_uid) + ", not by uid " +
                                      std::to_string(me) + " or root");
    }
  }
  return Ok();
}

Status MakeParentDirs(const std::string& path, uint32_t also_trusted_uid) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return Ok();
  return MakeDirs(path.substr(0, slash), also_trusted_uid);
}

}  // namespace decnet
