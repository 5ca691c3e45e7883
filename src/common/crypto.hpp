#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hrapp {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string to_hex(const Sha256Digest& d) { return to_hex(d.data(), d.size()); }
inline std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }
inline std::string_view as_bytes(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

/// Bytes from the operating system's CSPRNG (OpenSSL RAND_bytes); throws if it fails.
std::string random_bytes(std::size_t n);
/// Unpadded base64url.
std::string base64url(std::string_view bytes);
/// Padded base64 (RFC 4648, 4).
std::string base64(std::string_view bytes);
/// Random version-4 UUID, lowercase, 36 characters.
std::string uuid_v4();
/// Compares in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace hrapp
