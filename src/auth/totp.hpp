#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time_format.hpp"

// Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 30-second steps, as every
// authenticator app reads them from an otpauth:// URI.
namespace hrapp::auth::totp {

inline constexpr std::int64_t kStepSeconds = 30;
inline constexpr int kDigits = 6;

/// RFC 4648 base32 without padding, uppercase.
std::string base32_encode(std::string_view bytes);
/// Accepts either case, spaces and padding; nullopt for any other character.
std::optional<std::string> base32_decode(std::string_view text);

/// The RFC 4226 value for `counter`, `digits` long with leading zeros.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = kDigits);
/// The time step that `t` falls in.
std::int64_t step_at(TimePoint t);
/// The step, from the one before `now`'s to the one after, whose code `code` is; nullopt if none.
std::optional<std::int64_t> matching_step(std::string_view key, std::string_view code, TimePoint now);

}  // namespace hrapp::auth::totp
