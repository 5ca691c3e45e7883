#include "auth/sign_in_throttle.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace hrapp::auth {
namespace {

using std::chrono::seconds;

class SignInThrottleTest : public ::testing::Test {
 protected:
  SignInThrottleTest()
      : path_((std::filesystem::temp_directory_path() / ("hrapp-throttle-" + uuid_v4() + ".db")).string()),
        db_(store::Engine::sqlite, [p = path_] { return store::sqlite::open(p); }, 2), failures_(db_),
        clock_(*parse_iso8601("2026-03-04T05:06:07Z")), throttle_(failures_, clock_, {{2, seconds(8), seconds(600)}, {4, seconds(60), seconds(600)}, {3, seconds(60), seconds(600)}, seconds(86400)}) {
    store::migrate(db_);
  }
  ~SignInThrottleTest() override { std::filesystem::remove(path_); }

  /// The wait an attempt is told, or 0 if it was counted.
  std::int64_t attempt(std::string_view username, std::string_view address,
                       const std::optional<std::string>& device = std::nullopt) {
    try {
      throttle_.begin(username, address, device);
      return 0;
    } catch (const TooManyRequests& e) {
      return e.retry_after_seconds;
    }
  }

  std::string path_;
  store::Database db_;
  store::ThrottleRepository failures_;
  ManualClock clock_;
  SignInThrottle throttle_;
};

TEST_F(SignInThrottleTest, AnAccountWaitsADoublingDelayAfterItsFreeFailuresUpToTheCap) {
  EXPECT_EQ(attempt("ada", "192.0.2.1"), 0);
  EXPECT_EQ(attempt("ada", "192.0.2.2"), 0);
  EXPECT_EQ(attempt("ada", "192.0.2.3"), 0);  // two free failures, then one more counted
  for (const std::int64_t delay : {1, 2, 4, 8, 8, 8}) {
    EXPECT_EQ(attempt("ADA", "192.0.2.4"), delay);  // the account is named in any case
    clock_.advance(seconds(delay) - seconds(1));
    EXPECT_EQ(attempt("ada", "192.0.2.5"), 1);  // waiting does not count
    clock_.advance(seconds(1));
    EXPECT_EQ(attempt("ada", "192.0.2.6"), 0);
  }
  EXPECT_EQ(attempt("grace", "192.0.2.7"), 0);  // other accounts are not held back
}

TEST_F(SignInThrottleTest, AnAttemptWithNoVerdictIsTakenBackOnBothCounts) {
  for (int i = 0; i < 2; ++i) ASSERT_EQ(attempt("ada", "192.0.2.1"), 0);  // the two free failures
  const Attempt busy = throttle_.begin("ada", "192.0.2.9");  // the third makes the account wait
  throttle_.abandoned(busy);  // ... but the server never checked the password
  EXPECT_EQ(attempt("ada", "192.0.2.9"), 0);
  EXPECT_GT(attempt("ada", "192.0.2.9"), 0);  // real failures still count
}

TEST_F(SignInThrottleTest, ASuccessClearsTheAccountAndTakesTheAddressAttemptBack) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(attempt("ada", "192.0.2.1"), 0);
  clock_.advance(seconds(1));
  const Attempt success = throttle_.begin("ada", "192.0.2.1");
  throttle_.succeeded(success);
  EXPECT_FALSE(failures_.find(success.account));
  EXPECT_EQ(failures_.find(success.client)->failures, 3);
}

TEST_F(SignInThrottleTest, AnAddressThatMustWaitCountsNothingAgainstTheAccount) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(attempt("user" + std::to_string(i), "192.0.2.1"), 0);
  EXPECT_EQ(attempt("ada", "192.0.2.1"), 1);  // four free, one counted: the address waits
  const Attempt next = throttle_.begin("ada", "192.0.2.2");
  EXPECT_EQ(failures_.find(next.account)->failures, 1);  // this attempt only
}

TEST_F(SignInThrottleTest, FailuresAreForgottenOneAtATime) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(attempt("ada", "192.0.2.1"), 0);
  EXPECT_EQ(attempt("ada", "192.0.2.1"), 1);
  clock_.advance(seconds(600));  // one of the three forgotten: two counted, and this one
  EXPECT_EQ(attempt("ada", "192.0.2.1"), 0);
  EXPECT_EQ(attempt("ada", "192.0.2.1"), 1);
  clock_.advance(seconds(3 * 600));  // all forgotten: two free again
  EXPECT_EQ(attempt("ada", "192.0.2.1"), 0);
  EXPECT_EQ(attempt("ada", "192.0.2.1"), 0);
  clock_.advance(seconds(86400 + 1));
  EXPECT_EQ(throttle_.purge(), 2);  // the account and the address
}

TEST_F(SignInThrottleTest, ABrowserWithADeviceCookieHasItsOwnLimitInsteadOfItsAddresss) {
  // A guesser makes the shared address wait ...
  for (int i = 0; i < 5; ++i) ASSERT_EQ(attempt("guess" + std::to_string(i), "198.51.100.7"), 0);
  EXPECT_GT(attempt("grace", "198.51.100.7"), 0);
  // ... while a colleague's known browser on that address is not held back by it,
  EXPECT_EQ(attempt("grace", "198.51.100.7", "device-of-grace"), 0);
  // and a guesser with a browser's cookie meets that browser's own limit.
  for (int i = 0; i < 4; ++i) ASSERT_EQ(attempt("grace" + std::to_string(i), "203.0.113.1", "stolen"), 0);
  EXPECT_GT(attempt("grace9", "203.0.113.1", "stolen"), 0);
}

}  // namespace
}  // namespace hrapp::auth
