#pragma once
#include <chrono>
#include <thread>

namespace hrapp::testing {

/// Waits until `condition` holds (another thread's, or another process's, progress), asking
/// every millisecond for at most `limit`; whether it held.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace hrapp::testing
