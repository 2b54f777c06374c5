// An even relay port and the odd one above it, for EVEN-PORT with the R bit (RFC 8656
// §14.6): RTP on the even port, RTCP on the next, as old media stacks expect.
#pragma once

#include <optional>
#include <utility>

#include "alloc/relay_address_pool.hpp"

namespace hallpass::alloc {

template <std::uniform_random_bit_generator Urbg>
std::optional<std::pair<TransportAddress, TransportAddress>> acquire_even_pair(
    RelayAddressPool& pool, AddressFamily family, Urbg& rng) {
    // Each try takes a random even port and keeps it only if its neighbour is free too;
    // a busy pool gives up after a bounded number of tries rather than scanning it all.
    for (int attempt = 0; attempt < 32; ++attempt) {
        auto even = pool.acquire(family, rng, true);
        if (!even) return std::nullopt;
        TransportAddress odd = *even;
        odd.port = static_cast<std::uint16_t>(even->port + 1);
        if (even->port < pool.ports().max && pool.acquire_specific(odd)) return std::pair{*even, odd};
        pool.release(*even);
    }
    return std::nullopt;
}

}  // namespace hallpass::alloc
