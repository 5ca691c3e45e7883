#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/errors.hpp"

namespace hrapp {

/// A fixed set of threads with a bounded queue, for CPU-heavy work (bcrypt). When the queue is
/// full, submit() throws Unavailable at once instead of letting waits grow without end.
class BoundedWorkers {
 public:
  /// `nice` > 0 lowers the threads' scheduling priority, so the I/O thread wins the CPU when
  /// both want it (bcrypt must not slow /health).
  BoundedWorkers(std::size_t threads, std::size_t max_queued, int nice = 0);
  ~BoundedWorkers();
  BoundedWorkers(const BoundedWorkers&) = delete;
  BoundedWorkers& operator=(const BoundedWorkers&) = delete;

  template <class F>
  auto submit(F fn) -> std::future<std::invoke_result_t<F>> {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
    auto result = task->get_future();
    enqueue([task] { (*task)(); });
    return result;
  }

  /// Runs fn on a worker and waits for it: the caller's thread blocks, so call from a blocking pool.
  template <class F>
  auto run(F fn) -> std::invoke_result_t<F> {
    return submit(std::move(fn)).get();
  }

 private:
  void enqueue(std::function<void()> job);
  void work();

  const std::size_t max_queued_;
  const int nice_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hrapp
