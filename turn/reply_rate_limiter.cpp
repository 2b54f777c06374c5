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

IpAddress ReplyRateLimiter::prefix_of(const IpAddress& source) {
    const IpAddress ip = source.unmapped();
    return alloc::CidrBlock::make(ip, ip.is_v4() ? 24 : 48)->network;
}

std::int64_t ReplyRateLimiter::refilled(const Entry& e, alloc::Millis now, std::int64_t rate,
                                        std::int64_t burst) const {
    const std::int64_t elapsed = std::clamp<std::int64_t>((now - e.last).count(), 0, 3'600'000);
    // rate answers/s = rate thousandths of an answer per millisecond.
    return std::min(burst, e.tokens_milli + elapsed * rate);
}

bool ReplyRateLimiter::take_total(alloc::Millis now) {
    const std::int64_t rate = limits_.total_per_second;
    const std::int64_t burst = rate * 1000;  // one second's worth
    if (!total_started_) {
        total_started_ = true;
        total_tokens_milli_ = burst;
        total_last_ = now;
    }
    const std::int64_t elapsed = std::clamp<std::int64_t>((now - total_last_).count(), 0, 3'600'000);
    total_last_ = now;
    total_tokens_milli_ = std::min(burst, total_tokens_milli_ + elapsed * rate);
    if (total_tokens_milli_ < 1000) return false;
    total_tokens_milli_ -= 1000;
    return true;
}

bool ReplyRateLimiter::allow(const IpAddress& source, alloc::Millis now) {
    if (limits_.per_prefix_per_second == 0) return true;
    const IpAddress prefix = prefix_of(source);
    const std::int64_t rate = limits_.per_prefix_per_second;
    const std::int64_t burst = std::int64_t{std::max(limits_.per_prefix_burst, 1u)} * 1000;
    const std::size_t start = hash_of(prefix, seed_) & (table_.size() - 1);
    Entry* slot = nullptr;
    for (std::size_t i = 0; i < probe_length; ++i) {
        Entry& e = table_[(start + i) & (table_.size() - 1)];
        if (e.used && e.prefix == prefix) {
            slot = &e;
            break;
        }
        // A free place, or one whose bucket is full again: it limits nobody any more.
        if (!slot && (!e.used || refilled(e, now, rate, burst) >= burst)) slot = &e;
    }
    if (!slot) return false;  // every place taken by a prefix being limited right now
    if (!slot->used || slot->prefix != prefix) *slot = Entry{prefix, burst, now, true};
    slot->tokens_milli = refilled(*slot, now, rate, burst);
    slot->last = now;
    if (slot->tokens_milli < 1000 || !take_total(now)) return false;
    slot->tokens_milli -= 1000;
    return true;
}

std::size_t ReplyRateLimiter::tracked() const {
    return static_cast<std::size_t>(std::count_if(table_.begin(), table_.end(), [](const Entry& e) { return e.used; }));
}

}  // namespace hallpass::turn
