#pragma once
#include <vector>

#include "api/sessions.hpp"
#include "http/router.hpp"

namespace hrapp::api {

/// Accounts: sign-up, sign-in, sign-out, and who is signed in.
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
  http::Response me(Context&);

  const Sessions& sessions_;
  auth::AuthService& auth_;
};

}  // namespace hrapp::api
