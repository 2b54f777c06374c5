// Allocation: one client's relayed transport address and what hangs off it (RFC 8656 §2.2):
// the client's 5-tuple, the relay address, the username that made it, its lifetime, its
// bandwidth budget and traffic counters. Plain data; AllocationTable owns the lifecycle.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alloc/millis.hpp"
#include "alloc/token_bucket.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::alloc {

enum class Transport : std::uint8_t { udp, tcp, tls };

// Client address, the server address it reached, and the transport (RFC 8656 §2.2).
struct FiveTuple {
    TransportAddress client;
    TransportAddress server;
    Transport transport = Transport::udp;
    friend bool operator==(const FiveTuple&, const FiveTuple&) = default;
};

struct FiveTupleHash {
    std::size_t operator()(const FiveTuple& t) const {
        return hash_value(t.client) * 1000003u ^ hash_value(t.server) ^
               static_cast<std::size_t>(t.transport);
    }
};

// An index into the worker's allocation slots plus a generation, so that a late packet on
// a relay socket of a freed allocation is recognised and dropped.
struct AllocationId {
    std::uint32_t index = 0;
    std::uint32_t generation = 0;
    friend bool operator==(const AllocationId&, const AllocationId&) = default;
};

struct TrafficCounters {
    std::uint64_t bytes_to_peers = 0;
    std::uint64_t packets_to_peers = 0;
    std::uint64_t bytes_to_client = 0;
    std::uint64_t packets_to_client = 0;
    // Dropped for going over limits.allocation_bps.
    std::uint64_t dropped_to_peers = 0;
    std::uint64_t dropped_to_client = 0;
};

struct Allocation {
    AllocationId id;
    FiveTuple five_tuple;
    std::string username;
    // Where the quota identity starts in `username`: past "expiry:" for a shared-secret
    // username, so that a fresh expiry does not buy a fresh quota; 0 for a static user.
    std::uint16_t identity_offset = 0;
    bool dont_fragment = false;  // DONT-FRAGMENT in the Allocate: relayed datagrams carry DF
    TransportAddress relay;       // the address the relay socket is bound to
    TransportAddress advertised;  // the address told to the client (differs behind 1:1 NAT)
    Millis created{0};
    Millis expires{0};         // set through AllocationTable::set_expiry once created
    Millis expiry_queued{0};   // the deadline of its one live expiry-wheel entry
    std::array<std::uint8_t, 12> allocate_transaction{};  // to answer a retransmitted Allocate
    std::uint32_t granted_lifetime = 0;
    TrafficCounters traffic;
    // limits.allocation_bps as it was when the allocation was made: a reload changes the
    // limit for new allocations only.
    BandwidthLimit bandwidth;
    TokenBucket to_peers_budget;
    TokenBucket to_client_budget;
    // Kept to erase this allocation's entries from the shared tables when it ends, and to
    // count them against limits.permissions_per_allocation and channels_per_allocation.
    std::vector<std::uint16_t> channels;
    std::vector<IpAddress> permissions;

    std::string_view identity() const { return std::string_view(username).substr(identity_offset); }
    // Whether `user` names its owner: the whole username, or the user id it counts under.
    bool belongs_to(std::string_view user) const { return username == user || identity() == user; }
};

}  // namespace hallpass::alloc
