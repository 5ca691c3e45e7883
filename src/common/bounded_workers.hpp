#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/errors.hpp"  // what submitting throws

namespace hrapp {

/// A fixed set of threads with a bounded queue, for CPU-heavy work (bcrypt, sign-ins). Jobs
/// wait in one line per key (a client's address). A free thread serves the line whose key has
/// the fewest jobs running, the lines taking turns among equals: a client with many jobs
/// running or waiting holds back one with a single job only until the next thread is free.
/// Submitting throws at once, instead of letting waits grow without end, when the queue is
/// full (Unavailable) or the key already has its share waiting (TooManyRequests).
class BoundedWorkers {
 public:
  /// `nice` > 0 lowers the threads' scheduling priority, so the I/O thread wins the CPU when
  /// both want it (bcrypt must not slow /health).
  BoundedWorkers(std::size_t threads, std::size_t max_queued, int nice = 0,
                 std::size_t max_queued_per_key = std::numeric_limits<std::size_t>::max());
  ~BoundedWorkers();
  BoundedWorkers(const BoundedWorkers&) = delete;
  BoundedWorkers& operator=(const BoundedWorkers&) = delete;

  /// Queues fn in the line of `key`; the future holds its result.
  template <class F>
  auto submit(std::string_view key, F fn) -> std::future<std::invoke_result_t<F>> {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
    auto result = task->get_future();
    post(key, [task] { (*task)(); });
    return result;
  }

  /// Runs fn on a worker, in the line of `key`, and waits for it: the caller's thread blocks,
  /// so call from a blocking pool.
  template <class F>
  auto run(std::string_view key, F fn) -> std::invoke_result_t<F> {
    return submit(key, std::move(fn)).get();
  }
  /// The same, for work that belongs to no one in particular (one shared line).
  template <class F>
  auto run(F fn) -> std::invoke_result_t<F> {
    return run({}, std::move(fn));
  }

  /// Queues `job` in the line of `key`.
  void post(std::string_view key, std::function<void()> job);

 private:
  void work();

  const std::size_t max_queued_;
  const std::size_t max_queued_per_key_;
  const int nice_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::map<std::string, std::deque<std::function<void()>>, std::less<>> lines_;
  std::deque<std::string> turns_;  // the keys with jobs waiting, in turn order
  std::map<std::string, std::size_t, std::less<>> running_;  // jobs running per key (none: absent)
  std::size_t queued_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hrapp
