#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "auth/device_cookies.hpp"
#include "auth/password_hasher.hpp"
#include "auth/sign_in_throttle.hpp"
#include "common/bounded_workers.hpp"
#include "common/clock.hpp"
#include "store/accounts.hpp"
#include "store/records.hpp"
#include "store/repositories.hpp"

namespace hrapp::auth {

struct SessionPolicy {
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds absolute_timeout{12 * 60 * 60};
  /// last_seen is written at most this often, so reads stay reads.
  std::chrono::seconds touch_interval{60};
  /// Live sessions an account may have; a new one ends the oldest past this.
  std::int64_t max_per_account = 10;
};

/// Who may sign up: anyone (the seed's lab) or only the holder of an admin's invitation.
enum class Registration { invite, open };

struct SignIn {
  User user;
  std::string token;          // goes to the cookie only; the database keeps its SHA-256
  std::string device_cookie;  // the browser's device cookie for this account, made anew
};

/// What a sign-in sends.
struct SignInRequest {
  std::string username;
  std::string password;
  std::optional<std::string> code;           // a second factor's code or a recovery code
  std::optional<std::string> device_cookie;  // as the browser sent it
  std::optional<std::string> previous_token; // the session it arrived with, which ends
};

/// Sign-up, sign-in, sign-out, the session check of every protected request, and the account
/// owner's password.
class AuthService {
 public:
  AuthService(store::AccountRepository& accounts, store::SessionRepository& sessions, const PasswordHasher& hasher,
              BoundedWorkers& cpu, SignInThrottle& throttle, const Clock& clock, Registration registration,
              SessionPolicy policy = {})
      : accounts_(accounts), sessions_(sessions), hasher_(hasher), cpu_(cpu), throttle_(throttle), clock_(clock),
        registration_(registration), policy_(policy) {}

  /// Throws ValidationError, UsernameTaken, Refused("invitation_required") or TooManyRequests
  /// (checked before any bcrypt work). An invitation's role is the account's.
  User register_user(const std::string& username, const std::string& password,
                     const std::optional<std::string>& invitation, std::string_view client_address);
  /// Throws Unauthorized with the same message whether the user is unknown or the password
  /// wrong; Refused("mfa_required") for a right password without the second factor's code
  /// (counted neither way); Refused("account_disabled"); TooManyRequests (checked before any
  /// bcrypt work).
  SignIn login(const SignInRequest& request, std::string_view client_address);
  void logout(const std::string& token);
  /// Checks the current password (throttled as a sign-in), sets the new one and ends the
  /// account's other sessions.
  void change_password(const User& user, const std::string& current, const std::string& next,
                       const std::string& session_token, std::string_view client_address);
  /// Uses a one-time reset link's token; every session of the account ends.
  void reset_password(const std::string& token, const std::string& password, std::string_view client_address);
  /// Checks a password without signing in (throttled as a sign-in); throws ValidationError
  /// naming `field` if it is wrong.
  void confirm_password(const User& user, const std::string& password, std::string_view field,
                        std::string_view client_address);

  /// The user of a live session, found by its own query.
  std::optional<User> authenticate(const std::string& token);
  std::optional<User> authenticate(const store::SessionCheck& check);
  /// What a read needs to check the session in its own statement; nullopt for a token that
  /// cannot be one.
  std::optional<store::SessionCheck> session_check(const std::string& token) const;
  /// Applies the session policy to what a read under `check` found: the absolute limit, and the
  /// idle deadline moved on when due. The user, or nullopt if the session is over.
  std::optional<User> accept(const store::SessionCheck& check, const std::optional<store::SessionRecord>& found);
  std::int64_t purge_expired_sessions();
  const SessionPolicy& policy() const { return policy_; }
  static std::string token_hash(const std::string& token);
  /// How a recovery code is kept: the SHA-256 of its letters and digits, lowercase.
  static std::string recovery_code_hash(std::string_view code);

 private:
  /// Hashes a password that passed the rules for `username` (ValidationError naming `field`).
  std::string hash_new_password(const std::string& username, const std::string& password, std::string_view field,
                                std::string_view client_address);
  /// Runs the part of an attempt that ends in a verdict on the credentials. A wrong password, a
  /// taken name or a bad invitation stays counted; anything else (no verdict) takes the attempt
  /// back and rethrows.
  template <class Work>
  auto with_verdict(const Attempt& attempt, Work&& work);
  /// Throws Unauthorized unless `code` is the account's current code (each time step once) or
  /// one of its unused recovery codes.
  void check_second_factor(const store::Credentials& account, const std::string& code);
  const DeviceCookies& device_cookies();

  store::AccountRepository& accounts_;
  store::SessionRepository& sessions_;
  const PasswordHasher& hasher_;
  BoundedWorkers& cpu_;
  SignInThrottle& throttle_;
  const Clock& clock_;
  Registration registration_;
  SessionPolicy policy_;
  std::mutex device_key_mutex_;
  std::optional<DeviceCookies> device_cookies_;  // the fleet's key, read once the database answers
};

}  // namespace hrapp::auth
