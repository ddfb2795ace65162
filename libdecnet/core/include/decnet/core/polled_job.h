// A job a worker runs on its loop when an event hints there is work (debounced) and on a slow poll
// (so a quiet or absent bus cannot starve it): the wiring the DB-reading workers share.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "decnet/core/loop.h"

namespace decnet {

class PolledJob {
 public:
  PolledJob(uv_loop_t* loop, std::function<void()> job);
  PolledJob(const PolledJob&) = delete;
  PolledJob& operator=(const PolledJob&) = delete;

  // Runs the job once at once, then asks for a run every `poll_ms`.
  void StartPolling(uint64_t poll_ms);
  // Runs the job after `delay_ms`, unless a run is already pending: requests made before it starts
  // are served by that one run. The job may call Wake itself (e.g. Wake(0) to continue a backlog on
  // the next loop turn). Does nothing after Stop().
  void Wake(uint64_t delay_ms);
  // Closes the timers so the loop can end. The job is never run again.
  void Stop();

 private:
  std::function<void()> job_;
  std::unique_ptr<Timer> run_timer_;
  std::unique_ptr<Timer> poll_timer_;
  bool pending_ = false;
};

}  // namespace decnet
