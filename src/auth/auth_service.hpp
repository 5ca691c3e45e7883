#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "auth/password_hasher.hpp"
#include "auth/sign_in_throttle.hpp"
#include "common/bounded_workers.hpp"
#include "common/clock.hpp"
#include "domain/employee.hpp"
#include "store/repositories.hpp"

namespace hrapp::auth {

struct SessionPolicy {
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds absolute_timeout{12 * 60 * 60};
  /// last_seen is written at most this often, so reads stay reads.
  std::chrono::seconds touch_interval{60};
};

struct SignIn {
  User user;
  std::string token;  // goes to the cookie only; the database keeps its SHA-256
};

/// Sign-up, sign-in, sign-out and the session check of every protected request.
class AuthService {
 public:
  AuthService(store::UserRepository& users, store::SessionRepository& sessions, const PasswordHasher& hasher,
              BoundedWorkers& cpu, SignInThrottle& throttle, const Clock& clock, SessionPolicy policy = {})
      : users_(users), sessions_(sessions), hasher_(hasher), cpu_(cpu), throttle_(throttle), clock_(clock),
        policy_(policy) {}

  /// Throws ValidationError, UsernameTaken, or TooManyRequests (checked before any bcrypt work).
  User register_user(const std::string& username, const std::string& password, std::string_view client_address);
  /// Throws Unauthorized with the same message whether the user is unknown or the password
  /// wrong, or TooManyRequests (checked before any bcrypt work). A sign-in ends the session
  /// `previous_token` names, if any.
  SignIn login(const std::string& username, const std::string& password, std::string_view client_address,
               const std::optional<std::string>& previous_token = std::nullopt);
  void logout(const std::string& token);
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

 private:
  /// Runs the part of an attempt that ends in a verdict on the credentials. A wrong password or
  /// a taken name stays counted; anything else (no verdict) takes the attempt back and rethrows.
  template <class Work>
  auto with_verdict(const Attempt& attempt, Work&& work);

  store::UserRepository& users_;
  store::SessionRepository& sessions_;
  const PasswordHasher& hasher_;
  BoundedWorkers& cpu_;
  SignInThrottle& throttle_;
  const Clock& clock_;
  SessionPolicy policy_;
};

}  // namespace hrapp::auth
