// The worker runtime (DESIGN.md §4) minus the bus: flags and config, self-logging, one malloc
// arena, SIGTERM/SIGINT, sd_notify READY/STOPPING/WATCHDOG, and the exit-code contract.
// decnet/bus/worker.h builds on it to add health heartbeats and the control topic.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "decnet/core/config.h"
#include "decnet/core/loop.h"

namespace decnet {

// The exit codes every worker uses; units set RestartPreventExitStatus=2.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

class Runtime {
 public:
  Runtime(std::string worker, std::string summary);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Declare worker keys here before Init(). Common keys are already declared: state_dir,
  // bus_socket, log_level, health_interval, stop_timeout.
  Config& config() { return config_; }
  const Config& config() const { return config_; }

  // Loads the config, sets up logging, the malloc arena and signal handlers, and takes the worker's
  // state lock. Returns an exit code when the process should exit now (0 after --help, 2 after a bad
  // flag or value or when another copy holds the lock, with the message on stderr).
  std::optional<int> Init(int argc, char** argv);

  // Call before Init() in a templated worker that runs once per instance: the state lock is then
  // `<state_dir>/locks/<worker>-<value of config_key>.lock` instead of `<worker>.lock`, so instances
  // exclude only a second copy of themselves (the decky uses key "decky").
  void SetLockKey(std::string config_key) { lock_key_ = std::move(config_key); }
  // The lock file this process holds after Init() ("" before).
  const std::string& lock_path() const { return lock_path_; }

  uv_loop_t* loop() { return &loop_; }
  const std::string& name() const { return name_; }

  // Called once when a stop is requested (signal, control message, RequestStop). The handler must
  // finish the batch in hand, flush, and close its handles so that the loop ends. If the loop is
  // still running after stop_timeout seconds, Run() stops it and returns kExitFailure. Handlers run
  // in reverse order of registration, so a worker's handlers run before those of the plumbing it is
  // built on.
  void OnStop(std::function<void()> fn) { on_stop_.push_back(std::move(fn)); }
  void RequestStop(int exit_code = kExitOk);
  bool stopping() const { return stopping_; }

  // Sends READY=1 and starts petting the watchdog if systemd asked for one.
  void NotifyReady(std::string_view status = {});

  // Runs the loop until every handle is closed. Returns the exit code.
  int Run();

 private:
  void StartSignals();
  void CloseSignals();  // closes and frees the signal handles (idempotent)
  bool FollowSupervisor();
  std::optional<int> TakeStateLock();
  std::string name_;
  std::string lock_key_;
  std::string lock_path_;
  int lock_fd_ = -1;
  Config config_;
  uv_loop_t loop_;
  uv_signal_t* sigterm_ = nullptr;
  uv_signal_t* sigint_ = nullptr;
  std::unique_ptr<Timer> watchdog_;
  std::unique_ptr<Timer> stop_deadline_;
  std::vector<std::function<void()>> on_stop_;
  bool stopping_ = false;
  bool deadline_hit_ = false;
  int exit_code_ = kExitOk;
};

// Creates the parent directories of `path` (mode 0750). Returns an error naming the directory.
// mkdir -p. Every directory that already exists on the way must be a directory owned by this
// process's effective uid, by root, or by `also_trusted_uid`: a directory another user owns could be
// swapped or filled with symlinks under us (issue 14, finding 1: root writing into a tree the
// `decnet` user owns). Root passes the state dir's owner as `also_trusted_uid` only for plain data.
inline constexpr uint32_t kNoTrustedUid = 0xFFFFFFFFu;
Status MakeParentDirs(const std::string& path, uint32_t also_trusted_uid = kNoTrustedUid);
Status MakeDirs(const std::string& dir, uint32_t also_trusted_uid = kNoTrustedUid);

}  // namespace decnet
