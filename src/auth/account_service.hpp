#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/password_hasher.hpp"
#include "common/clock.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"

namespace hrapp::auth {

/// A one-time token as made: its record, and the token itself, shown once and never stored.
struct IssuedToken {
  store::AccountToken record;
  std::string token;
};

/// A second factor being set up: the key (base32) and the same as an authenticator app reads it.
struct MfaEnrolment {
  std::string secret;
  std::string otpauth_uri;
  std::string qr_svg;
};

/// Accounts as admins and their owners manage them: the first admin, invitations, roles,
/// disabling, sessions, reset links, second factors, the audit trail. Whether the caller may is
/// the handlers' question to auth::Policy; this is what happens once it may.
class AccountService {
 public:
  AccountService(store::AccountRepository& accounts, store::AuditRepository& audit, const PasswordHasher& hasher,
                 const Clock& clock)
      : accounts_(accounts), audit_(audit), hasher_(hasher), clock_(clock) {}

  /// While no enabled admin exists: a new one-time setup token (an admin invitation, valid 7 days).
  std::optional<std::string> setup_token_if_no_admin();
  /// The command line's: a new account with this role (ValidationError, UsernameTaken).
  User add_user(const std::string& username, Role role, const std::string& password);
  /// The command line's recovery of an admin: enabled, admin, this password, no second factor,
  /// no sessions. Throws NotFound.
  User recover_admin(const std::string& username, const std::string& password);

  std::vector<store::AccountSummary> list(std::int64_t limit, std::int64_t offset) { return accounts_.list(limit, offset); }
  std::int64_t count() { return accounts_.count(); }
  /// Throws NotFound.
  store::AccountSummary summary(std::int64_t id);
  store::AccountSummary change(const User& actor, std::int64_t id, const store::AccountChange& change);
  std::int64_t end_sessions(const User& actor, std::int64_t id);
  store::AccountSummary reset_mfa(const User& actor, std::int64_t id);
  /// A one-time password reset link for the account, valid 24 hours; earlier ones die.
  IssuedToken password_reset_link(const User& actor, std::int64_t id);

  IssuedToken invite(const User& actor, Role role, std::int64_t valid_days);
  std::vector<store::AccountToken> invitations() { return accounts_.invitations(); }
  store::AccountToken invitation(std::int64_t id);
  void revoke_invitation(const User& actor, std::int64_t id);

  std::vector<store::AuditEntry> audit(const store::AuditFilter& filter) { return audit_.list(filter); }

  /// Starts (or starts again) setting up a second factor; Refused("mfa_already_enabled").
  MfaEnrolment start_mfa(const User& user);
  /// Turns it on if `code` is right; returns the ten recovery codes, shown once.
  std::vector<std::string> confirm_mfa(const User& user, const std::string& code);
  /// Turns the account's own second factor off (the password is checked by the caller).
  void disable_mfa(const User& user);
  /// Ends every session of the account, the caller's too.
  std::int64_t sign_out_everywhere(const User& user) { return accounts_.end_sessions(user.id, std::nullopt, user.id, clock_.now()); }

 private:
  IssuedToken issue(const store::NewToken& token_template, store::Actor actor);

  store::AccountRepository& accounts_;
  store::AuditRepository& audit_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
};

}  // namespace hrapp::auth
