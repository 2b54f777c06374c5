// The server's own addresses as a client could name them as a peer: every listener, with a
// wildcard listener (0.0.0.0, ::) expanded to each address of the host's interfaces, and
// each 1:1 NAT public address on every listener port. The peer policy refuses them all
// (turn/peer_policy.hpp), so a client cannot make the relay talk to its own ports.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::relay {

std::vector<TransportAddress> own_endpoints(const config::Config& config);

}  // namespace hallpass::relay
