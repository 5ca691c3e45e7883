#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hrapp::auth {

/// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
/// has signed in to an account gets a token naming the account and a random device id, signed
/// with a key the fleet shares. With it, that browser's sign-ins to that account are limited on
/// their own instead of by its address, so a guesser behind the same address locks no one out.
class DeviceCookies {
 public:
  explicit DeviceCookies(std::string key) : key_(std::move(key)) {}
  /// A new cookie value for `username`.
  std::string issue(std::string_view username) const;
  /// The device id of `value` if this fleet issued it for `username` (in any case).
  std::optional<std::string> device_of(std::string_view value, std::string_view username) const;

 private:
  std::string signature(std::string_view device, std::string_view username) const;
  std::string key_;
};

}  // namespace hrapp::auth
