// Statistics for the load generator: a latency histogram with percentiles, RFC 3550
// interarrival jitter, loss and CPU share. Pure: values come in as arguments, nothing here
// reads a clock or touches a socket (tests/bench/statistics_test.cpp feeds known input).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hallpass::bench {

// Log-linear histogram of non-negative integer values (the bench records nanoseconds).
// Values below 1024 have a bucket each; above, every power of two is cut into 512 buckets,
// so a reported percentile is within 0.2 % of the true value. Fixed size, no allocation
// per record(): it is on the bench's hot path.
class Histogram {
public:
    Histogram();

    void record(std::uint64_t value);
    void merge(const Histogram& other);
    void reset();

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ ? min_ : 0; }
    std::uint64_t max() const { return max_; }
    double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
    // The value at quantile q in [0, 1]: the smallest recorded bucket whose cumulative count
    // reaches ceil(q * count) (nearest-rank). 0 when empty.
    std::uint64_t percentile(double q) const;

    static std::size_t bucket_of(std::uint64_t value);
    // A representative value of a bucket (exact below 1024, the middle of the bucket above).
    static std::uint64_t value_of(std::size_t bucket);

private:
    static constexpr unsigned linear_bits = 10;   // 0..1023 exact
    static constexpr unsigned sub_bits = 9;       // 512 buckets per power of two above
    static constexpr unsigned max_exponent = 50;  // values up to 2^51 ns (~26 days)
    static constexpr std::size_t bucket_count =
        (std::size_t{1} << linear_bits) + (max_exponent - linear_bits + 1) * (std::size_t{1} << sub_bits);

    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = 0;
    std::uint64_t max_ = 0;
};

// Interarrival jitter, RFC 3550 §6.4.1 / A.8: for consecutive packets i, j of one stream,
// D(i,j) = (Rj - Ri) - (Sj - Si), and J += (|D| - J) / 16. Times in nanoseconds; the send
// time is the sender's timestamp carried in the packet (the bench's own clock).
class JitterEstimator {
public:
    void on_packet(std::int64_t send_ns, std::int64_t receive_ns);
    double jitter_ns() const { return jitter_; }
    std::uint64_t packets() const { return packets_; }

private:
    std::int64_t last_transit_ = 0;
    double jitter_ = 0.0;
    std::uint64_t packets_ = 0;
};

// Share of packets sent that never came back: (sent - received) / sent, 0 when nothing
// was sent. Duplicates beyond `sent` are not negative loss.
double loss_ratio(std::uint64_t sent, std::uint64_t received);

// CPU used over wall time as a percentage of one core (100 = one core busy).
double cpu_percent(std::int64_t user_us, std::int64_t system_us, std::int64_t wall_us);

// Packets (or allocations) per second over an interval in nanoseconds.
double per_second(std::uint64_t count, std::int64_t interval_ns);

}  // namespace hallpass::bench
