#pragma once
#include <stdexcept>

namespace hrapp {

/// Thrown by code that would have to wait (for a pooled connection, for a write lock) while the
/// thread is in a NoWaitScope. Nothing has been changed when it is thrown, so the caller can run
/// the same work again where waiting is fine.
class WouldWait : public std::runtime_error {
 public:
  WouldWait() : std::runtime_error("the work would wait") {}
};

/// Marks the calling thread, while it lives, as one that must not wait: an I/O thread running a
/// read in place. Code that could wait asks `active()` and throws WouldWait instead.
class NoWaitScope {
 public:
  NoWaitScope() { depth_++; }
  ~NoWaitScope() { depth_--; }
  NoWaitScope(const NoWaitScope&) = delete;
  NoWaitScope& operator=(const NoWaitScope&) = delete;
  static bool active() { return depth_ > 0; }
  /// Throws WouldWait when the calling thread is in a scope.
  static void check() {
    if (active()) throw WouldWait();
  }

 private:
  static thread_local inline int depth_ = 0;
};

}  // namespace hrapp
