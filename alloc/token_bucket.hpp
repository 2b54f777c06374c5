// TokenBucket: a budget of units (bytes, answers) that refills at a fixed rate up to a
// burst. Used for limits.allocation_bps — one allocation may not take a classroom's uplink
// (RFC 8656 §5: a server "should discard application data traffic that exceeds the
// bandwidth quota") — and for the rate of answers to unauthenticated requests.
// Integer arithmetic in thousandths of a unit, so rates need no floating point per packet.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "alloc/millis.hpp"

namespace hallpass::alloc {

class TokenBucket {
public:
    // Takes `cost` units if the bucket holds them, after refilling at `per_second` (up to
    // `burst`) for the time since the last call; a new bucket starts full. False means
    // over the limit: nothing is taken.
    bool take(std::uint64_t cost, Millis now, std::uint64_t per_second, std::uint64_t burst) {
        refill(now, per_second, burst);
        const auto need = static_cast<std::int64_t>(cost) * 1000;
        if (milli_ < need) return false;
        milli_ -= need;
        return true;
    }
    // Whether the bucket would be full at `now`: it then limits nothing, and is as good as new.
    bool full_at(Millis now, std::uint64_t per_second, std::uint64_t burst) const {
        TokenBucket copy = *this;
        copy.refill(now, per_second, burst);
        return copy.milli_ >= static_cast<std::int64_t>(burst) * 1000;
    }

private:
    void refill(Millis now, std::uint64_t per_second, std::uint64_t burst) {
        const auto cap = static_cast<std::int64_t>(burst) * 1000;
        if (last_ == never) {
            milli_ = cap;
        } else {
            // A clock that went back mints nothing; an hour refills any bucket.
            const std::int64_t elapsed = std::clamp<std::int64_t>((now - last_).count(), 0, 3'600'000);
            // per_second units a second = per_second thousandths of a unit a millisecond.
            milli_ = std::min(cap, milli_ + elapsed * static_cast<std::int64_t>(per_second));
        }
        last_ = now;
    }

    static constexpr Millis never{INT64_MIN};
    std::int64_t milli_ = 0;
    Millis last_ = never;
};

struct BandwidthLimit {
    std::uint64_t bits_per_second = 0;  // 0: no limit
    // A second of traffic, and never less than a large video frame's worth, so that a
    // key frame arriving as a burst of packets passes whole.
    std::uint64_t burst_bytes() const { return std::max<std::uint64_t>(bits_per_second / 8, 65536); }
    // Takes `bytes` from `bucket`, or says the packet is over the limit.
    bool admits(TokenBucket& bucket, std::size_t bytes, Millis now) const {
        return bits_per_second == 0 || bucket.take(bytes, now, bits_per_second / 8, burst_bytes());
    }
};

}  // namespace hallpass::alloc
