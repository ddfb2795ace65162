#include "decnet/api/work_pool.h"

namespace decnet::api {

WorkPool::WorkPool(uv_loop_t* loop, size_t threads, size_t max_pending)
    : loop_(loop), threads_wanted_(threads == 0 ? 1 : threads), max_pending_(max_pending) {}

WorkPool::~WorkPool() { Close(); }

bool WorkPool::Submit(std::function<void()> work, std::function<void()> done) {
  if (closed_ || pending_ >= max_pending_) {
    rejected_++;
    return false;
  }
  if (async_ == nullptr) {
    async_ = new uv_async_t;
    uv_async_init(loop_, async_, [](uv_async_t* a) { static_cast<WorkPool*>(a->data)->DrainDone(); });
    async_->data = this;
    // Not what keeps the loop alive: the connection waiting for the answer is.
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));
  }
  if (threads_.empty()) {
    for (size_t i = 0; i < threads_wanted_; ++i) threads_.emplace_back([this] { Run(); });
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back(Job{std::move(work), std::move(done)});
  }
  cv_.notify_one();
  pending_++;
  submitted_++;
  return true;
}

void WorkPool::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.work();
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_) return;
      finished_.push_back(std::move(job.done));
    }
    uv_async_send(async_);
  }
}

void WorkPool::DrainDone() {
  std::vector<std::function<void()>> done;
  {
    std::lock_guard<std::mutex> l(mu_);
    done.swap(finished_);
  }
  for (auto& d : done) {
    pending_--;
    completed_++;
    if (!closed_ && d) d();
  }
}

void WorkPool::Close() {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    queue_.clear();
    finished_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (async_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(async_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    async_ = nullptr;
  }
}

}  // namespace decnet::api
