// Small owners for libuv handles. Each wrapper allocates its handle on the heap; the destructor calls
// uv_close and the close callback frees it, so a wrapper may be destroyed at any time on the loop's
// thread, even inside its own callback. Not movable, not copyable (libuv handles have fixed addresses).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

namespace decnet {

class Timer {
 public:
  explicit Timer(uv_loop_t* loop);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // (Re)arms: first after `timeout_ms`, then every `repeat_ms` (0: once).
  void Start(uint64_t timeout_ms, uint64_t repeat_ms, std::function<void()> fn);
  void Stop();
  // An unreferenced timer does not keep the loop alive (uv_unref).
  void Unref();

 private:
  uv_timer_t* handle_;
  std::function<void()> fn_;
};

// Closes every handle still open on `loop` and runs it until they are gone. For tests and shutdown
// paths: a loop must end with nothing left running.
void CloseAllHandles(uv_loop_t* loop);

// Wall-clock time as epoch seconds with microseconds.
double NowEpoch();

}  // namespace decnet
