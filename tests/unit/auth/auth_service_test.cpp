#include "auth/auth_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace hrapp::auth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class AuthServiceTest : public ::testing::Test {
 protected:
  AuthServiceTest()
      : path_((std::filesystem::temp_directory_path() / ("hrapp-auth-" + uuid_v4() + ".db")).string()),
        db_(store::Engine::sqlite, [p = path_] { return store::sqlite::open(p); }, 2),
        users_(db_), sessions_(db_), failures_(db_), hasher_(4), cpu_(1, 8),
        clock_(*parse_iso8601("2026-03-04T05:06:07Z")), throttle_(failures_, clock_),
        auth_(users_, sessions_, hasher_, cpu_, throttle_, clock_, Registration::open) {
    store::migrate(db_);
  }
  ~AuthServiceTest() override { std::filesystem::remove(path_); }

  User register_user(const std::string& username, const std::string& password, std::string_view address) {
    return auth_.register_user(username, password, std::nullopt, address);
  }
  SignIn login(const std::string& username, const std::string& password, std::string_view address,
               const std::optional<std::string>& previous = std::nullopt) {
    return auth_.login({username, password, std::nullopt, std::nullopt, previous}, address);
  }

  std::string path_;
  store::Database db_;
  store::AccountRepository users_;
  store::SessionRepository sessions_;
  store::ThrottleRepository failures_;
  PasswordHasher hasher_;
  BoundedWorkers cpu_;
  ManualClock clock_;
  SignInThrottle throttle_;
  AuthService auth_;
};

TEST_F(AuthServiceTest, StoresOnlyABcryptHashOfThePassword) {
  register_user("ada", "correct horse", "192.0.2.1");
  const auto stored = users_.find_by_username("ada");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(std::regex_match(stored->password_hash, std::regex(R"(^\$2b\$04\$[./A-Za-z0-9]{53}$)")));
  EXPECT_EQ(stored->password_hash.find("correct horse"), std::string::npos);
}

TEST_F(AuthServiceTest, RefusesBadInputWithEveryFieldNamed) {
  try {
    register_user("a!", std::string(73, 'x'), "192.0.2.1");
    FAIL();
  } catch (const ValidationError& e) {
    ASSERT_EQ(e.fields().size(), 2u);
    EXPECT_EQ(e.fields()[0].field, "username");
    EXPECT_EQ(e.fields()[1].field, "password");
  }
  register_user("ada", "correct horse", "192.0.2.1");
  EXPECT_THROW(register_user("ADA", "another one", "192.0.2.1"), UsernameTaken);
}

TEST_F(AuthServiceTest, UnknownUserAndWrongPasswordFailAlike) {
  register_user("ada", "correct horse", "192.0.2.1");
  std::string wrong_password, unknown_user;
  try { login("ada", "wrong horse", "192.0.2.1"); } catch (const Unauthorized& e) { wrong_password = e.what(); }
  try { login("nobody", "correct horse", "192.0.2.1"); } catch (const Unauthorized& e) { unknown_user = e.what(); }
  EXPECT_FALSE(wrong_password.empty());
  EXPECT_EQ(wrong_password, unknown_user);
  EXPECT_THROW(login("ada", std::string(80, 'x'), "192.0.2.1"), Unauthorized);
}

TEST_F(AuthServiceTest, EachLoginGetsANewTokenAndOnlyItsHashIsStored) {
  register_user("ada", "correct horse", "192.0.2.1");
  const auto first = login("ada", "correct horse", "192.0.2.1");
  const auto second = login("ada", "correct horse", "192.0.2.1");
  EXPECT_NE(first.token, second.token);
  EXPECT_GE(first.token.size(), 43u);  // 256 random bits, base64url
  auto conn = db_.connect();
  const auto ids = conn->execute("SELECT id FROM sessions").rows;
  ASSERT_EQ(ids.size(), 2u);
  for (const auto& row : ids) {
    EXPECT_NE(row.text(0), first.token);
    EXPECT_TRUE(row.text(0) == sha256_hex(first.token) || row.text(0) == sha256_hex(second.token));
  }
  EXPECT_TRUE(auth_.authenticate(first.token));
  auth_.logout(first.token);
  EXPECT_FALSE(auth_.authenticate(first.token));
  EXPECT_TRUE(auth_.authenticate(second.token));
}

TEST_F(AuthServiceTest, ASignInEndsTheSessionItArrivedWith) {
  register_user("ada", "correct horse", "192.0.2.1");
  const auto first = login("ada", "correct horse", "192.0.2.1").token;
  const auto other = login("ada", "correct horse", "192.0.2.1").token;
  EXPECT_THROW(login("ada", "wrong horse", "192.0.2.1", first), Unauthorized);
  EXPECT_TRUE(auth_.authenticate(first));  // a failed sign-in ends nothing
  const auto second = login("ada", "correct horse", "192.0.2.1", first).token;
  EXPECT_FALSE(auth_.authenticate(first));
  EXPECT_TRUE(auth_.authenticate(second));
  EXPECT_TRUE(auth_.authenticate(other));  // the user's other sessions go on
}

