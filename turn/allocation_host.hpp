// What the TURN core asks of the layer that owns sockets and shared state: relay sockets
// opened and closed, allocation quotas that span all workers, and a word when an allocation
// starts or ends (for the log). relay/ implements it with real sockets; tests with a pool.
#pragma once

#include <optional>
#include <string_view>

#include "alloc/allocation.hpp"
#include "alloc/quota_ledger.hpp"
#include "alloc/reservation_table.hpp"
#include "turn/instant.hpp"

namespace hallpass::turn {

struct RelayEndpoint {
    TransportAddress bound;
    TransportAddress advertised;
    std::optional<alloc::ReservationToken> reservation;  // set when the next port was kept
};

// What an Allocate asks of its relay address (RFC 8656 §7.2).
struct RelayRequest {
    AddressFamily family = AddressFamily::ipv4;
    bool even_port = false;
    bool reserve_next = false;  // EVEN-PORT with R: keep port + 1 under a token
    std::optional<alloc::ReservationToken> token;  // RESERVATION-TOKEN: take that address
};

enum class EndReason { expired, refreshed_to_zero, connection_closed, shutdown };

class AllocationHost {
public:
    virtual ~AllocationHost() = default;

    virtual alloc::QuotaLedger::Verdict reserve_quota(std::string_view username) = 0;
    virtual void release_quota(std::string_view username) = 0;
    virtual bool supports(AddressFamily family) const = 0;
    // A relay address bound for allocation `id` as `request` asks; nullopt when none is
    // free or the token is unknown.
    virtual std::optional<RelayEndpoint> open_relay(alloc::AllocationId id,
                                                    const RelayRequest& request, Instant now) = 0;
    virtual void close_relay(alloc::AllocationId id, const TransportAddress& bound) = 0;

    virtual void allocation_created(const alloc::Allocation&, Instant) {}
    virtual void allocation_ended(const alloc::Allocation&, EndReason, Instant) {}
};

}  // namespace hallpass::turn
