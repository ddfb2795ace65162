#include "decnet/core/polled_job.h"

#include <utility>

namespace decnet {

PolledJob::PolledJob(uv_loop_t* loop, std::function<void()> job)
    : job_(std::move(job)),
      run_timer_(std::make_unique<Timer>(loop)),
      poll_timer_(std::make_unique<Timer>(loop)) {}

void PolledJob::StartPolling(uint64_t poll_ms) {
  if (poll_timer_) poll_timer_->Start(0, poll_ms, [this] { Wake(0); });
}

void PolledJob::Wake(uint64_t delay_ms) {
  if (pending_ || !run_timer_) return;
  pending_ = true;
  run_timer_->Start(delay_ms, 0, [this] {
    pending_ = false;
    job_();
  });
}

void PolledJob::Stop() {
  run_timer_.reset();
  poll_timer_.reset();
}

}  // namespace decnet
