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

// `disconnected`: an operator ended it (the admin API).
enum class EndReason { expired, refreshed_to_zero, connection_closed, shutdown, disconnected };

// A request refused, for the log line that tells a support engineer why a student failed.
struct Refusal {
    const alloc::FiveTuple& from;
    std::string_view user;    // the USERNAME as the client sent it; empty if none
    std::string_view reason;  // bad_credentials, stale_nonce, peer_forbidden, user_quota, ...
    std::optional<TransportAddress> peer = std::nullopt;  // the peer refused, if that was it
};

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

    // A draining or full node takes its alternates in turn: this says whose turn it is. The
    // relay shares one cursor between its workers, so the turn goes round the whole node.
    virtual std::size_t next_alternate() { return alternate_cursor_++; }

    virtual void refused(const Refusal&, Instant) {}
    virtual void allocation_created(const alloc::Allocation&, Instant) {}
    virtual void allocation_ended(const alloc::Allocation&, EndReason, Instant) {}

private:
    std::size_t alternate_cursor_ = 0;
};

}  // namespace hallpass::turn
