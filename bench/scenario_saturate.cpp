// saturate: N allocations, W pings in flight on each; every returning ping is replaced by
// a new one at once. Reports relayed packets per second (see probe_traffic.hpp for how
// they are counted) and the round trip, both after a warm-up.
#include <algorithm>

#include "bench/clock.hpp"
#include "bench/proc_status.hpp"
#include "bench/probe_traffic.hpp"
#include "bench/scenario.hpp"

namespace hallpass::bench {
namespace {

// A session whose window has seen no return for this long has lost its pings; it starts
// a fresh window (the lost pings are counted).
constexpr std::int64_t stall_ns = 500'000'000;

std::string progress_text(const ProbeTraffic& t, std::int64_t now, std::int64_t start, std::int64_t warm_end) {
    const bool warming = now < warm_end;
    std::string s = "saturate " + std::to_string((now - start) / 1000000000) + "s " +
                    (warming ? "warming up" : "relayed " + std::to_string(t.relayed) + " (" +
                                                  std::to_string(static_cast<long>(per_second(t.relayed, now - warm_end))) +
                                                  "/s)");
    if (!warming && t.rtt.count())
        s += " rtt p50 " + std::to_string(t.rtt.percentile(0.5) / 1000) + " us p99 " +
             std::to_string(t.rtt.percentile(0.99) / 1000) + " us";
    return s;
}

}  // namespace

Report run_saturate(Context& c) {
    ProbeTraffic traffic(c);
    const std::uint32_t n = traffic.size();
    const std::uint32_t window = c.options.window;
    std::vector<std::uint32_t> in_flight(n, 0);
    std::vector<std::int64_t> last_return(n, 0);
    bool sending = true;
    std::uint64_t lost = 0;
    traffic.set_on_return([&](std::uint32_t i, std::int64_t now) {
        if (in_flight[i] > 0) --in_flight[i];
        last_return[i] = now;
        if (sending && in_flight[i] < window) {
            traffic.send_ping(i, now);
            ++in_flight[i];
        }
    });

    const std::int64_t start = now_ns();
    const std::int64_t warm_end = start + static_cast<std::int64_t>(c.options.warmup_s * 1e9);
    const std::int64_t end = start + static_cast<std::int64_t>(c.options.duration_s * 1e9);
    traffic.set_window(warm_end, end);
    for (std::uint32_t i = 0; i < n; ++i) {
        last_return[i] = start;
        for (std::uint32_t w = 0; w < window; ++w) traffic.send_ping(i, start);
        in_flight[i] = window;
    }
    CpuSample cpu_from = cpu_sample();
    ProcessCpu server_cpu(c.options.server_pid);
    bool warmed = false;
    std::int64_t next_check = start + 100'000'000;
    for (std::int64_t now = start; now < end; now = now_ns()) {
        c.loop.run_once(std::min<std::int64_t>(end - now, 5'000'000));
        now = now_ns();
        if (!warmed && now >= warm_end) {
            warmed = true;
            cpu_from = cpu_sample();
            server_cpu.start(cpu_from.wall_ns);
        }
        if (now >= next_check) {
            next_check = now + 100'000'000;
            for (std::uint32_t i = 0; i < n; ++i) {
                if (now - last_return[i] < stall_ns) continue;
                lost += in_flight[i];
                for (std::uint32_t w = 0; w < window; ++w) traffic.send_ping(i, now);
                in_flight[i] = window;
                last_return[i] = now;
            }
        }
        if (c.progress.due(now)) c.progress.show(now, progress_text(traffic, now, start, warm_end));
    }
    const CpuSample cpu_to = cpu_sample();
    const auto server_cpu_percent = server_cpu.percent(cpu_to.wall_ns);
    const auto server_rss = c.options.server_pid ? read_vm_rss(*c.options.server_pid) : std::nullopt;
    sending = false;
    traffic.release(c);

    Report r;
    r.topology = std::string(name_of(c.options.topology));
    r.allocations = n;
    r.duration_s = static_cast<double>(end - warm_end) / 1e9;
    r.relayed_packets = traffic.relayed;
    r.packets_per_second = per_second(traffic.relayed, end - warm_end);
    r.latency = summarize(traffic.rtt);
    r.sent = traffic.sent;
    r.received = traffic.returned;
    r.failures = lost;
    if (lost) r.first_failure = std::to_string(lost) + " pings lost (windows restarted after 500 ms)";
    r.server_cpu_percent = server_cpu_percent;
    r.server_rss_bytes = server_rss;
    r.bench_cpu_percent = cpu_percent(cpu_to.user_us - cpu_from.user_us, cpu_to.system_us - cpu_from.system_us,
                                      (cpu_to.wall_ns - cpu_from.wall_ns) / 1000);
    return r;
}

}  // namespace hallpass::bench
