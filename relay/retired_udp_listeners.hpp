// RetiredUdpListeners: the UDP addresses a reload removed whose sockets are still open for
// the allocations made through them. Every worker has a socket on such an address, and
// together they form one SO_REUSEPORT group in which the kernel picks a socket by a hash
// over the group's size: closing one socket would move clients to other workers' sockets,
// which do not know their allocations. So the sockets close together, once no worker has
// an allocation through the address, and until then the address cannot be added back
// (new sockets would reshuffle the group the same way).
//
// Bookkeeping only: SharedState holds it behind its lock; workers ask at their ticks.
#pragma once

#include <cstdint>
#include <vector>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

class RetiredUdpListeners {
public:
    // A reload removed `address`; each of `workers` workers has a socket on it.
    void retire(const TransportAddress& address, unsigned workers);
    // Some worker still has its socket on `address` open.
    bool open(const TransportAddress& address) const;
    // Worker `worker` has no allocation through `address` any more (it never gets another:
    // a removed listener takes no new client). True once every worker has said so: the
    // sockets may close.
    bool idle(const TransportAddress& address, unsigned worker);
    // Worker `worker` closed its socket; true for the last one, when the address is forgotten.
    bool closed(const TransportAddress& address, unsigned worker);

    std::vector<TransportAddress> addresses() const;

private:
    struct Entry {
        TransportAddress address;
        std::vector<bool> idle;    // by worker
        std::vector<bool> closed;  // by worker
    };
    Entry* find(const TransportAddress& address);
    std::vector<Entry> entries_;
};

}  // namespace hallpass::relay
