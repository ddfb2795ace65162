// WorkPool: a few threads for the CPU-heavy work the API must not do on its event loop (Argon2id:
// ~19 MiB and tens of milliseconds per hash, so a login flood on the loop would stall every SSE
// stream and /healthz). Work runs on a pool thread; its `done` runs afterwards on the loop thread.
//
// Bounded: at most max_pending jobs queued or running; Submit() beyond that refuses (counted), and
// the caller answers "busy" at once. The loop never waits on the pool. Threads start at the first
// Submit(), so an idle API pays no thread stacks. Close() (on the loop thread, before the loop ends)
// drops what is queued, waits for the jobs running now, and discards their `done`.
#pragma once

#include <uv.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace decnet::api {

class WorkPool {
 public:
  WorkPool(uv_loop_t* loop, size_t threads, size_t max_pending);
  ~WorkPool();  // calls Close() if needed
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `work` for a pool thread; `done` runs on the loop thread after it. False (nothing
  // queued, counted in rejected()) when max_pending jobs are already in hand or the pool is closed.
  bool Submit(std::function<void()> work, std::function<void()> done);
  void Close();

  uint64_t submitted() const { return submitted_; }
  uint64_t rejected() const { return rejected_; }
  uint64_t completed() const { return completed_; }
  size_t pending() const { return pending_; }  // queued + running (loop thread's view)

 private:
  struct Job {
    std::function<void()> work, done;
  };
  void Run();
  void DrainDone();

  uv_loop_t* loop_;
  size_t threads_wanted_, max_pending_;
  uv_async_t* async_ = nullptr;  // owned until its close callback
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;              // guarded by mu_
  std::vector<std::function<void()>> finished_;  // guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  bool closed_ = false;                // loop thread
  size_t pending_ = 0;                 // loop thread
  uint64_t submitted_ = 0, rejected_ = 0, completed_ = 0;
};

}  // namespace decnet::api
