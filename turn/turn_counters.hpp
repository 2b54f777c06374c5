// TurnCounters: what one worker's TurnServer counts for the Prometheus metrics — allocations,
// authentication failures, refusals, relayed traffic and drops — by small fixed label sets
// (transport, direction, reason), never by user or address. Written by the worker only;
// read by a scrape (turn/counter.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "alloc/allocation.hpp"
#include "turn/allocation_host.hpp"
#include "turn/counter.hpp"

namespace hallpass::turn {

// Why a request did not authenticate (the first request of every client is `challenged`:
// it carried no credentials, as RFC 8489 §9.2 has it; that is not a failure of the client).
enum class AuthOutcome : std::uint8_t {
    challenged,         // 401: no MESSAGE-INTEGRITY yet
    bad_credentials,    // 401: unknown user, or the integrity does not verify
    wrong_realm,        // 401: another realm
    stale_nonce,        // 438
    expired_username,   // 401: a shared-secret username past its expiry
    too_far_ahead,      // 401: expiry beyond auth.max_credential_lifetime
    wrong_credentials,  // 441: another user's allocation
    count_
};
constexpr std::string_view name_of(AuthOutcome o) {
    constexpr std::string_view names[] = {"challenged",       "bad_credentials", "wrong_realm",      "stale_nonce",
                                          "expired_username", "too_far_ahead",   "wrong_credentials"};
    return names[static_cast<std::size_t>(o)];
}

// Why a client's or a peer's packet was not relayed.
enum class DropReason : std::uint8_t {
    malformed,          // not STUN, not ChannelData, or a ChannelData/Send that does not parse
    no_allocation,      // media from a 5-tuple without an allocation
    unknown_channel,    // ChannelData on a channel that is not bound
    no_permission,      // to or from a peer without a permission
    over_bandwidth,     // limits.allocation_bps
    rate_limited,       // an answer to an unauthenticated request, over unauthenticated_rate
    count_
};
constexpr std::string_view name_of(DropReason r) {
    constexpr std::string_view names[] = {"malformed",     "no_allocation",  "unknown_channel",
                                          "no_permission", "over_bandwidth", "rate_limited"};
    return names[static_cast<std::size_t>(r)];
}

// An Allocate refused for room (486, 508), and why.
// An Allocate refused for room (486, 508), or turned away while draining (300 to an
// alternate, or 403 without one), and why.
enum class AllocateRefusal : std::uint8_t { user_quota, total_quota, no_address, draining, count_ };
constexpr std::string_view name_of(AllocateRefusal r) {
    constexpr std::string_view names[] = {"user_quota", "total_quota", "no_address", "draining"};
    return names[static_cast<std::size_t>(r)];
}

enum class Direction : std::uint8_t { to_peer, to_client, count_ };
constexpr std::string_view name_of(Direction d) { return d == Direction::to_peer ? "to_peer" : "to_client"; }

constexpr std::size_t transports = 3;  // alloc::Transport: udp, tcp, tls
constexpr std::string_view name_of(alloc::Transport t) {
    constexpr std::string_view names[] = {"udp", "tcp", "tls"};
    return names[static_cast<std::size_t>(t)];
}
constexpr std::size_t end_reasons = 5;  // EndReason
constexpr std::string_view name_of(EndReason r) {
    constexpr std::string_view names[] = {"expired", "released", "connection_closed", "shutdown", "disconnected"};
    return names[static_cast<std::size_t>(r)];
}

// Upper bounds, in seconds, of the allocation lifetime histogram's buckets (+Inf last).
inline constexpr std::array<double, 9> lifetime_buckets = {10, 60, 300, 600, 1800, 3600, 7200, 14400, 28800};

template <class Enum>
constexpr std::size_t count_of() { return static_cast<std::size_t>(Enum::count_); }

struct TurnCounters {
    std::array<Counter, transports> allocations_created;
    std::array<std::array<Counter, end_reasons>, transports> allocations_ended;
    std::array<Counter, count_of<AuthOutcome>()> auth_failures;
    std::array<Counter, count_of<AllocateRefusal>()> allocate_refusals;
    Counter redirected;  // 300 Try Alternate answers
    Counter peer_refusals;  // 403 to CreatePermission and ChannelBind, Sends to our own endpoints
    std::array<std::array<Counter, transports>, 2> packets;  // [Direction][transport]
    std::array<std::array<Counter, transports>, 2> bytes;
    std::array<Counter, count_of<DropReason>()> drops;
    std::array<Counter, lifetime_buckets.size() + 1> lifetime_histogram;  // per bucket, not cumulative
    Counter lifetime_sum_ms;

    // Allocations held now over `t`: made less ended. The two are read a moment apart by a
    // scrape, so a count that ended in between is not taken below zero.
    std::uint64_t held(alloc::Transport t) const {
        const auto i = static_cast<std::size_t>(t);
        std::uint64_t ended = 0;
        for (const auto& e : allocations_ended[i]) ended += e.value();
        const auto created = allocations_created[i].value();
        return created > ended ? created - ended : 0;
    }

    void drop(DropReason r) { drops[static_cast<std::size_t>(r)].add(); }
    void auth(AuthOutcome o) { auth_failures[static_cast<std::size_t>(o)].add(); }
    void relayed(Direction d, alloc::Transport t, std::size_t size) {
        packets[static_cast<std::size_t>(d)][static_cast<std::size_t>(t)].add();
        bytes[static_cast<std::size_t>(d)][static_cast<std::size_t>(t)].add(size);
    }
    void ended(alloc::Transport t, EndReason why, alloc::Millis lifetime) {
        allocations_ended[static_cast<std::size_t>(t)][static_cast<std::size_t>(why)].add();
        std::size_t bucket = 0;
        const double seconds = static_cast<double>(lifetime.count()) / 1000.0;
        while (bucket < lifetime_buckets.size() && seconds > lifetime_buckets[bucket]) ++bucket;
        lifetime_histogram[bucket].add();
        lifetime_sum_ms.add(static_cast<std::uint64_t>(std::max<std::int64_t>(lifetime.count(), 0)));
    }
};

}  // namespace hallpass::turn
