// TokenBucket: a byte budget that refills at a fixed rate up to a burst, for
// limits.allocation_bps — one allocation may not take a classroom's uplink (RFC 8656 §5:
// a server "should discard application data traffic that exceeds the bandwidth quota").
// Integer arithmetic in thousandths of a byte, so rates need no floating point per packet.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "alloc/millis.hpp"

namespace hallpass::alloc {

struct BandwidthLimit {
    std::uint64_t bits_per_second = 0;  // 0: no limit
    // A second of traffic, and never less than a large video frame's worth, so that a
    // key frame arriving as a burst of packets passes whole.
    std::uint64_t burst_bytes() const { return std::max<std::uint64_t>(bits_per_second / 8, 65536); }
};

class TokenBucket {
public:
    // Takes `bytes` from the bucket if it holds them (refilling for the time since the last
    // call first); false means the packet is over the limit and is dropped.
    bool take(std::size_t bytes, Millis now, const BandwidthLimit& limit) {
        if (limit.bits_per_second == 0) return true;
        const std::int64_t burst = static_cast<std::int64_t>(limit.burst_bytes()) * 1000;
        if (!started_) {
            started_ = true;
            tokens_ = burst;
            last_ = now;
        }
        const std::int64_t elapsed = std::clamp<std::int64_t>((now - last_).count(), 0, 3'600'000);
        last_ = now;
        // bits/s ÷ 8 = bytes/s = thousandths of a byte per millisecond.
        tokens_ = std::min(burst, tokens_ + elapsed * static_cast<std::int64_t>(limit.bits_per_second / 8));
        const std::int64_t cost = static_cast<std::int64_t>(bytes) * 1000;
        if (tokens_ < cost) return false;
        tokens_ -= cost;
        return true;
    }

private:
    std::int64_t tokens_ = 0;
    Millis last_{0};
    bool started_ = false;
};

}  // namespace hallpass::alloc
