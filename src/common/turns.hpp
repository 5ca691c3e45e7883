#pragma once
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace hrapp {

/// At most `running` of one kind of work at once, process-wide; the rest wait their turn in the
/// order they came, and a finished turn passes to the first waiter alone. (A counting semaphore
/// promises no order: under load some waiters of std::counting_semaphore waited 0.6 s while
/// others went first. One condition for all waiters wakes them all at every turn.)
class Turns {
 public:
  explicit Turns(std::size_t running) : running_(running) {}

  /// A turn, held until it is destroyed.
  class Turn {
   public:
    explicit Turn(Turns& turns) : turns_(&turns) {}
    Turn(Turn&& other) noexcept : turns_(std::exchange(other.turns_, nullptr)) {}
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    Turn& operator=(Turn&&) = delete;
    ~Turn() {
      if (turns_) turns_->finish();
    }

   private:
    Turns* turns_;
  };

  /// Waits for this caller's turn, at most `wait`; nullopt when it did not come in time.
  std::optional<Turn> take(std::chrono::steady_clock::duration wait) {
    std::unique_lock lock(mutex_);
    if (active_ < running_ && waiting_.empty()) {
      ++active_;
      return Turn(*this);
    }
    Waiter self;
    waiting_.push_back(&self);
    if (!self.ready.wait_for(lock, wait, [&] { return self.admitted; })) {
      waiting_.erase(std::ranges::find(waiting_, &self));
      return std::nullopt;
    }
    return Turn(*this);
  }

  /// How many callers wait for a turn now.
  std::size_t waiting() {
    const std::lock_guard lock(mutex_);
    return waiting_.size();
  }

 private:
  struct Waiter {
    std::condition_variable ready;
    bool admitted = false;
  };

  /// The finished turn passes to the first waiter, if any.
  void finish() {
    const std::lock_guard lock(mutex_);
    if (waiting_.empty()) {
      --active_;
      return;
    }
    Waiter* next = waiting_.front();
    waiting_.pop_front();
    next->admitted = true;
    next->ready.notify_one();
  }

  std::size_t running_;
  std::mutex mutex_;
  std::size_t active_ = 0;
  std::deque<Waiter*> waiting_;
};

}  // namespace hrapp
