// latency: a fixed offered load, --rate pings per second spread evenly over the
// allocations (packet k goes at start + k/rate from allocation k mod N), for --duration
// seconds, then a grace period for late returns. Reports loss (pings sent vs returned) and
// the round trip.
#include <algorithm>

#include "bench/clock.hpp"
#include "bench/proc_status.hpp"
#include "bench/pacer.hpp"
#include "bench/probe_traffic.hpp"
#include "bench/scenario.hpp"

namespace hallpass::bench {
namespace {

constexpr std::int64_t grace_ns = 1'000'000'000;
// At most this many late packets are sent at once when the loop falls behind.
constexpr int max_catch_up = 4096;

}  // namespace

Report run_latency(Context& c) {
    ProbeTraffic traffic(c);
    const std::int64_t start = now_ns();
    const std::int64_t end = start + static_cast<std::int64_t>(c.options.duration_s * 1e9);
    traffic.set_window(start, end + grace_ns);
    Pacer pacer(start, c.options.rate, traffic.size());
    const CpuSample cpu_from = cpu_sample();
    ProcessCpu server_cpu(c.options.server_pid);
    server_cpu.start(cpu_from.wall_ns);
    for (std::int64_t now = start; now < end + grace_ns; now = now_ns()) {
        for (int k = 0; k < max_catch_up && now < end && pacer.due(now); ++k) traffic.send_ping(pacer.take(), now);
        const std::int64_t wake = now < end ? pacer.next_due_ns() : end + grace_ns;
        c.loop.run_once(std::clamp<std::int64_t>(wake - now, 0, 5'000'000));
        if (c.progress.due(now))
            c.progress.show(now, "latency " + std::to_string((now - start) / 1000000000) + "s sent " +
                                     std::to_string(traffic.sent) + " returned " + std::to_string(traffic.returned) +
                                     (now >= end ? " (grace period)" : ""));
    }
    const CpuSample cpu_to = cpu_sample();
    const auto server_cpu_percent = server_cpu.percent(cpu_to.wall_ns);
    const auto server_rss = c.options.server_pid ? read_vm_rss(*c.options.server_pid) : std::nullopt;
    traffic.release(c);

    Report r;
    r.topology = std::string(name_of(c.options.topology));
    r.allocations = traffic.size();
    r.duration_s = static_cast<double>(end - start) / 1e9;
    r.sent = traffic.sent;
    r.received = traffic.returned;
    r.loss_ratio = loss_ratio(traffic.sent, traffic.returned);
    r.latency = summarize(traffic.rtt);
    r.relayed_packets = traffic.relayed;
    r.packets_per_second = per_second(traffic.relayed, end - start);
    r.server_cpu_percent = server_cpu_percent;
    r.server_rss_bytes = server_rss;
    r.bench_cpu_percent = cpu_percent(cpu_to.user_us - cpu_from.user_us, cpu_to.system_us - cpu_from.system_us,
                                      (cpu_to.wall_ns - cpu_from.wall_ns) / 1000);
    return r;
}

}  // namespace hallpass::bench
