#pragma once
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "api/health.hpp"
#include "auth/auth_service.hpp"
#include "domain/employee_service.hpp"
#include "http/handler.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

namespace hrapp::api {

/// What a route handler sees.
struct Context {
  http::Request& request;
  std::vector<std::string> captures;
  std::optional<User> user;                    // set on session routes once the session is checked
  std::optional<store::SessionCheck> session;  // on session routes: the check of the request's cookie
};

struct ApiOptions {
  std::size_t max_image_bytes = 5 * 1024 * 1024;
  std::optional<std::string> image_origin;  // allowed in the CSP's img-src (S3)
  /// Clients reach the app over HTTPS only (a TLS load balancer in front): the session cookie
  /// is always Secure and carries the __Host- prefix, and every response sends HSTS.
  bool https_only = false;
};

/// The application's HTTP face: routes, the checks every request passes (origin, content
/// type, session), security headers, and the mapping of errors to responses.
class Api final : public http::Handler {
 public:
  Api(auth::AuthService& auth, EmployeeService& employees, const HealthMonitor& health, const http::StaticFiles& web,
      ApiOptions options);
  http::RequestPlan plan(const http::Request& request, const http::BodyFraming& framing) const override;
  std::optional<http::Response> admit(const http::Request& request, const http::RequestPlan& plan) override;
  http::Response handle(http::Request& request, const http::RequestPlan& plan) override;
  http::Response refuse(int status, std::string_view code, std::string_view message) const override;

 private:
  http::Response dispatch(http::Request& request, const http::RequestPlan& plan);
  /// Runs `fn`, turning what it throws into the error response; adds the security headers.
  template <class Fn>
  std::optional<http::Response> guarded(const http::Request& request, Fn&& fn) const;
  /// A request no route takes: a web UI file, 405 with Allow, or 404 (thrown).
  http::Response unrouted(const http::Request& request, const std::vector<std::string>& allowed) const;
  /// Refuses (and logs) an unsafe request from another site or origin.
  void check_origin(const http::Request& request) const;
  /// The check of the request's session cookie (a database read); nullopt without one.
  std::optional<store::SessionCheck> session_of(const http::Request& request) const;
  /// The read a directory route's handler will make, to send before it runs; null when the
  /// request will not get to it (no session cookie, a malformed id or query).
  template <class Make>
  std::shared_ptr<Prefetch> prefetch_for(const http::Request& request, Make&& make) const;
  /// GET /employees's query parameters; throws AppError naming each one that is invalid.
  static EmployeeQuery list_query(const http::Request& request);
  void add_security_headers(http::Response& response) const;
  std::string session_cookie(const http::Request& request, std::string_view value, long max_age_seconds) const;
  /// Sets `c.user` from the session (one query) unless a read already did; throws Unauthorized.
  void require_user(Context& c);
  /// Makes `read` under the request's session, in one statement, and applies the session policy
  /// to what it found; returns what was read. Throws Unauthorized.
  template <class Read>
  auto read_as_user(Context& c, Read&& read);
  std::vector<http::Route<Context>> routes();

  http::Response health(Context&);
  template <class Attempt>
  auto logged_sign_in(Context& c, std::string_view action, Attempt&& attempt);
  http::Response register_user(Context&);
  http::Response login(Context&);
  http::Response logout(Context&);
  http::Response me(Context&);
  http::Response create_employee(Context&);
  http::Response list_employees(Context&);
  http::Response get_employee(Context&);
  http::Response update_employee(Context&, bool replace_all);
  http::Response delete_employee(Context&);
  http::Response departments(Context&);
  http::Response image(Context&);
  void append_employee(std::string& out, const Employee& e) const;
  http::Response employee_json(int status, const Employee& e) const;

  auth::AuthService& auth_;
  EmployeeService& employees_;
  const HealthMonitor& health_;
  const http::StaticFiles& web_;
  ApiOptions options_;
  std::string csp_;
  std::string session_cookie_;
  http::Router<Context> router_;
};

}  // namespace hrapp::api
