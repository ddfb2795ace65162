// Supervisor: runs worker executables as children on a libuv loop, the way systemd would: each child gets
// $NOTIFY_SOCKET pointing at a datagram socket the supervisor owns, so READY=1 / STOPPING=1 / WATCHDOG=1
// arrive exactly as under systemd (the sender is identified by SCM_CREDENTIALS). A child that exits while
// the supervisor is not stopping is restarted with exponential backoff (0.5 s doubling to 30 s; exit code 2,
// bad configuration, is not restarted, like RestartPreventExitStatus=2).
// Used by `decnet fleet up` and by the memory-floor harness.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decnet/core/loop.h"
#include "decnet/core/result.h"

namespace decnet::fleet {

enum class ChildState { kStarting, kReady, kStopping, kExited, kBackoff, kFailed };
const char* ChildStateName(ChildState s);

struct ChildSpec {
  std::string name;
  std::string path;                 // executable
  std::vector<std::string> args;    // without argv[0]
  std::map<std::string, std::string> env;  // added to the supervisor's environment
  std::string log_path;             // stdout+stderr appended here; empty: inherit
  bool restart = true;
};

struct ChildStatus {
  std::string name;
  ChildState state = ChildState::kStarting;
  pid_t pid = 0;
  int restarts = 0;
  int last_exit = -1;
  std::string status_text;  // STATUS= from the child
};

class Supervisor {
 public:
  // `notify_path`: where to create the notify socket (removed first if stale).
  Supervisor(uv_loop_t* loop, std::string notify_path);
  ~Supervisor();

  Status Start();
  // Adds and spawns a child.
  Status Spawn(ChildSpec spec);
  // SIGTERM to every child; SIGKILL after `timeout_ms`; `done` runs when all have exited.
  void StopAll(uint64_t timeout_ms, std::function<void()> done);
  // Stops one child (no restart).
  void Stop(const std::string& name);
  // Drops the children called `name` that are no longer running (exited or failed) from the table,
  // so a decky removed by deploy does not linger and a re-added one starts as a fresh entry.
  void Forget(const std::string& name);

  std::vector<ChildStatus> Children() const;
  const ChildStatus* Find(const std::string& name) const;
  // Called on every state change (READY, exit, restart).
  void OnChange(std::function<void(const ChildStatus&)> fn) { on_change_ = std::move(fn); }

 private:
  struct Child;
  void SpawnChild(Child& c);
  void OnExit(Child& c, int64_t status, int signal);
  void StopChild(Child& c);  // SIGTERM if running; a child waiting in backoff is marked exited
  void OnNotify();
  void MaybeAllStopped();

  uv_loop_t* loop_;
  std::string notify_path_;
  int notify_fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  std::vector<std::unique_ptr<Child>> children_;
  bool stopping_ = false;
  std::function<void()> on_all_stopped_;
  std::unique_ptr<Timer> kill_timer_;
  std::function<void(const ChildStatus&)> on_change_;
};

}  // namespace decnet::fleet
