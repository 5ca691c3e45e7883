// What a client sends at sign-in besides its password: the device cookie and the second factor's
// code. Any bytes give an answer: a cookie is never accepted unless this key signed it for this
// account, and no code is accepted for a key it was not made from.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "auth/auth_service.hpp"
#include "auth/device_cookies.hpp"
#include "auth/totp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hrapp;
  const std::string input(reinterpret_cast<const char*>(data), size);
  static const auth::DeviceCookies cookies("fuzzing key");
  if (cookies.device_of(input, "ada")) std::abort();  // forging a signature is not a fuzzer's to find
  const TimePoint now{std::chrono::seconds(1'700'000'000)};
  const std::string key = "12345678901234567890";
  if (const auto step = auth::totp::matching_step(key, input, now);
      step && auth::totp::hotp(key, static_cast<std::uint64_t>(*step)) != input)
    std::abort();
  if (auth::AuthService::recovery_code_hash(input).size() != 64) std::abort();
  if (const auto decoded = auth::totp::base32_decode(input)) {
    // What decodes encodes back to the same bits (up to case, spaces, padding and spare bits).
    const auto again = auth::totp::base32_decode(auth::totp::base32_encode(*decoded));
    if (!again || *again != *decoded) std::abort();
  }
  return 0;
}
