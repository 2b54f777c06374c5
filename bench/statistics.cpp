#include "bench/statistics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>

namespace hallpass::bench {

Histogram::Histogram() : buckets_(bucket_count, 0) {}

std::size_t Histogram::bucket_of(std::uint64_t value) {
    if (value < (std::uint64_t{1} << linear_bits)) return static_cast<std::size_t>(value);
    unsigned exponent = static_cast<unsigned>(std::bit_width(value)) - 1;  // >= linear_bits
    if (exponent > max_exponent) {
        exponent = max_exponent;
        value = (std::uint64_t{2} << max_exponent) - 1;
    }
    const unsigned shift = exponent - sub_bits;
    const std::uint64_t sub = (value >> shift) - (std::uint64_t{1} << sub_bits);  // 0..511
    return (std::size_t{1} << linear_bits) + (exponent - linear_bits) * (std::size_t{1} << sub_bits) +
           static_cast<std::size_t>(sub);
}

std::uint64_t Histogram::value_of(std::size_t bucket) {
    if (bucket < (std::size_t{1} << linear_bits)) return bucket;
    const std::size_t above = bucket - (std::size_t{1} << linear_bits);
    const unsigned exponent = linear_bits + static_cast<unsigned>(above >> sub_bits);
    const std::uint64_t sub = (above & ((std::size_t{1} << sub_bits) - 1)) + (std::uint64_t{1} << sub_bits);
    const unsigned shift = exponent - sub_bits;
    return (sub << shift) + ((std::uint64_t{1} << shift) >> 1);
}

void Histogram::record(std::uint64_t value) {
    ++buckets_[bucket_of(value)];
    if (count_ == 0 || value < min_) min_ = value;
    if (value > max_) max_ = value;
    ++count_;
    sum_ += value;
}

void Histogram::merge(const Histogram& other) {
    if (other.count_ == 0) return;
    for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
    min_ = count_ ? std::min(min_, other.min_) : other.min_;
    max_ = std::max(max_, other.max_);
    count_ += other.count_;
    sum_ += other.sum_;
}

void Histogram::reset() {
    std::fill(buckets_.begin(), buckets_.end(), 0);
    count_ = sum_ = min_ = max_ = 0;
}

std::uint64_t Histogram::percentile(double q) const {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += buckets_[i];
        if (seen >= rank) return std::clamp(value_of(i), min_, max_);
    }
    return max_;
}

void JitterEstimator::on_packet(std::int64_t send_ns, std::int64_t receive_ns) {
    const std::int64_t transit = receive_ns - send_ns;
    if (packets_ > 0) {
        const double d = static_cast<double>(std::llabs(transit - last_transit_));
        jitter_ += (d - jitter_) / 16.0;
    }
    last_transit_ = transit;
    ++packets_;
}

double loss_ratio(std::uint64_t sent, std::uint64_t received) {
    if (sent == 0) return 0.0;
    const std::uint64_t got = std::min(received, sent);
    return static_cast<double>(sent - got) / static_cast<double>(sent);
}

double cpu_percent(std::int64_t user_us, std::int64_t system_us, std::int64_t wall_us) {
    if (wall_us <= 0) return 0.0;
    return 100.0 * static_cast<double>(user_us + system_us) / static_cast<double>(wall_us);
}

double per_second(std::uint64_t count, std::int64_t interval_ns) {
    if (interval_ns <= 0) return 0.0;
    return static_cast<double>(count) * 1e9 / static_cast<double>(interval_ns);
}

}  // namespace hallpass::bench
