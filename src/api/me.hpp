#pragma once
#include <vector>

#include "api/sessions.hpp"
#include "auth/account_service.hpp"
#include "http/router.hpp"

namespace hrapp::api {

/// The signed-in account's own: who it is, its password, its sessions, its second factor.
class SelfServiceRoutes {
 public:
  SelfServiceRoutes(const Sessions& sessions, auth::AccountService& accounts)
      : sessions_(sessions), auth_(sessions.auth()), accounts_(accounts) {}
  std::vector<http::Route<Context>> routes();

 private:
  http::Response me(Context&);
  http::Response change_password(Context&);
  http::Response sign_out_everywhere(Context&);
  http::Response start_mfa(Context&);
  http::Response confirm_mfa(Context&);
  http::Response disable_mfa(Context&);

  const Sessions& sessions_;
  auth::AuthService& auth_;
  auth::AccountService& accounts_;
};

}  // namespace hrapp::api
