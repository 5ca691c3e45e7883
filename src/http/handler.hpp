#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/no_wait.hpp"
#include "http/message.hpp"

namespace hrapp::http {

/// Where a handler runs.
enum class Execution {
  io_thread,  // never blocks (no database, no bcrypt)
  blocking,   // waits on the database or storage: the blocking pool
  cpu_heavy,  // waits on bcrypt: a pool of its own, so a burst of sign-ins holds no thread
              // the other routes need
  /// A read: run on the I/O thread in a NoWaitScope, after the plan's prefetch (a PostgreSQL
  /// read on the loop's own connection) if it has one; moved to the blocking pool when it would
  /// wait. Saves the two thread hand-offs that cost a fast read more than the read itself.
  in_place_or_blocking,
};

/// How the request's body is framed, as its header declares it.
struct BodyFraming {
  bool present = false;                        // a body follows the header
  std::optional<std::uint64_t> content_length;  // absent when chunked
};

/// What the handler decides from a request's header alone, before any body byte is read. The
/// server reads the body, runs the handler where `execution` says, and hands the plan back, so
/// a request is routed once, on its decoded path.
struct RequestPlan {
  std::size_t body_limit = 0;
  Execution execution = Execution::io_thread;
  /// Log the request at debug level when it succeeds (health probes).
  bool quiet_when_ok = false;
  /// The handler's own index of the route it chose (negative: none), and what the route's
  /// pattern captured from the path.
  int route = -1;
  std::vector<std::string> captures;
  /// The answer, when the header alone decides it (no route, wrong method, another origin, a
  /// media type the route does not take): sent without reading the body.
  std::optional<Response> answer;
  /// The session must be checked (a database read) before the body is read: see admit().
  bool admit_before_body = false;
  /// Whose share of the body budget the body takes: admit() names the signed-in account, so an
  /// account's uploads hold one share from however many addresses; else the client's address.
  std::string body_sharer;
  /// What the handler will wait for that needs no thread: run first, on the loop.
  std::shared_ptr<Prefetch> prefetch;
};

/// The application, as the server sees it: a pure function from request to response.
class Handler {
 public:
  virtual ~Handler() = default;
  /// `request` has everything but its body. Never blocks: runs on the I/O thread.
  virtual RequestPlan plan(const Request& request, const BodyFraming& framing) const = 0;
  /// The checks of the header that wait on the database (the session), for a plan that asks for
  /// them; nullopt lets the body be read (and may name the plan's body sharer), a response
  /// refuses the request. Runs on the blocking pool. Never throws.
  virtual std::optional<Response> admit(const Request& request, RequestPlan& plan) = 0;
  /// Never throws: every failure becomes a response. The one exception: in a NoWaitScope, a
  /// handler that would wait throws WouldWait, having changed nothing.
  virtual Response handle(Request& request, const RequestPlan& plan) = 0;
  /// The response for a request the server refused before handling (bad framing, limits).
  virtual Response refuse(int status, std::string_view code, std::string_view message) const = 0;
};

}  // namespace hrapp::http
