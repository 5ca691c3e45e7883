#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hrapp::auth {

/// Why `password` may not be `username`'s, or nullopt (ASVS 2.1, NIST SP 800-63B 5.1.1.2):
/// 8 to 72 bytes of UTF-8, not one of the 10,000 most common breached passwords (in any case),
/// and not containing the username (in any case).
std::optional<std::string> password_problem(std::string_view username, std::string_view password);

}  // namespace hrapp::auth
