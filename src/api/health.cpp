#include "api/health.hpp"

#include "common/log.hpp"

namespace hrapp::api {
namespace {
std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void HealthMonitor::probe() {
  bool ok = false;
  try {
    auto conn = db_.connect();
    ok = conn->execute("SELECT 1").rows.size() == 1;
  } catch (const std::exception& e) {
    if (last_ok_) log::error("database health check failed", {{"error", std::string_view(e.what())}});
  }
  if (ok && !last_ok_ && last_probe_ms_ != 0) log::info("database reachable again", {});
  last_ok_ = ok;
  last_probe_ms_ = steady_ms();
}

bool HealthMonitor::healthy() const { return last_ok_ && steady_ms() - last_probe_ms_ < 5000; }

}  // namespace hrapp::api
