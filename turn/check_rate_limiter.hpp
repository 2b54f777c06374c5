// CheckRateLimiter: how many sets of probe credentials the school network check hands out
// per minute, per client address and in total (config check.credentials_per_minute*). Each
// set is worth a few short allocations to whoever asks, so a client that reloads the page
// in a loop, or a botnet, gets a bounded number. An IPv4 client is one address; an IPv6
// client is counted by its prefix (a host holds a whole /64). The table is bounded: a flood
// of fresh addresses cannot grow it; an entry whose bucket has refilled carries nothing and
// is reused, and when none has, new clients are refused (fail closed).
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
    std::size_t table_size = 8192;
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
    std::size_t tracked() const { return clients_.size(); }

private:
    IpAddress key_of(const IpAddress& client) const;
    // Frees the entries whose bucket is full again; false if none could be freed.
    bool make_room(alloc::Millis now);

    CheckRateLimits limits_;
    std::unordered_map<IpAddress, alloc::TokenBucket> clients_;
    alloc::TokenBucket total_;
};

}  // namespace hallpass::turn
