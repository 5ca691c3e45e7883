#pragma once
#include <cstdint>
#include <set>

#include "store/records.hpp"

namespace hrapp::auth {

/// What a request may want to do beyond the seed's rights (reading the directory, adding
/// profiles, changing the ones one made).
enum class Permission { change_any_profile, export_import, manage_accounts, read_audit };

/// Who may do what: the one place the handlers ask. member < hr < admin, each with the rights of
/// those before it.
class Policy {
 public:
  /// `mfa_required_roles`: roles whose accounts must have a second factor before anything else.
  explicit Policy(std::set<Role> mfa_required_roles = {}) : mfa_required_roles_(std::move(mfa_required_roles)) {}

  bool allows(const User& user, Permission permission) const;
  /// Throws RoleRequired naming the role that would allow it.
  void require(const User& user, Permission permission) const;
  /// Throws RoleRequired unless `user` made the profile, may change any, or is the account the
  /// profile belongs to and changes only its contact fields and photo (`contact_only`).
  void require_may_change_profile(const User& user, const Employee& profile, bool contact_only) const;
  bool requires_mfa(Role role) const { return mfa_required_roles_.contains(role); }
  /// An account whose role needs a second factor it has not set up.
  bool must_enrol(const User& user) const { return requires_mfa(user.role) && !user.mfa_enabled; }

 private:
  std::set<Role> mfa_required_roles_;
};

}  // namespace hrapp::auth
