// Pacer: an evenly spaced schedule of packets over a set of streams. Packet k is due at
// start + k / rate and belongs to stream k mod streams, so the offered load is smooth
// rather than bursty and each stream sees exactly rate / streams packets per second.
// Pure: the caller passes the time.
#pragma once

#include <cstdint>

namespace hallpass::bench {

class Pacer {
public:
    Pacer() = default;
    Pacer(std::int64_t start_ns, double packets_per_second, std::uint32_t streams)
        : start_ns_(start_ns), interval_ns_(1e9 / packets_per_second), streams_(streams) {}

    // The time the next packet is due.
    std::int64_t next_due_ns() const {
        return start_ns_ + static_cast<std::int64_t>(static_cast<double>(sent_) * interval_ns_);
    }
    bool due(std::int64_t now_ns) const { return streams_ > 0 && next_due_ns() <= now_ns; }
    // The stream of the next packet; advances the schedule.
    std::uint32_t take() { return static_cast<std::uint32_t>(sent_++ % streams_); }
    std::uint64_t taken() const { return sent_; }

private:
    std::int64_t start_ns_ = 0;
    double interval_ns_ = 0;
    std::uint32_t streams_ = 0;
    std::uint64_t sent_ = 0;
};

}  // namespace hallpass::bench
