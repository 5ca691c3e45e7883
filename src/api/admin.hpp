#pragma once
#include <vector>

#include "api/sessions.hpp"
#include "auth/account_service.hpp"
#include "http/router.hpp"

namespace hrapp::api {

/// What admins manage: accounts, invitations, and the audit trail. Every handler asks the policy
/// first.
class AdminRoutes {
 public:
  AdminRoutes(const Sessions& sessions, auth::AccountService& accounts) : sessions_(sessions), accounts_(accounts) {}
  std::vector<http::Route<Context>> routes();

 private:
  /// The signed-in admin; throws RoleRequired for anyone else.
  const User& admin(const Context& c, auth::Permission permission = auth::Permission::manage_accounts) const;
  http::Response list_users(Context&);
  http::Response get_user(Context&);
  http::Response change_user(Context&);
  http::Response revoke_sessions(Context&);
  http::Response reset_mfa(Context&);
  http::Response password_reset_link(Context&);
  http::Response create_invitation(Context&);
  http::Response list_invitations(Context&);
  http::Response get_invitation(Context&);
  http::Response revoke_invitation(Context&);
  http::Response audit(Context&);

  const Sessions& sessions_;
  auth::AccountService& accounts_;
};

}  // namespace hrapp::api
