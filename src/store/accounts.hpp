#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time_format.hpp"
#include "store/audit.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace hrapp::store {

/// An account as sign-in and the account's own settings need it.
struct Credentials {
  User user;
  std::string password_hash;
  bool disabled = false;
  std::optional<std::string> mfa_secret;          // base32; set once enrolment is confirmed
  std::optional<std::string> mfa_pending_secret;  // an enrolment not yet confirmed
};

/// An account as an admin sees it.
struct AccountSummary {
  User user;
  bool disabled = false;
  std::optional<std::string> created_at;  // ISO 8601
  std::optional<std::string> last_sign_in_at;
};

/// What an admin changes about an account; absent fields stay.
struct AccountChange {
  std::optional<Role> role;
  std::optional<bool> disabled;
};

struct NewAccount {
  std::string username;
  std::string password_hash;
  Role role = Role::member;
  /// An invitation or setup token's hash: the account takes its role, and the token is used up
  /// in the same transaction (a failed sign-up uses up nothing).
  std::optional<std::string> token_hash;
};

/// One-time tokens: invitations, first-admin setup links, password resets.
enum class TokenKind { invite, setup, reset };

struct AccountRef {
  std::int64_t id = 0;
  std::string username;
};

struct AccountToken {
  std::int64_t id = 0;
  TokenKind kind = TokenKind::invite;
  std::optional<Role> role;
  std::optional<std::int64_t> user_id;  // a reset's account
  std::optional<AccountRef> created_by;
  std::string created_at;
  std::string expires_at;
  std::optional<std::string> used_at;
  std::optional<AccountRef> used_by;
  bool revoked = false;
};

struct NewToken {
  TokenKind kind = TokenKind::invite;
  std::string token_hash;
  std::optional<Role> role;              // invite, setup
  std::optional<std::int64_t> user_id;   // reset
  TimePoint expires_at;
};

enum class RevokeOutcome { revoked, not_found, used };

/// Accounts and everything that belongs to them. Every change is written with its audit row in
/// one transaction; changes that could leave no enabled admin are made under one lock.
class AccountRepository {
 public:
  explicit AccountRepository(Database& db) : db_(db) {}

  /// Throws ConstraintViolation("unique") when the username exists in any case, and
  /// Refused("invitation_required") for a token that is used, revoked, expired or unknown (or a
  /// setup token once an enabled admin exists). The audit trail names the new account as its
  /// own creator, or no one when it is made by the command line.
  User create(const NewAccount& account, TimePoint now, bool by_command_line = false);
  std::optional<Credentials> find_by_username(const std::string& username);
  std::optional<Credentials> find(std::int64_t id);
  /// The account a reset link is for, while the link can be used.
  std::optional<Credentials> find_by_reset_token(const std::string& token_hash, TimePoint now);
  std::optional<AccountSummary> summary(std::int64_t id);
  /// In username order.
  std::vector<AccountSummary> list(std::int64_t limit, std::int64_t offset);
  std::int64_t count();
  bool has_enabled_admin();

  /// Throws Refused("last_admin") if no enabled admin would be left. Disabling deletes the
  /// account's sessions in the same transaction. nullopt: no such account.
  std::optional<AccountSummary> change(std::int64_t id, const AccountChange& change, Actor actor, TimePoint now);
  /// Ends the account's sessions but `keep` (a token hash); returns how many ended.
  std::int64_t end_sessions(std::int64_t id, const std::optional<std::string>& keep, Actor actor, TimePoint now);
  /// Sets the password hash and ends every session but `keep`.
  void set_password(std::int64_t id, const std::string& password_hash, const std::optional<std::string>& keep,
                    Actor actor, TimePoint now);
  /// Uses a reset token: sets the password and ends every session. The account, or nullopt if the
  /// token is used, revoked, expired or unknown.
  std::optional<std::int64_t> reset_password(const std::string& token_hash, const std::string& password_hash,
                                             TimePoint now);
  /// The command line's recovery: the account becomes an enabled admin with this password, no
  /// second factor and no sessions. nullopt: no such account.
  std::optional<User> recover_admin(const std::string& username, const std::string& password_hash, TimePoint now);

  AccountToken create_token(const NewToken& token, Actor actor, TimePoint now);
  /// Invitations, newest first.
  std::vector<AccountToken> invitations();
  std::optional<AccountToken> invitation(std::int64_t id);
  RevokeOutcome revoke_invitation(std::int64_t id, Actor actor, TimePoint now);

  /// Keeps a second factor's secret until a code confirms it.
  void start_mfa(std::int64_t id, const std::string& secret);
  /// Turns the pending secret on with these recovery codes (SHA-256 hashes), if it is still
  /// `secret`, and notes `step` as used. Returns whether it did.
  bool confirm_mfa(std::int64_t id, const std::string& secret, std::int64_t step,
                   const std::vector<std::string>& recovery_hashes, TimePoint now);
  /// Turns the second factor off (`action`: the owner's "user.mfa_disable" or an admin's
  /// "user.mfa_reset"); returns whether the account exists.
  bool disable_mfa(std::int64_t id, Actor actor, std::string_view action, TimePoint now);
  /// Notes a code's time step as used; false if this step or a later one already was.
  bool take_totp_step(std::int64_t id, std::int64_t step);
  /// Uses up a recovery code (by hash); false if it is not an unused code of the account.
  bool use_recovery_code(std::int64_t id, const std::string& code_hash, TimePoint now);

  /// A secret shared by every instance (made by the first that asks), as hex.
  std::string shared_secret(const std::string& name);

 private:
  Database& db_;
};

}  // namespace hrapp::store
