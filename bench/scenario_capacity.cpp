// capacity: the planner's question. Runs the classroom profile (with the --mix of
// transports) at the classroom counts CapacitySearch asks for, each for --duration seconds
// on fresh allocations, and reports the largest count within the quality limits, the
// server's CPU and memory there (--server-pid) and what limited it. A line per step goes to
// stderr as it ramps (unless --quiet); the table or the JSON goes to stdout, the page to
// --html FILE.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "bench/capacity_report.hpp"
#include "bench/capacity_search.hpp"
#include "bench/scenario.hpp"

namespace hallpass::bench {
namespace {

constexpr std::uint32_t students_per_class = 30;

// `threads`: the bench threads that carried the step; the bench counts as saturated when
// its threads are, on average (they carry equal shares).
CapacityStep step_from(std::uint32_t classrooms, std::uint32_t threads, const Report& r) {
    CapacityStep s;
    s.classrooms = classrooms;
    s.students = classrooms * students_per_class;
    s.loss_ratio = r.loss_ratio.value_or(0);
    for (const auto& stream : r.streams) {  // the worst stream type sets each figure
        s.jitter_ms = std::max(s.jitter_ms, stream.jitter_mean_ms);
        s.p50_ms = std::max(s.p50_ms, stream.latency.p50_us / 1000.0);
        s.p99_ms = std::max(s.p99_ms, stream.latency.p99_us / 1000.0);
    }
    s.bench_cpu_percent = r.bench_cpu_percent / std::max(1u, threads);
    s.server_cpu_percent = r.server_cpu_percent;
    s.server_rss_bytes = r.server_rss_bytes;
    return s;
}

std::string step_line(const CapacityStep& s, const CapacityLimits& limits) {
    const auto crossed = crossed_limits(s, limits);
    char line[256];
    if (!s.set_up) {
        std::snprintf(line, sizeof line, "capacity: %u classrooms (%u students): %s\n", s.classrooms, s.students,
                      crossed.front().c_str());
        return line;
    }
    std::snprintf(line, sizeof line,
                  "capacity: %u classrooms (%u students): loss %.3f %%, jitter %.2f ms, p99 %.2f ms, server CPU %s, "
                  "bench CPU %.0f %% -> %s\n",
                  s.classrooms, s.students, s.loss_ratio * 100, s.jitter_ms, s.p99_ms,
                  s.server_cpu_percent ? (std::to_string(static_cast<int>(*s.server_cpu_percent + 0.5)) + " %").c_str()
                                       : "-",
                  s.bench_cpu_percent, crossed.empty() ? "within limits" : crossed.front().c_str());
    return line;
}

std::string now_text() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
    return text;
}

}  // namespace

std::string run_capacity(Context& c) {
    const Options& o = c.options;
    CapacitySearch search({o.max_loss_percent / 100.0, o.max_jitter_ms, o.max_p99_ms}, o.classrooms, o.max_classrooms);
    while (const auto n = search.next()) {
        CapacityStep step;
        try {
            step = step_from(*n, std::min(o.threads, *n), run_classroom(c, *n));
        } catch (const BenchError& e) {
            step.classrooms = *n;
            step.students = *n * students_per_class;
            step.set_up = false;
            step.failure = e.what();
        }
        c.progress.finish();
        search.record(step);
        if (!o.quiet) {
            std::fputs(step_line(step, search.limits()).c_str(), stderr);
            std::fflush(stderr);
        }
    }
    CapacitySetup setup{o.server.to_string() + (o.tls_server ? " (TLS " + o.tls_server->to_string() + ")" : ""),
                        mix_text(o), o.duration_s, now_text()};
    if (!o.html_path.empty()) {
        std::ofstream page(o.html_path, std::ios::trunc);
        page << capacity_html(setup, search);
        if (!page.good()) throw BenchError("cannot write the report to " + o.html_path);
    }
    return o.json ? capacity_json(setup, search) : capacity_table(setup, search);
}

}  // namespace hallpass::bench
