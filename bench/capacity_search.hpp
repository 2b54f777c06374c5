// CapacitySearch: the planner's question — how many classrooms can this server carry within
// the quality limits? — as a search over classroom counts (pure: the caller runs each step
// and records what it measured). Counts double from the start until a step crosses a limit
// (or the maximum is reached), then the gap between the last good count and the first bad
// one is halved until they are adjacent. The answer is the largest count within the limits,
// and the limiting factor is read from the smallest count that crossed them: the bench's own
// CPU (the generator was the limit: the answer is a lower bound), the server's CPU, the
// server refusing allocations, or the quality limit itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hallpass::bench {

struct CapacityLimits {
    double max_loss_ratio = 0.01;  // stream loss over all streams of a step
    double max_jitter_ms = 30;     // mean RFC 3550 jitter of the worst stream type
    double max_p99_ms = 100;       // one-way p99 latency of the worst stream type
    double busy_cpu_percent = 90;  // a CPU at or above this is saturated (server or bench)
};

// What one step measured.
struct CapacityStep {
    std::uint32_t classrooms = 0;
    std::uint32_t students = 0;
    bool set_up = true;          // false: the server refused or failed allocations
    std::string failure;         // why, when !set_up
    double loss_ratio = 0;
    double jitter_ms = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    double bench_cpu_percent = 0;          // the busiest bench thread's
    std::optional<double> server_cpu_percent;  // all the server's threads (% of one core)
    std::optional<double> server_busiest_thread_percent;  // a saturated worker is at 100
    std::optional<std::uint64_t> server_rss_bytes;
};

// Which limits a step crossed, in words ("loss 2.10 % > 1.00 %"); empty: within them all.
std::vector<std::string> crossed_limits(const CapacityStep& s, const CapacityLimits& limits);

struct CapacityAnswer {
    std::optional<CapacityStep> best;        // the largest count within the limits
    std::optional<CapacityStep> first_over;  // the smallest count that crossed them
    std::string limiting_factor;             // "server CPU", "bench CPU", "loss", ...
    std::string explanation;                 // one sentence for the report
};

class CapacitySearch {
public:
    CapacitySearch(CapacityLimits limits, std::uint32_t start, std::uint32_t max_classrooms);

    // The classroom count to run next; nullopt when the search is over.
    std::optional<std::uint32_t> next() const;
    void record(const CapacityStep& step);

    const std::vector<CapacityStep>& steps() const { return steps_; }  // in the order run
    const CapacityLimits& limits() const { return limits_; }
    CapacityAnswer answer() const;

private:
    bool within(const CapacityStep& s) const { return crossed_limits(s, limits_).empty(); }

    CapacityLimits limits_;
    std::uint32_t start_;
    std::uint32_t max_;
    std::uint32_t good_ = 0;  // largest count within the limits so far (0: none)
    std::uint32_t bad_ = 0;   // smallest count over them so far (0: none)
    std::vector<CapacityStep> steps_;
};

}  // namespace hallpass::bench
