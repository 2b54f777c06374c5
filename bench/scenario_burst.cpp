// burst: N authenticated allocations made as fast as the server answers, at most
// --in-flight (256) at once, each the whole 401 challenge -> authenticated Allocate
// exchange (over TCP/TLS also the connect and handshake), retransmitted on UDP.
// Reports allocations per second (successes over the time from the first request to the
// last answer), the slowest allocation and the failures.
#include "bench/allocation_setup.hpp"
#include "bench/clock.hpp"
#include "bench/scenario.hpp"

namespace hallpass::bench {

Report run_burst(Context& c) {
    Sessions sessions = make_sessions(c, c.options.allocations);
    const CpuSample cpu_from = cpu_sample();
    const StepResult step = run_step(c, sessions, [](Session& s, std::int64_t now) { s.allocate(now); }, "burst");
    const CpuSample cpu_to = cpu_sample();
    if (step.succeeded == 0) throw BenchError("no allocation succeeded; first failure: " + step.first_failure);
    release_all(c, sessions);

    Report r;
    r.allocations = step.succeeded;
    r.duration_s = static_cast<double>(step.finished_ns - step.started_ns) / 1e9;
    r.allocations_per_second = per_second(step.succeeded, step.finished_ns - step.started_ns);
    r.slowest_allocation_ms = static_cast<double>(step.slowest_ns) / 1e6;
    r.failures = step.failed;
    if (step.failed) r.first_failure = step.first_failure;
    r.bench_cpu_percent = cpu_percent(cpu_to.user_us - cpu_from.user_us, cpu_to.system_us - cpu_from.system_us,
                                      (cpu_to.wall_ns - cpu_from.wall_ns) / 1000);
    return r;
}

}  // namespace hallpass::bench
