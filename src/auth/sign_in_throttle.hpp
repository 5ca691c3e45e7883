#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "store/repositories.hpp"

namespace hrapp::auth {

/// How many failures a subject (an account, a client address) may have before each further
/// attempt must wait, how long at most (the wait doubles from one second), and how fast
/// failures are forgotten (one per `forget_one_every`), so that occasional mistakes by the
/// many people behind one office address never add up.
struct ThrottlePolicy {
  std::int64_t free_failures;
  std::chrono::seconds max_delay;
  std::chrono::seconds forget_one_every;
};

struct SignInLimits {
  /// An account waits at most a minute, so no stranger can lock its owner out for long, and
  /// it takes no more than about 60 guesses an hour (ASVS 2.2.1 allows 100).
  ThrottlePolicy account{5, std::chrono::seconds(60), std::chrono::seconds(60)};
  /// An address that keeps failing (guessing across accounts) waits up to 15 minutes; about
  /// 80 failures an hour go by unthrottled.
  ThrottlePolicy address{20, std::chrono::minutes(15), std::chrono::seconds(45)};
  /// A browser with a device cookie for the account (auth/device_cookies.hpp) has this limit of
  /// its own in place of its address's.
  ThrottlePolicy device{5, std::chrono::minutes(15), std::chrono::seconds(60)};
  /// Counts untouched this long are deleted.
  std::chrono::seconds keep{24 * 60 * 60};
};

/// The subjects of one sign-in or sign-up attempt: the account, and the client (its address, or
/// its device cookie's id).
struct Attempt {
  std::string account;
  std::string client;
};

/// Sign-in throttling for the fleet: counts live in the database (store::ThrottleRepository).
/// An attempt is counted as a failure before its bcrypt work is queued, so that concurrent
/// attempts cannot all slip past the limit, and taken back if it succeeds.
class SignInThrottle {
 public:
  SignInThrottle(store::ThrottleRepository& failures, const Clock& clock, SignInLimits limits = {})
      : failures_(failures), clock_(clock), limits_(limits) {}

  /// Counts an attempt on `username` from `client_address`, or from the browser `device` (a
  /// device cookie's id, valid for this account) whatever its address. Throws TooManyRequests
  /// (counting nothing) when either must wait first.
  Attempt begin(std::string_view username, std::string_view client_address,
                const std::optional<std::string>& device = std::nullopt);
  /// The attempt succeeded: the account's failures are cleared, the address's attempt taken back.
  /// Best effort (logged): the client has its answer whether or not the counts are written.
  void succeeded(const Attempt& attempt) noexcept;
  /// The attempt ended with no verdict on the password (the server was busy, the database
  /// failed): both attempts are taken back, so a server fault never counts against a client.
  /// Best effort (logged): the database may be what failed.
  void abandoned(const Attempt& attempt) noexcept;
  /// Deletes the counts untouched for `limits().keep`; returns how many.
  std::int64_t purge();
  const SignInLimits& limits() const { return limits_; }

 private:
  /// Counts one failure for `subject`; returns how long it must wait first (zero: counted).
  std::chrono::seconds take(const std::string& subject, const ThrottlePolicy& policy);

  store::ThrottleRepository& failures_;
  const Clock& clock_;
  SignInLimits limits_;
};

}  // namespace hrapp::auth
