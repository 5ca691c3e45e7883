#pragma once
#include <string_view>

#include "common/ip_networks.hpp"
#include "http/message.hpp"

namespace hrapp::http {

/// Sets `request.client_address` and `request.https` for a request that arrived from `peer`.
/// Only a peer among `trusted_proxies` (the load balancer) is believed about X-Forwarded-For
/// and X-Forwarded-Proto, which anyone else could write. Behind one, the client is the
/// rightmost X-Forwarded-For address that is not a trusted proxy (the load balancer appends
/// the address it saw, so what a client wrote to the left of it is never taken), and
/// X-Forwarded-Proto says the scheme. Otherwise the client is the peer, over plain HTTP.
void resolve_client(Request& request, std::string_view peer, const IpNetworks& trusted_proxies);

}  // namespace hrapp::http
