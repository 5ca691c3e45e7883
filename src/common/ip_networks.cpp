#include "common/ip_networks.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <stdexcept>

#include "common/text.hpp"

namespace hrapp {
namespace {

std::optional<boost::asio::ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(trim_blanks(text)), ec);
  if (ec) return std::nullopt;
  return address;
}

/// An address as 16 bytes, IPv4 mapped into IPv6.
std::array<std::uint8_t, 16> bytes_of(const boost::asio::ip::address& address) {
  if (address.is_v4()) return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()).to_bytes();
  return address.to_v6().to_bytes();
}

}  // namespace

IpNetworks IpNetworks::parse(std::string_view list) {
  IpNetworks out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view entry = trim_blanks(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry.empty()) continue;
    const auto bad = [&] { return std::invalid_argument("not an address or network: '" + std::string(entry) + "'"); };
    const auto slash = entry.find('/');
    const auto address = parse_address(entry.substr(0, slash));
    if (!address) throw bad();
    const unsigned width = address->is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
      const std::string_view digits = entry.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw bad();
      prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
      if (prefix > width) throw bad();
    }
    out.networks_.push_back({bytes_of(*address), prefix + (128 - width)});
  }
  return out;
}

bool IpNetworks::contains(std::string_view text) const {
  const auto address = parse_address(text);
  if (!address) return false;
  const auto bytes = bytes_of(*address);
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& net) {
    for (unsigned bit = 0; bit < net.prefix; ++bit) {
      const unsigned mask = 0x80u >> (bit % 8);
      if ((bytes[bit / 8] & mask) != (net.bytes[bit / 8] & mask)) return false;
    }
    return true;
  });
}

std::optional<std::string> canonical_ip(std::string_view text) {
  auto address = parse_address(text);
  if (!address) return std::nullopt;
  if (address->is_v6() && address->to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address->to_v6()).to_string();
  return address->to_string();
}

}  // namespace hrapp
