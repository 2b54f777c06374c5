// memory: the server's resident memory per allocation. One allocation (with a permission)
// is made first so that one-time lazy initialisation is not counted; VmRSS is read; then
// N allocations, each with one permission, are made and answered; VmRSS is read again.
// bytes per allocation = (rss_after - rss_idle) / N. Over TCP/TLS this includes the
// server's memory for each connection.
#include "bench/allocation_setup.hpp"
#include "bench/clock.hpp"
#include "bench/peer_socket.hpp"
#include "bench/proc_status.hpp"
#include "bench/scenario.hpp"

namespace hallpass::bench {
namespace {

std::uint64_t rss_or_throw(int pid) {
    auto rss = read_vm_rss(pid);
    if (!rss) throw BenchError("cannot read VmRSS from /proc/" + std::to_string(pid) + "/status");
    return *rss;
}

void allocate_with_permission(Context& c, const Sessions& sessions, const TransportAddress& peer) {
    require_all(run_step(c, sessions, [](Session& s, std::int64_t now) { s.allocate(now); }, "allocate"), "Allocate");
    require_peer_allowed(run_step(c, sessions, [&](Session& s, std::int64_t now) { s.create_permission(peer, now); },
                                  "permission"),
                         peer, "CreatePermission");
}

}  // namespace

Report run_memory(Context& c) {
    const int pid = *c.options.server_pid;
    rss_or_throw(pid);
    // The permission's peer: a bench socket (on loopback unless --peer-address). Nothing is
    // sent to it.
    PeerSocket peer(c.loop, peer_bind_address(c.options));
    Sessions first = make_sessions(c, 1, 0);
    allocate_with_permission(c, first, peer.address());
    const std::uint64_t idle = rss_or_throw(pid);

    const CpuSample cpu_from = cpu_sample();
    Sessions sessions = make_sessions(c, c.options.allocations, 1);
    allocate_with_permission(c, sessions, peer.address());
    const std::uint64_t after = rss_or_throw(pid);
    const CpuSample cpu_to = cpu_sample();
    release_all(c, sessions);
    release_all(c, first);

    Report r;
    r.allocations = c.options.allocations;
    r.duration_s = static_cast<double>(cpu_to.wall_ns - cpu_from.wall_ns) / 1e9;
    r.rss_idle_bytes = idle;
    r.rss_after_bytes = after;
    r.bytes_per_allocation = (static_cast<double>(after) - static_cast<double>(idle)) / c.options.allocations;
    r.bench_cpu_percent = cpu_percent(cpu_to.user_us - cpu_from.user_us, cpu_to.system_us - cpu_from.system_us,
                                      (cpu_to.wall_ns - cpu_from.wall_ns) / 1000);
    return r;
}

}  // namespace hallpass::bench
