// What the TURN core asks of the layer that owns sockets and shared state: relay sockets
// opened and closed, allocation quotas that span all workers, and a word when an allocation
// starts or ends (for the log). relay/ implements it with real sockets; tests with a pool.
#pragma once

#include <optional>
#include <string_view>

#include "alloc/allocation.hpp"
#include "alloc/quota_ledger.hpp"
#include "turn/instant.hpp"

namespace hallpass::turn {

struct RelayEndpoint {
    TransportAddress bound;
    TransportAddress advertised;
};

enum class EndReason { expired, refreshed_to_zero, connection_closed, shutdown };

class AllocationHost {
public:
    virtual ~AllocationHost() = default;

    virtual alloc::QuotaLedger::Verdict reserve_quota(std::string_view username) = 0;
    virtual void release_quota(std::string_view username) = 0;
    virtual bool supports(AddressFamily family) const = 0;
    // A relay address of `family` bound for allocation `id`; nullopt when none is free.
    virtual std::optional<RelayEndpoint> open_relay(alloc::AllocationId id, AddressFamily family,
                                                    bool even_port) = 0;
    virtual void close_relay(alloc::AllocationId id, const TransportAddress& bound) = 0;

    virtual void allocation_created(const alloc::Allocation&, Instant) {}
    virtual void allocation_ended(const alloc::Allocation&, EndReason, Instant) {}
};

}  // namespace hallpass::turn
