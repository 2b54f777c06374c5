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

IpAddress network_of(const IpAddress& ip, int prefix) { return alloc::CidrBlock::make(ip, prefix)->network; }

}  // namespace

// Frees the entries whose bucket is full again; false if none could be freed.
bool CheckRateLimiter::Table::make_room(alloc::Millis now, std::uint32_t per_minute) {
    const std::size_t before = buckets.size();
    std::erase_if(buckets, [&](const auto& entry) {
        return entry.second.full_at(now, per_minute, std::uint64_t{per_minute} * cost);
    });
    return buckets.size() < before;
}

// The bucket of `key`, made when there is room; nullptr when the table is full of keys
// that are being limited.
alloc::TokenBucket* CheckRateLimiter::Table::find_or_add(const IpAddress& key, alloc::Millis now,
                                                         std::uint32_t per_minute, std::size_t size) {
    auto it = buckets.find(key);
    if (it != buckets.end()) return &it->second;
    if (buckets.size() >= size && !make_room(now, per_minute)) return nullptr;
    return &buckets.emplace(key, alloc::TokenBucket{}).first->second;
}

bool CheckRateLimiter::allow(const IpAddress& client, alloc::Millis now) {
    const IpAddress ip = client.unmapped();
    const std::uint32_t per_client = limits_.per_client_per_minute;
    const std::uint32_t per_network = per_client * ipv6_network_factor;
    alloc::TokenBucket* own = clients_.find_or_add(ip.is_v4() ? ip : network_of(ip, limits_.ipv6_prefix), now,
                                                   per_client, limits_.table_size);
    if (!own) return false;
    alloc::TokenBucket* network = nullptr;
    if (!ip.is_v4()) {
        network = networks_.find_or_add(network_of(ip, 48), now, per_network, limits_.table_size);
        if (!network) return false;
    }
    // Taken from copies first: a client refused by one limit spends nothing of the others.
    alloc::TokenBucket own_after = *own, network_after = network ? *network : alloc::TokenBucket{};
    if (!take(own_after, per_client, now)) return false;
    if (network && !take(network_after, per_network, now)) return false;
    if (!take(total_, limits_.total_per_minute, now)) return false;
    *own = own_after;
    if (network) *network = network_after;
    return true;
}

std::uint32_t CheckRateLimiter::retry_after_seconds() const {
    // A client's bucket gives one set back every 60/per_client_per_minute seconds (the
    // node's total, when that was the limit, refills sooner).
    return std::max<std::uint32_t>(1, (60 + limits_.per_client_per_minute - 1) / limits_.per_client_per_minute);
}

}  // namespace hallpass::turn
