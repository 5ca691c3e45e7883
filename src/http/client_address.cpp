#include "http/client_address.hpp"

#include <cctype>
#include <string>
#include <vector>

#include "common/text.hpp"

namespace hrapp::http {
namespace {

/// The comma-separated elements of every header called `name`, in order.
std::vector<std::string_view> list_header(const Request& request, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [header, value] : request.headers) {
    if (header != name) continue;
    std::string_view rest = value;
    for (;;) {
      const auto comma = rest.find(',');
      out.push_back(trim_blanks(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return out;
}

}  // namespace

void resolve_client(Request& request, std::string_view peer, const IpNetworks& trusted_proxies) {
  request.client_address = canonical_ip(peer).value_or(std::string(peer));
  request.https = false;
  if (!trusted_proxies.contains(peer)) return;
  if (const auto schemes = list_header(request, "x-forwarded-proto"); !schemes.empty()) {
    std::string scheme(schemes.back());  // as the nearest proxy saw it
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.https = scheme == "https";
  }
  const auto hops = list_header(request, "x-forwarded-for");
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = canonical_ip(*hop);
    if (!address) return;  // not an address: the last hop that could be trusted stays the client
    request.client_address = *address;
    if (!trusted_proxies.contains(*address)) return;
  }
}

}  // namespace hrapp::http
