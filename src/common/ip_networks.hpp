#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrapp {

/// A list of IPv4 and IPv6 networks (the TRUSTED_PROXIES setting: the load balancer's subnets).
class IpNetworks {
 public:
  IpNetworks() = default;
  /// "10.0.0.0/16,10.0.1.0/24,::1/128"; a bare address is a single host. Throws
  /// std::invalid_argument naming the first entry that is not a network.
  static IpNetworks parse(std::string_view list);
  /// Whether `address` (text) is in one of the networks; false for text that is not an address.
  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    unsigned prefix = 0;                   // of the 128 bits
  };
  std::vector<Network> networks_;
};

/// `text` in the usual form of its address (IPv4-mapped IPv6 as IPv4), or nullopt if it is
/// not an address.
std::optional<std::string> canonical_ip(std::string_view text);

}  // namespace hrapp