TEST_F(AuthServiceTest, FailedSignInsWaitBeforeAnyBcryptWorkAndASuccessClearsTheAccount) {
  register_user("ada", "correct horse", "192.0.2.1");
  for (int i = 0; i < 6; ++i) EXPECT_THROW(login("ada", "wrong horse", "192.0.2.7"), Unauthorized) << i;
  // Five free failures, a sixth counted: the seventh waits a second, whatever the password.
  try {
    login("ada", "correct horse", "192.0.2.7");
    FAIL();
  } catch (const TooManyRequests& e) {
    EXPECT_EQ(e.retry_after_seconds, 1);
  }
  clock_.advance(seconds(1));
  EXPECT_NO_THROW(login("ada", "correct horse", "192.0.2.7"));
  for (int i = 0; i < 5; ++i) EXPECT_THROW(login("ada", "wrong horse", "192.0.2.7"), Unauthorized) << i;
}

TEST_F(AuthServiceTest, ATakenNameCountsAgainstTheAddressButASuccessfulSignUpDoesNot) {
  for (int i = 0; i < 30; ++i) register_user("user" + std::to_string(i), "correct horse", "192.0.2.9");
  // Each name asked once, so only the address's count grows: 20 free, the 21st counted.
  for (int i = 0; i < 21; ++i)
    EXPECT_THROW(register_user("user" + std::to_string(i), "correct horse", "192.0.2.9"), UsernameTaken) << i;
  EXPECT_THROW(register_user("fresh", "correct horse", "192.0.2.9"), TooManyRequests);
  EXPECT_NO_THROW(register_user("fresh", "correct horse", "192.0.2.10"));
}

TEST_F(AuthServiceTest, SessionsEndAfterThirtyIdleMinutes) {
  register_user("ada", "correct horse", "192.0.2.1");
  const auto token = login("ada", "correct horse", "192.0.2.1").token;
  clock_.advance(minutes(29));
  EXPECT_TRUE(auth_.authenticate(token));  // activity moves the idle deadline
  clock_.advance(minutes(29));
  EXPECT_TRUE(auth_.authenticate(token));
  clock_.advance(minutes(30));
  EXPECT_FALSE(auth_.authenticate(token));
}

TEST_F(AuthServiceTest, SessionsEndTwelveHoursAfterSignInWhateverTheActivity) {
  register_user("ada", "correct horse", "192.0.2.1");
  const auto token = login("ada", "correct horse", "192.0.2.1").token;
  for (int i = 0; i < 47; ++i) {
    clock_.advance(minutes(15));
    ASSERT_TRUE(auth_.authenticate(token)) << i;
  }
  clock_.advance(minutes(15));  // 12 hours
  EXPECT_FALSE(auth_.authenticate(token));
}

TEST_F(AuthServiceTest, ExpiredSessionsArePurged) {
  register_user("ada", "correct horse", "192.0.2.1");
  login("ada", "correct horse", "192.0.2.1");
  const auto live = login("ada", "correct horse", "192.0.2.1").token;
  clock_.advance(minutes(20));
  auth_.authenticate(live);
  clock_.advance(minutes(15));
  EXPECT_EQ(auth_.purge_expired_sessions(), 1);
  EXPECT_TRUE(auth_.authenticate(live));
}

TEST_F(AuthServiceTest, GarbageTokensAreNotSessions) {
  EXPECT_FALSE(auth_.authenticate(""));
  EXPECT_FALSE(auth_.authenticate(std::string(5000, 'a')));
  EXPECT_FALSE(auth_.authenticate("' OR 1=1 --"));
}

TEST(PasswordHasher, VerifiesOnlyTheExactPasswordAndSurvivesBadHashes) {
  const PasswordHasher hasher(4);
  const auto hash = hasher.hash("s3cret-pass");
  EXPECT_TRUE(hash.starts_with("$2b$04$"));
  EXPECT_TRUE(hasher.verify("s3cret-pass", hash));
  EXPECT_FALSE(hasher.verify("s3cret-pasS", hash));
  EXPECT_FALSE(hasher.verify("s3cret-pass", "invalid_hash"));
  EXPECT_FALSE(hasher.verify("s3cret-pass", ""));
  EXPECT_NE(hasher.hash("s3cret-pass"), hash);  // salted
  EXPECT_THROW(PasswordHasher(3), std::invalid_argument);
}

// An unknown user is checked against the decoy, so it must cost what a real hash costs:
// a well-formed hash at the same cost, which verification runs in full (and never matches).
TEST(PasswordHasher, TheDecoyIsARealHashAtTheConfiguredCost) {
  const PasswordHasher hasher(5);
  EXPECT_TRUE(std::regex_match(hasher.decoy_hash(), std::regex(R"(^\$2b\$05\$[./A-Za-z0-9]{53}$)")));
  EXPECT_FALSE(hasher.verify("", hasher.decoy_hash()));
  EXPECT_FALSE(hasher.verify("correct horse", hasher.decoy_hash()));
}

}  // namespace
}  // namespace hrapp::auth
