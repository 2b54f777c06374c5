// Which alternates a node may send a client to: all it is given but its own endpoints. So
// one list naming every node serves each of them (a Kubernetes DaemonSet shares one
// config), and a node never sends a student back to itself, where the same drain or the
// same full table would turn them away again.
#pragma once

#include <vector>

#include "stun/transport_address.hpp"
#include "turn/server_options.hpp"

namespace hallpass::turn {

std::vector<Alternate> alternates_except(const std::vector<Alternate>& all, const std::vector<TransportAddress>& own);

}  // namespace hallpass::turn
