#include "bench/capacity_search.hpp"

#include <algorithm>
#include <cstdio>

namespace hallpass::bench {
namespace {

std::string format(const char* pattern, double a, double b) {
    char text[96];
    std::snprintf(text, sizeof text, pattern, a, b);
    return text;
}

const CapacityStep* find(const std::vector<CapacityStep>& steps, std::uint32_t classrooms) {
    for (const auto& s : steps)
        if (s.classrooms == classrooms) return &s;
    return nullptr;
}

}  // namespace

std::vector<std::string> crossed_limits(const CapacityStep& s, const CapacityLimits& l) {
    std::vector<std::string> out;
    if (!s.set_up) out.push_back("allocations failed: " + s.failure);
    if (s.loss_ratio > l.max_loss_ratio) out.push_back(format("loss %.2f %% > %.2f %%", s.loss_ratio * 100, l.max_loss_ratio * 100));
    if (s.jitter_ms > l.max_jitter_ms) out.push_back(format("jitter %.1f ms > %.1f ms", s.jitter_ms, l.max_jitter_ms));
    if (s.p99_ms > l.max_p99_ms) out.push_back(format("p99 latency %.1f ms > %.1f ms", s.p99_ms, l.max_p99_ms));
    return out;
}

CapacitySearch::CapacitySearch(CapacityLimits limits, std::uint32_t start, std::uint32_t max_classrooms)
    : limits_(limits), start_(std::max(1u, start)), max_(std::max(std::max(1u, start), max_classrooms)) {}

std::optional<std::uint32_t> CapacitySearch::next() const {
    if (steps_.empty()) return start_;
    if (bad_ == 0) {  // still doubling
        if (good_ >= max_) return std::nullopt;
        return std::min(max_, good_ * 2);
    }
    if (bad_ <= start_ && good_ == 0) return std::nullopt;  // the first count is already over
    if (bad_ - good_ <= 1) return std::nullopt;
    return good_ + (bad_ - good_) / 2;
}

void CapacitySearch::record(const CapacityStep& step) {
    steps_.push_back(step);
    if (within(step)) good_ = std::max(good_, step.classrooms);
    else bad_ = bad_ == 0 ? step.classrooms : std::min(bad_, step.classrooms);
}

CapacityAnswer CapacitySearch::answer() const {
    CapacityAnswer a;
    if (const auto* s = find(steps_, good_)) a.best = *s;
    if (const auto* s = find(steps_, bad_)) a.first_over = *s;
    if (!a.first_over) {
        a.limiting_factor = "none reached";
        a.explanation = "every count up to --max-classrooms " + std::to_string(max_) +
                        " stayed within the limits: raise it to look further";
        return a;
    }
    const CapacityStep& over = *a.first_over;
    const auto crossed = crossed_limits(over, limits_);
    std::string what;
    for (const auto& c : crossed) what += (what.empty() ? "" : ", ") + c;
    const std::string at = " at " + std::to_string(over.classrooms) + " classrooms: " + what;
    if (over.bench_cpu_percent >= limits_.busy_cpu_percent) {
        a.limiting_factor = "bench CPU";
        a.explanation = format("the bench itself was at %.0f %% of a core", over.bench_cpu_percent, 0) + at +
                        "; the answer is a lower bound: drive the server from more bench processes or machines";
    } else if (const auto busy = over.server_busiest_thread_percent ? over.server_busiest_thread_percent
                                                                      : over.server_cpu_percent;
               busy && *busy >= limits_.busy_cpu_percent) {
        a.limiting_factor = "server CPU";
        a.explanation = format("the server's busiest thread was at %.0f %% of a core", *busy, 0) + at;
    } else if (!over.set_up) {
        a.limiting_factor = "allocations refused";
        a.explanation = "the server did not give every student an allocation" + at;
    } else {
        a.limiting_factor = crossed.empty() ? "quality" : crossed.front().substr(0, crossed.front().find(' '));
        if (a.limiting_factor == "p99") a.limiting_factor = "latency";
        a.explanation = "the streams' quality crossed a limit" + at +
                        (over.server_cpu_percent ? "" : "; give --server-pid to see whether the server's CPU was the cause");
    }
    return a;
}

}  // namespace hallpass::bench
