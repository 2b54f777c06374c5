// What the TURN core asks of the layer that owns sockets and shared state: relay addresses
// opened and closed (with the quotas and reservations that span all workers: see
// alloc/relay_address_opening.hpp for the policy), and a word when an allocation starts or
// ends (for the log). relay/ implements it with real sockets; tests with a pool.
#pragma once

#include <optional>
#include <string_view>
#include <variant>

#include "alloc/allocation.hpp"
#include "alloc/relay_address_book.hpp"
#include "turn/instant.hpp"

namespace hallpass::turn {

struct RelayEndpoint {
    TransportAddress bound;
    TransportAddress advertised;
    std::optional<alloc::ReservationToken> reservation;  // set when the next port was kept
};

// What an Allocate asks of its relay socket, beyond the address.
struct RelaySocketOptions {
    bool dont_fragment = false;  // DONT-FRAGMENT: set DF on every relayed datagram
};

enum class EndReason { expired, refreshed_to_zero, connection_closed, shutdown };

class AllocationHost {
public:
    virtual ~AllocationHost() = default;

    virtual bool supports(AddressFamily family) const = 0;
    // A relay address bound for allocation `id` as `request` asks, its quota counted for
    // `identity`; or why not.
    virtual std::variant<RelayEndpoint, alloc::RelayRefusal> open_relay(
        alloc::AllocationId id, std::string_view identity, const alloc::RelayRequest& request,
        const RelaySocketOptions& socket, Instant now) = 0;
    // The allocation ended: its socket closes, its address and quota come back.
    virtual void close_relay(alloc::AllocationId id, std::string_view identity,
                             const TransportAddress& bound) = 0;

    virtual void allocation_created(const alloc::Allocation&, Instant) {}
    virtual void allocation_ended(const alloc::Allocation&, EndReason, Instant) {}
};

}  // namespace hallpass::turn
