#include "common/bounded_workers.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <latch>
#include <mutex>
#include <string>
#include <vector>

#include "common/errors.hpp"

namespace hrapp {
namespace {

/// The order in which jobs ran; `finished` counts them down.
struct RunOrder {
  explicit RunOrder(std::ptrdiff_t jobs) : finished(jobs) {}
  /// A job that records `name` when it runs.
  std::function<void()> job(std::string name) {
    return [this, name] {
      {
        const std::lock_guard lock(mutex);
        order.push_back(name);
      }
      finished.count_down();
    };
  }
  std::latch finished;
  std::mutex mutex;
  std::vector<std::string> order;
};

TEST(BoundedWorkers, KeysTakeTurnsSoOneKeysBacklogDoesNotHoldAnotherBack) {
  BoundedWorkers workers(1, 100);
  std::latch started(1), release(1);
  RunOrder run(6);
  workers.post("gate", [&] {
    started.count_down();
    release.wait();
  });
  started.wait();  // the only worker is busy: everything below waits in line
  for (int i = 1; i <= 4; ++i) workers.post("flood", run.job("flood" + std::to_string(i)));
  workers.post("alice", run.job("alice"));
  workers.post("bob", run.job("bob"));
  release.count_down();
  run.finished.wait();
  EXPECT_EQ(run.order, (std::vector<std::string>{"flood1", "alice", "bob", "flood2", "flood3", "flood4"}));
}

TEST(BoundedWorkers, AKeyWithNothingRunningGoesBeforeOneWithJobsRunning) {
  BoundedWorkers workers(2, 100);
  std::latch started(2), release_flood(1), release_other(1);
  RunOrder run(2);
  workers.post("flood", [&] {
    started.count_down();
    release_flood.wait();
  });
  workers.post("other", [&] {
    started.count_down();
    release_other.wait();
  });
  started.wait();  // both workers are busy, one of them with the flood's job
  workers.post("flood", run.job("flood"));
  workers.post("alice", run.job("alice"));
  release_other.count_down();  // one worker is free: the flood is first in turn, but has a job running
  run.finished.wait();
  release_flood.count_down();
  EXPECT_EQ(run.order, (std::vector<std::string>{"alice", "flood"}));
}

TEST(BoundedWorkers, RefusesAKeyPastItsShareAndEveryonePastTheTotal) {
  BoundedWorkers workers(1, 3, 0, 2);
  std::latch started(1), release(1);
  workers.post("gate", [&] {
    started.count_down();
    release.wait();
  });
  started.wait();
  workers.post("a", [] {});
  workers.post("a", [] {});
  EXPECT_THROW(workers.post("a", [] {}), TooManyRequests);
  workers.post("b", [] {});
  EXPECT_THROW(workers.post("c", [] {}), Unavailable);
  release.count_down();
}

TEST(BoundedWorkers, RunReturnsTheResultOnAWorker) {
  BoundedWorkers workers(2, 8);
  EXPECT_EQ(workers.run([] { return 6 * 7; }), 42);
}

}  // namespace
}  // namespace hrapp
