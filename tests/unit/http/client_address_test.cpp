#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hrapp::http {
namespace {

Request with(std::vector<std::pair<std::string, std::string>> headers) {
  Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(IpNetworks, MatchesAddressesInsideEachNetworkOnly) {
  const auto nets = IpNetworks::parse(" 10.0.0.0/16, 192.0.2.7 ,2001:db8::/32,");
  EXPECT_TRUE(nets.contains("10.0.255.1"));
  EXPECT_FALSE(nets.contains("10.1.0.1"));
  EXPECT_TRUE(nets.contains("192.0.2.7"));
  EXPECT_FALSE(nets.contains("192.0.2.8"));
  EXPECT_TRUE(nets.contains("::ffff:10.0.0.9"));  // IPv4-mapped
  EXPECT_TRUE(nets.contains("2001:db8:1::5"));
  EXPECT_FALSE(nets.contains("2001:db9::5"));
  EXPECT_FALSE(nets.contains("not an address"));
  EXPECT_TRUE(IpNetworks::parse("").empty());
  EXPECT_TRUE(IpNetworks::parse("0.0.0.0/0").contains("203.0.113.9"));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::/129", "10.0.0.0/1x", "example.com"})
    EXPECT_THROW(IpNetworks::parse(bad), std::invalid_argument) << bad;
}

TEST(ResolveClient, APeerThatIsNoTrustedProxyIsTheClientWhateverItsHeadersSay) {
  auto r = with({{"x-forwarded-for", "203.0.113.5"}, {"x-forwarded-proto", "https"}});
  resolve_client(r, "198.51.100.9", IpNetworks::parse("10.0.0.0/8"));
  EXPECT_EQ(r.client_address, "198.51.100.9");
  EXPECT_FALSE(r.https);
}

TEST(ResolveClient, BehindTheLoadBalancerTheRightmostUntrustedHopIsTheClient) {
  const auto lb = IpNetworks::parse("10.0.0.0/16");
  // A client wrote its own X-Forwarded-For; the load balancer appended the address it saw.
  auto r = with({{"x-forwarded-for", "1.2.3.4, 203.0.113.5"}, {"x-forwarded-proto", "HTTPS"}});
  resolve_client(r, "10.0.3.4", lb);
  EXPECT_EQ(r.client_address, "203.0.113.5");
  EXPECT_TRUE(r.https);
  auto chain = with({{"x-forwarded-for", "203.0.113.5"}, {"x-forwarded-for", "10.0.1.1"}, {"x-forwarded-proto", "http"}});
  resolve_client(chain, "10.0.3.4", lb);
  EXPECT_EQ(chain.client_address, "203.0.113.5");
  EXPECT_FALSE(chain.https);
  auto garbage = with({{"x-forwarded-for", "203.0.113.5, not-an-address"}});
  resolve_client(garbage, "10.0.3.4", lb);
  EXPECT_EQ(garbage.client_address, "10.0.3.4");
  auto none = with({});
  resolve_client(none, "::ffff:10.0.3.4", lb);
  EXPECT_EQ(none.client_address, "10.0.3.4");
  EXPECT_FALSE(none.https);
}

}  // namespace
}  // namespace hrapp::http
