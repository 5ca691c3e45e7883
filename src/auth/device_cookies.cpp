#include "auth/device_cookies.hpp"

#include "common/crypto.hpp"
#include "common/text.hpp"

namespace hrapp::auth {

std::string DeviceCookies::signature(std::string_view device, std::string_view username) const {
  return base64url(as_bytes(hmac_sha256(key_, "device-cookie\n" + std::string(device) + "\n" + to_lower_ascii(username))));
}

std::string DeviceCookies::issue(std::string_view username) const {
  const std::string device = base64url(random_bytes(16));
  return device + "." + signature(device, username);
}

std::optional<std::string> DeviceCookies::device_of(std::string_view value, std::string_view username) const {
  const auto dot = value.find('.');
  if (dot == std::string_view::npos || value.size() > 128) return std::nullopt;
  const std::string device(value.substr(0, dot));
  if (!constant_time_equal(value.substr(dot + 1), signature(device, username))) return std::nullopt;
  return device;
}

}  // namespace hrapp::auth
