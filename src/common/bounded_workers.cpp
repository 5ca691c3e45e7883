#include "common/bounded_workers.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace hrapp {

BoundedWorkers::BoundedWorkers(std::size_t threads, std::size_t max_queued, int nice)
    : max_queued_(max_queued), nice_(nice) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

BoundedWorkers::~BoundedWorkers() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void BoundedWorkers::enqueue(std::function<void()> job) {
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued_) throw Unavailable("the server is busy; try again shortly");
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void BoundedWorkers::work() {
  // Linux applies a nice value per thread; failure only means normal priority.
  if (nice_ != 0) static_cast<void>(::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice_));
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to finish
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace hrapp
