#include "turn/check_rate_limiter.hpp"

#include <algorithm>

#include "alloc/cidr_block.hpp"

namespace hallpass::turn {
namespace {

// Buckets count in sixtieths of a set: a rate per minute is then a whole number per second.
constexpr std::uint64_t cost = 60;

bool take(alloc::TokenBucket& bucket, std::uint32_t per_minute, alloc::Millis now) {
    return bucket.take(cost, now, per_minute, std::uint64_t{per_minute} * cost);
}

}  // namespace

IpAddress CheckRateLimiter::key_of(const IpAddress& client) const {
    const IpAddress ip = client.unmapped();
    if (ip.is_v4()) return ip;
    return alloc::CidrBlock::make(ip, limits_.ipv6_prefix)->network;
}

bool CheckRateLimiter::make_room(alloc::Millis now) {
    const std::size_t before = clients_.size();
    std::erase_if(clients_, [&](const auto& entry) {
        return entry.second.full_at(now, limits_.per_client_per_minute,
                                    std::uint64_t{limits_.per_client_per_minute} * cost);
    });
    return clients_.size() < before;
}

bool CheckRateLimiter::allow(const IpAddress& client, alloc::Millis now) {
    const IpAddress key = key_of(client);
    auto it = clients_.find(key);
    if (it == clients_.end()) {
        if (clients_.size() >= limits_.table_size && !make_room(now)) return false;
        it = clients_.emplace(key, alloc::TokenBucket{}).first;
    }
    // The client's own bucket first: a client over its limit spends nothing of the total.
    alloc::TokenBucket own = it->second;
    if (!take(own, limits_.per_client_per_minute, now)) return false;
    if (!take(total_, limits_.total_per_minute, now)) return false;
    it->second = own;
    return true;
}

std::uint32_t CheckRateLimiter::retry_after_seconds() const {
    // A client's bucket gives one set back every 60/per_client_per_minute seconds.
    return std::max<std::uint32_t>(1, (60 + limits_.per_client_per_minute - 1) / limits_.per_client_per_minute);
}

}  // namespace hallpass::turn
