// What a second factor adds to a sign-in, against the bcrypt check every sign-in already makes:
// the TOTP check (three HMAC-SHA-1 codes, the step before, now and after, compared in constant
// time), a recovery code's hash, and one bcrypt verification at the production cost of 12.
// Run: make bench-totp
#include <chrono>
#include <cstdio>
#include <string>

#include "auth/auth_service.hpp"
#include "auth/password_hasher.hpp"
#include "auth/totp.hpp"
#include "common/crypto.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <class Work>
double microseconds_each(int rounds, Work&& work) {
  const auto start = Clock::now();
  for (int i = 0; i < rounds; ++i) work(i);
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / rounds;
}

}  // namespace

int main() {
  using namespace hrapp;
  const std::string key = random_bytes(20);
  const std::string secret = auth::totp::base32_encode(key);
  const TimePoint now = std::chrono::system_clock::now();
  std::size_t matched = 0;
  const double totp = microseconds_each(200000, [&](int i) {
    const auto decoded = auth::totp::base32_decode(secret);
    const std::string code = (i % 2) ? auth::totp::hotp(key, auth::totp::step_at(now)) : "000000";
    matched += auth::totp::matching_step(*decoded, code, now).has_value();
  });
  const double recovery = microseconds_each(200000, [&](int) { matched += auth::AuthService::recovery_code_hash("abcde-23456").size(); });
  const auth::PasswordHasher hasher(12);
  const std::string hash = hasher.hash("correct horse battery");
  const double bcrypt = microseconds_each(5, [&](int) { matched += hasher.verify("correct horse battery", hash); });
  std::printf("totp check (decode the key, make and compare 3 codes, half right): %.2f us\n", totp);
  std::printf("recovery code hash: %.2f us\n", recovery);
  std::printf("bcrypt verify, cost 12: %.0f us (%.0fx the totp check)\n", bcrypt, bcrypt / totp);
  return matched == 0;  // keeps the work from being optimised away
}
