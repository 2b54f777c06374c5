// A client relaying through channel 0x4000 to one peer, for tests that check media keeps
// flowing while the server changes under it (reloads, drains).
#pragma once

#include <cstdint>
#include <memory>

#include "tests/integration/turn_session.hpp"
#include "tests/integration/udp_endpoint.hpp"

namespace hallpass::testing {

struct Relaying {
    std::unique_ptr<TurnSession> session;
    TransportAddress relayed;
};

// Allocates and binds channel 0x4000 to `peer` (each step EXPECTed to succeed).
Relaying relaying(std::unique_ptr<TurnSession> s, UdpEndpoint& peer);

// One datagram numbered `n` each way through the channel; false if either leg did not arrive.
bool round_trip(Relaying& r, UdpEndpoint& peer, std::uint32_t n = 0);

}  // namespace hallpass::testing
