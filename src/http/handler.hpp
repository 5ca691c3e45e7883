#pragma once
#include <cstddef>
#include <string_view>

#include "http/message.hpp"

namespace hrapp::http {

/// Where a handler runs.
enum class Execution {
  io_thread,  // never blocks (no database, no bcrypt)
  blocking,   // waits on the database or storage: the blocking pool
  cpu_heavy,  // waits on bcrypt: a pool of its own, so a burst of sign-ins holds no thread
              // the other routes need
};

/// What the server needs to know about a request once its header is read.
struct RequestPlan {
  std::size_t body_limit = 64 * 1024;
  Execution execution = Execution::blocking;
  /// Log the request at debug level when it succeeds (health probes).
  bool quiet_when_ok = false;
};

/// The application, as the server sees it: a pure function from request to response.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual RequestPlan plan(std::string_view method, std::string_view path) const = 0;
  /// Never throws: every failure becomes a response.
  virtual Response handle(Request& request) = 0;
  /// The response for a request the server refused before handling (bad framing, limits).
  virtual Response refuse(int status, std::string_view code, std::string_view message) const = 0;
};

}  // namespace hrapp::http
