#pragma once
#include <chrono>
#include <optional>
#include <string_view>

namespace hrapp::systemd {

/// Sends a state line ("READY=1", "WATCHDOG=1", "STOPPING=1") to $NOTIFY_SOCKET if set.
void notify(std::string_view state);
/// Half of $WATCHDOG_USEC, the interval to ping at, when systemd's watchdog is on.
std::optional<std::chrono::milliseconds> watchdog_interval();

}  // namespace hrapp::systemd
