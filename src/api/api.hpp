#pragma once
#include <optional>
#include <string>
#include <vector>

#include "api/accounts.hpp"
#include "api/employees.hpp"
#include "api/health.hpp"
#include "api/sessions.hpp"
#include "http/handler.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

namespace hrapp::api {

struct ApiOptions {
  std::size_t max_image_bytes = 5 * 1024 * 1024;
  std::optional<std::string> image_origin;  // allowed in the CSP's img-src (S3)
  /// Clients reach the app over HTTPS only (a TLS load balancer in front): the session cookie
  /// is always Secure and carries the __Host- prefix, and every response sends HSTS.
  bool https_only = false;
};

/// The application's HTTP face: the routes of every resource, the checks every request passes
/// (origin, content type, session), security headers, and the mapping of errors to responses.
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
  void add_security_headers(http::Response& response) const;
  http::Response health() const;
  std::vector<http::Route<Context>> routes();

  const HealthMonitor& health_;
  const http::StaticFiles& web_;
  ApiOptions options_;
  std::string csp_;
  Sessions sessions_;
  AccountRoutes accounts_;
  EmployeeRoutes employees_;
  http::Router<Context> router_;
};

}  // namespace hrapp::api
