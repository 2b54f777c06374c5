// ReplyRateLimiter: how many answers a worker sends, per second, to UDP requests that did
// not authenticate — 401 and 438 challenges, Binding answers, small errors. Over UDP the
// source address can be forged, so every such answer could land on a victim; each is kept
// small (about twice its request at most), and this bounds how many there are: per source
// prefix (IPv4 /24, IPv6 /48: one school's NAT pool, or one victim network) and in total.
// The table is fixed in size: a flood of fresh sources cannot grow it. An entry whose bucket
// is full again carries no information and may be reused; when every place a prefix could
// go is held by a prefix that is being limited, the answer is refused (fail closed).
// Per worker, like everything on the packet path: no locks.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "alloc/token_bucket.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::turn {

struct ReplyRateLimits {
    std::uint32_t per_prefix_per_second = 2000;  // 0: no limit at all
    std::uint32_t per_prefix_burst = 10000;
    std::uint32_t total_per_second = 50000;
    std::uint32_t table_size = 4096;  // entries; a power of two
};

class ReplyRateLimiter {
public:
    static constexpr std::size_t probe_length = 8;

    ReplyRateLimiter(const ReplyRateLimits& limits, std::uint64_t seed);

    // New rates (a reload); the table and what it has counted stay, table_size does not change.
    void set_rates(const ReplyRateLimits& limits);

    // True if one more answer may go to `source` now (and counts it).
    bool allow(const IpAddress& source, alloc::Millis now);
    // Entries in use: bounded by table_size() whatever the traffic.
    std::size_t tracked() const;
    std::size_t table_size() const { return table_.size(); }
    static IpAddress prefix_of(const IpAddress& source);

private:
    struct Entry {
        IpAddress prefix;
        alloc::TokenBucket bucket;
        bool used = false;
    };
    bool idle(const Entry& e, alloc::Millis now) const;

    ReplyRateLimits limits_;
    std::uint64_t seed_;
    std::vector<Entry> table_;
    alloc::TokenBucket total_;
};

}  // namespace hallpass::turn
