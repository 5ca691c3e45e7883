#pragma once
#include <atomic>
#include <chrono>

#include "store/database.hpp"

namespace hrapp::api {

/// The database's health, probed in the background (`probe` runs on the blocking pool every
/// second), so GET /health answers from memory on the I/O thread, fast under any load.
class HealthMonitor {
 public:
  explicit HealthMonitor(store::Database& db) : db_(db) {}
  void probe();
  /// Healthy if the last probe succeeded and is recent (a stuck probe counts as a failure).
  bool healthy() const;

 private:
  store::Database& db_;
  std::atomic<bool> last_ok_{false};
  std::atomic<std::int64_t> last_probe_ms_{0};
};

}  // namespace hrapp::api
