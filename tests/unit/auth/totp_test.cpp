#include "auth/totp.hpp"

#include <gtest/gtest.h>

#include "common/time_format.hpp"

namespace hrapp::auth::totp {
namespace {

TimePoint at_unix(std::int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

// RFC 6238, Appendix B: the SHA-1 key and its 8-digit values at each test time.
TEST(Totp, MatchesTheRfc6238Sha1Vectors) {
  const std::string key = "12345678901234567890";
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [time, code] : vectors)
    EXPECT_EQ(hotp(key, static_cast<std::uint64_t>(time / kStepSeconds), 8), code) << time;
  // The clock's steps (the last vector's time is past what the clock's nanoseconds hold).
  EXPECT_EQ(step_at(at_unix(59)), 1);
  EXPECT_EQ(step_at(at_unix(1111111109)), 37037036);
  EXPECT_EQ(step_at(at_unix(2000000000)), 66666666);
}

// RFC 4226, Appendix D: HOTP values for counters 0-9, six digits.
TEST(Totp, MatchesTheRfc4226HotpVectors) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter)
    EXPECT_EQ(hotp("12345678901234567890", counter), expected[counter]);
}

TEST(Totp, AcceptsTheStepBeforeAndAfterButNoFurther) {
  const std::string key = "12345678901234567890";
  const TimePoint now = at_unix(1111111111);
  const std::int64_t step = step_at(now);
  for (const std::int64_t offset : {-1, 0, 1})
    EXPECT_EQ(matching_step(key, hotp(key, static_cast<std::uint64_t>(step + offset)), now), step + offset);
  for (const std::int64_t offset : {-2, 2})
    EXPECT_FALSE(matching_step(key, hotp(key, static_cast<std::uint64_t>(step + offset)), now));
  EXPECT_FALSE(matching_step(key, "12345", now));
  EXPECT_FALSE(matching_step(key, "abcdef", now));
}

// RFC 4648, section 10, without padding.
TEST(Totp, Base32RoundTripsTheRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base32_encode(plain), encoded);
    EXPECT_EQ(base32_decode(encoded), plain);
  }
  EXPECT_EQ(base32_decode("mzxw 6ytb oi======"), "foobar");  // any case, spaces, padding
  EXPECT_FALSE(base32_decode("MZXW1"));                     // 1 is not in the alphabet
}

}  // namespace
}  // namespace hrapp::auth::totp
