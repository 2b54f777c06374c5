// CheckRateLimiter: how many sets of probe credentials the school network check hands out
// per minute, per client address and in total (config check.credentials_per_minute*). Each
// set is worth a few short allocations to whoever asks, so a client that reloads the page
// in a loop, or a botnet, gets a bounded number. An IPv4 client is one address; an IPv6
// client is counted by its prefix (a host holds a whole /64), and its /48 (a site) gets
// ipv6_network_factor times that too, so one site's many /64s cannot take the node's total.
// The tables are bounded: a flood of fresh addresses cannot grow them; an entry whose
// bucket has refilled carries nothing and is reused, and when none has, new clients are
// refused (fail closed).
// Not thread-safe: relay/ guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "alloc/token_bucket.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::turn {

struct CheckRateLimits {
    std::uint32_t per_client_per_minute = 20;  // also the burst: a minute's worth
    std::uint32_t total_per_minute = 600;
    int ipv6_prefix = 64;
    std::size_t table_size = 8192;  // entries per table
};

class CheckRateLimiter {
public:
    explicit CheckRateLimiter(const CheckRateLimits& limits) : limits_(limits) {}

    // A reload's limits; what was counted stays.
    void set_limits(const CheckRateLimits& limits) { limits_ = limits; }
    // True if `client` may have one more set now (and counts it).
    bool allow(const IpAddress& client, alloc::Millis now);
    // Seconds a refused client should wait for its next set (at least 1): for Retry-After.
    std::uint32_t retry_after_seconds() const;
    std::size_t tracked() const { return clients_.buckets.size() + networks_.buckets.size(); }

    static constexpr std::uint32_t ipv6_network_factor = 4;

private:
    struct Table {
        std::unordered_map<IpAddress, alloc::TokenBucket> buckets;
        bool make_room(alloc::Millis now, std::uint32_t per_minute);
        alloc::TokenBucket* find_or_add(const IpAddress& key, alloc::Millis now, std::uint32_t per_minute,
                                        std::size_t size);
    };

    CheckRateLimits limits_;
    Table clients_;   // IPv4 addresses and IPv6 prefixes
    Table networks_;  // IPv6 /48s
    alloc::TokenBucket total_;
};

}  // namespace hallpass::turn
