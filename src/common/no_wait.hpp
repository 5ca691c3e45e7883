#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>

namespace hrapp {

/// Work a request will wait for that needs no thread while it waits (a statement sent on an
/// event loop's own database connection), known from the request's header. The server starts it
/// on the request's event loop; when it is done, the request's work runs in a NoWaitScope that
/// carries it, and finds its result there.
class Prefetch {
 public:
  virtual ~Prefetch() = default;
  /// Starts the work. `done` runs on `loop` once it has ended, however it ended. `blocking` is
  /// where work that does block may go (opening a connection).
  virtual void start(boost::asio::any_io_executor loop, boost::asio::any_io_executor blocking,
                     std::function<void()> done) = 0;
};

/// Thrown by code that would have to wait (for a pooled connection, for a write lock) while the
/// thread is in a NoWaitScope. Nothing has been changed when it is thrown, so the caller can run
/// the same work again where waiting is fine. Not a std::exception: it is no failure, and the
/// handlers' catch-alls let it through to the server without a second throw.
class WouldWait {};

/// Marks the calling thread, while it lives, as one that must not wait: an I/O thread running a
/// read in place. Code that could wait asks `active()` and throws WouldWait instead.
class NoWaitScope {
 public:
  /// `done`: a prefetch that has ended, for the work to take its result from.
  explicit NoWaitScope(Prefetch* done = nullptr) : outer_(prefetched_) {
    depth_++;
    prefetched_ = done;
  }
  ~NoWaitScope() {
    depth_--;
    prefetched_ = outer_;
  }
  NoWaitScope(const NoWaitScope&) = delete;
  NoWaitScope& operator=(const NoWaitScope&) = delete;
  static bool active() { return depth_ > 0; }
  /// The ended prefetch this scope carries, or null.
  static Prefetch* prefetched() { return prefetched_; }
  /// Throws WouldWait when the calling thread is in a scope.
  static void check() {
    if (active()) throw WouldWait();
  }

 private:
  Prefetch* outer_;
  static thread_local inline int depth_ = 0;
  static thread_local inline Prefetch* prefetched_ = nullptr;
};

}  // namespace hrapp
