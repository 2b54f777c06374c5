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

CapacityStep step_from(std::uint32_t classrooms, const Report& r) {
    CapacityStep s;
    s.classrooms = classrooms;
    s.students = classrooms * students_per_class;
    s.loss_ratio = r.loss_ratio.value_or(0);
    for (const auto& stream : r.streams) {  // the worst stream type sets each figure
        s.jitter_ms = std::max(s.jitter_ms, stream.jitter_mean_ms);
        s.p50_ms = std::max(s.p50_ms, stream.latency.p50_us / 1000.0);
        s.p99_ms = std::max(s.p99_ms, stream.latency.p99_us / 1000.0);
    }
    s.bench_cpu_percent = r.bench_thread_cpu_max_percent.value_or(r.bench_cpu_percent);
    s.server_cpu_percent = r.server_cpu_percent;
    s.server_busiest_thread_percent = r.server_thread_cpu_max_percent;
    s.server_rss_bytes = r.server_rss_bytes;
    return s;
}

std::string step_line(const CapacityStep& s, const CapacityLimits& limits) {
    const auto crossed = crossed_limits(s, limits);
    const std::string head = "capacity: " + std::to_string(s.classrooms) + " classrooms (" +
                             std::to_string(s.students) + " students): ";
    if (!s.set_up) return head + crossed.front() + "\n";
    char figures[160];
    std::snprintf(figures, sizeof figures, "loss %.3f %%, jitter %.2f ms, p99 %.2f ms, ", s.loss_ratio * 100,
                  s.jitter_ms, s.p99_ms);
    const std::string server =
        s.server_cpu_percent ? std::to_string(static_cast<int>(*s.server_cpu_percent + 0.5)) + " %" : "-";
    return head + figures + "server CPU " + server + ", bench CPU " +
           std::to_string(static_cast<int>(s.bench_cpu_percent + 0.5)) + " % -> " +
           (crossed.empty() ? std::string("within limits") : crossed.front()) + "\n";
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
            step = step_from(*n, run_classroom(c, *n));
        } catch (const BenchError& e) {
            step.classrooms = *n;
            step.students = *n * students_per_class;
            step.set_up = false;
            step.failure = e.what();
        }
        c.progress.finish();
        search.record(step);
        // The step's allocations are gone when it returns: its sessions waited for the
        // server to confirm each release (release_all), so the next step's are not counted
        // twice against the server's limits.
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
