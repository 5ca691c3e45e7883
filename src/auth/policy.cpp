#include "auth/policy.hpp"

#include "common/errors.hpp"

namespace hrapp::auth {
namespace {

/// The least role that has the permission.
Role least_role(Permission permission) {
  switch (permission) {
    case Permission::change_any_profile:
    case Permission::export_import: return Role::hr;
    case Permission::manage_accounts:
    case Permission::read_audit: return Role::admin;
  }
  return Role::admin;
}

const char* description(Permission permission) {
  switch (permission) {
    case Permission::change_any_profile: return "changing a profile someone else created";
    case Permission::manage_accounts: return "managing accounts and invitations";
    case Permission::read_audit: return "reading the audit trail";
    case Permission::export_import: return "exporting and importing the directory";
  }
  return "this";
}

const char* roles_from(Role role) { return role == Role::hr ? "hr or admin" : "admin"; }

}  // namespace

bool Policy::allows(const User& user, Permission permission) const { return user.role >= least_role(permission); }

void Policy::require(const User& user, Permission permission) const {
  if (!allows(user, permission)) throw RoleRequired(description(permission), roles_from(least_role(permission)));
}

void Policy::require_may_change_profile(const User& user, const Employee& profile, bool contact_only) const {
  if (profile.user_id == user.id || (contact_only && profile.account_id == user.id)) return;
  require(user, Permission::change_any_profile);
}

}  // namespace hrapp::auth
