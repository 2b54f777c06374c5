#include "turn/reply_rate_limiter.hpp"

#include <algorithm>
#include <bit>

#include "alloc/cidr_block.hpp"

namespace hallpass::turn {
namespace {

// SplitMix64 finaliser over the prefix bytes, keyed by a per-process seed so that a sender
// cannot choose prefixes that all land in one probe window.
std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::uint64_t hash_of(const IpAddress& prefix, std::uint64_t seed) {
    std::uint64_t h = seed ^ static_cast<std::uint64_t>(prefix.family);
    for (std::size_t i = 0; i < prefix.bytes.size(); i += 8) {
        std::uint64_t word = 0;
        for (std::size_t j = 0; j < 8; ++j) word = word << 8 | prefix.bytes[i + j];
        h = mix(h ^ word);
    }
    return h;
}

}  // namespace

ReplyRateLimiter::ReplyRateLimiter(const ReplyRateLimits& limits, std::uint64_t seed)
    : limits_(limits), seed_(seed), table_(std::bit_ceil(std::max<std::size_t>(limits.table_size, probe_length))) {}

void ReplyRateLimiter::set_rates(const ReplyRateLimits& limits) {
    const auto size = limits_.table_size;
    limits_ = limits;
    limits_.table_size = size;
}

IpAddress ReplyRateLimiter::prefix_of(const IpAddress& source) {
    const IpAddress ip = source.unmapped();
    return alloc::CidrBlock::make(ip, ip.is_v4() ? 24 : 48)->network;
}

bool ReplyRateLimiter::idle(const Entry& e, alloc::Millis now) const {
    return !e.used || e.bucket.full_at(now, limits_.per_prefix_per_second, std::max(limits_.per_prefix_burst, 1u));
}

bool ReplyRateLimiter::allow(const IpAddress& source, alloc::Millis now) {
    if (limits_.per_prefix_per_second == 0) return true;
    const IpAddress prefix = prefix_of(source);
    const std::size_t start = hash_of(prefix, seed_) & (table_.size() - 1);
    Entry* slot = nullptr;
    for (std::size_t i = 0; i < probe_length; ++i) {
        Entry& e = table_[(start + i) & (table_.size() - 1)];
        if (e.used && e.prefix == prefix) {
            slot = &e;
            break;
        }
        // A free place, or one whose bucket is full again: it limits nobody any more.
        if (!slot && idle(e, now)) slot = &e;
    }
    if (!slot) return false;  // every place taken by a prefix being limited right now
    if (!slot->used || slot->prefix != prefix) *slot = Entry{prefix, {}, true};
    // The prefix's answer is counted even when the total then refuses it: the total is
    // the rarer limit, and a prefix that keeps asking stays limited.
    if (!slot->bucket.take(1, now, limits_.per_prefix_per_second, std::max(limits_.per_prefix_burst, 1u)))
        return false;
    // One second's worth of burst for the total.
    return total_.take(1, now, limits_.total_per_second, limits_.total_per_second);
}

std::size_t ReplyRateLimiter::tracked() const {
    return static_cast<std::size_t>(std::count_if(table_.begin(), table_.end(), [](const Entry& e) { return e.used; }));
}

}  // namespace hallpass::turn
