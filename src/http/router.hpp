#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.hpp"
#include "http/message.hpp"

namespace hrapp::http {

/// How a route takes its body; checked before the handler runs (415 otherwise).
enum class BodyKind { none, json, multipart, json_or_multipart, csv };
/// open: anyone. session: the session is checked before the handler runs. session_in_read: the
/// handler's read checks the session in the same statement (one round trip); the request is
/// still refused unless the session is live, whatever the handler does.
enum class Access { open, session, session_in_read };

/// A route's handler gets the request and the path's `{name}` segments in order.
template <class Context>
struct Route {
  std::string method;
  std::string pattern;  // "/employees/{id}"; a trailing "/{*}" matches the rest of the path
  Access access = Access::open;
  BodyKind body = BodyKind::none;
  std::size_t body_limit = 64 * 1024;
  Execution execution = Execution::blocking;
  std::function<Response(Context&)> handle;
  /// A health probe: logged at debug level when it succeeds, so load-balancer checks do not
  /// flood the log.
  bool probe = false;
  /// For a route that runs `in_place_or_blocking`: the read its handler will make, from the
  /// header and the captures alone; null when there is none to make ahead.
  std::function<std::shared_ptr<Prefetch>(const Request&, const std::vector<std::string>&)> prefetch{};
  /// For the same: whether this request's read may be slow (a search, a deep page). It then runs
  /// on the blocking pool with nothing sent ahead, so it holds neither an I/O thread nor the
  /// reads queued behind it on the I/O thread's database connection.
  std::function<bool(const Request&)> slow{};
};

/// Matches a path against a pattern; fills the captured segments.
bool match_path(std::string_view pattern, std::string_view path, std::vector<std::string>& captures);

/// A routes table: finds the route for (method, path), or says which methods the path allows.
template <class Context>
class Router {
 public:
  explicit Router(std::vector<Route<Context>> routes) : routes_(std::move(routes)) {}

  struct Match {
    const Route<Context>* route = nullptr;
    std::vector<std::string> captures;
    std::vector<std::string> allowed;  // when the path matched but not the method
  };

  Match find(std::string_view method, std::string_view path) const {
    Match m;
    for (const auto& route : routes_) {
      std::vector<std::string> captures;
      if (!match_path(route.pattern, path, captures)) continue;
      if (route.method == method) {
        m.route = &route;
        m.captures = std::move(captures);
        return m;
      }
      m.allowed.push_back(route.method);
    }
    return m;
  }

  /// The table, in order: a route's index in it names the route (RequestPlan::route).
  const std::vector<Route<Context>>& routes() const { return routes_; }

 private:
  std::vector<Route<Context>> routes_;
};

}  // namespace hrapp::http
