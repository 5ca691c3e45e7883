#pragma once
#include <vector>

#include "api/sessions.hpp"
#include "http/router.hpp"

namespace hrapp::api {

/// Signing up, in and out, and a reset link's new password.
class AccountRoutes {
 public:
  explicit AccountRoutes(const Sessions& sessions) : sessions_(sessions), auth_(sessions.auth()) {}
  std::vector<http::Route<Context>> routes();

 private:
  template <class Attempt>
  auto logged_sign_in(Context& c, std::string_view action, Attempt&& attempt);
  http::Response register_user(Context&);
  http::Response login(Context&);
  http::Response logout(Context&);
  http::Response reset_password(Context&);

  const Sessions& sessions_;
  auth::AuthService& auth_;
};

}  // namespace hrapp::api
