#include "relay/admin/metrics_text.hpp"

#include <fmt/format.h>

namespace hallpass::relay {
namespace {

class Exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        fmt::format_to(std::back_inserter(text), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    void sample(std::string_view name, std::string_view labels, double value) {
        if (labels.empty()) fmt::format_to(std::back_inserter(text), "{} {}\n", name, value);
        else fmt::format_to(std::back_inserter(text), "{}{{{}}} {}\n", name, labels, value);
    }
    void sample(std::string_view name, std::string_view labels, std::uint64_t value) {
        if (labels.empty()) fmt::format_to(std::back_inserter(text), "{} {}\n", name, value);
        else fmt::format_to(std::back_inserter(text), "{}{{{}}} {}\n", name, labels, value);
    }
    std::string text;
};

// One counter summed over the workers: `pick` chooses it from a worker's counters.
template <class Counters, class Pick>
std::uint64_t sum(const std::vector<const Counters*>& all, Pick pick) {
    std::uint64_t total = 0;
    for (const auto* c : all) total += pick(*c).value();
    return total;
}

constexpr alloc::Transport all_transports[] = {alloc::Transport::udp, alloc::Transport::tcp, alloc::Transport::tls};
constexpr turn::EndReason all_end_reasons[] = {turn::EndReason::expired, turn::EndReason::refreshed_to_zero,
                                               turn::EndReason::connection_closed, turn::EndReason::shutdown,
                                               turn::EndReason::disconnected};

std::string transport_label(alloc::Transport t) { return fmt::format("transport=\"{}\"", turn::name_of(t)); }

void allocations(Exposition& e, const MetricsInput& in) {
    e.family("hallpass_allocations", "gauge", "Allocations now, by the transport the client reaches hallpass on.");
    for (auto t : all_transports) {
        std::uint64_t held = 0;
        for (const auto* c : in.turn) held += c->held(t);
        e.sample("hallpass_allocations", transport_label(t), held);
    }
    e.family("hallpass_allocations_created_total", "counter", "Allocations made.");
    for (auto t : all_transports)
        e.sample("hallpass_allocations_created_total", transport_label(t),
                 sum(in.turn, [&](const turn::TurnCounters& c) -> const turn::Counter& {
                     return c.allocations_created[static_cast<std::size_t>(t)];
                 }));
    e.family("hallpass_allocations_ended_total", "counter", "Allocations ended, by why.");
    for (auto t : all_transports)
        for (auto r : all_end_reasons)
            e.sample("hallpass_allocations_ended_total",
                     fmt::format("{},reason=\"{}\"", transport_label(t), turn::name_of(r)),
                     sum(in.turn, [&](const turn::TurnCounters& c) -> const turn::Counter& {
                         return c.allocations_ended[static_cast<std::size_t>(t)][static_cast<std::size_t>(r)];
                     }));
}

void lifetimes(Exposition& e, const MetricsInput& in) {
    e.family("hallpass_allocation_lifetime_seconds", "histogram", "How long allocations lasted, when they ended.");
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= turn::lifetime_buckets.size(); ++b) {
        cumulative += sum(in.turn, [&](const turn::TurnCounters& c) -> const turn::Counter& {
            return c.lifetime_histogram[b];
        });
        const std::string le =
            b < turn::lifetime_buckets.size() ? fmt::format("{}", turn::lifetime_buckets[b]) : std::string("+Inf");
        e.sample("hallpass_allocation_lifetime_seconds_bucket", fmt::format("le=\"{}\"", le), cumulative);
    }
    const auto sum_ms = sum(in.turn, [](const turn::TurnCounters& c) -> const turn::Counter& { return c.lifetime_sum_ms; });
    e.sample("hallpass_allocation_lifetime_seconds_sum", "", static_cast<double>(sum_ms) / 1000.0);
    e.sample("hallpass_allocation_lifetime_seconds_count", "", cumulative);
}

void authentication(Exposition& e, const MetricsInput& in) {
    using turn::AuthOutcome;
    e.family("hallpass_auth_challenges_total", "counter",
             "Requests without credentials answered 401 with a nonce: every client's first request.");
    e.sample("hallpass_auth_challenges_total", "", sum(in.turn, [](const turn::TurnCounters& c) -> const turn::Counter& {
                 return c.auth_failures[static_cast<std::size_t>(AuthOutcome::challenged)];
             }));
    e.family("hallpass_auth_failures_total", "counter",
             "Requests whose credentials were refused (401, 438, 441), by why.");
    for (std::size_t i = 1; i < turn::count_of<AuthOutcome>(); ++i)
        e.sample("hallpass_auth_failures_total",
                 fmt::format("reason=\"{}\"", turn::name_of(static_cast<AuthOutcome>(i))),
                 sum(in.turn, [&](const turn::TurnCounters& c) -> const turn::Counter& { return c.auth_failures[i]; }));
    e.family("hallpass_allocate_refusals_total", "counter", "Allocate requests refused for room (486, 508), by why.");
    for (std::size_t i = 0; i < turn::count_of<turn::AllocateRefusal>(); ++i)
        e.sample("hallpass_allocate_refusals_total",
                 fmt::format("reason=\"{}\"", turn::name_of(static_cast<turn::AllocateRefusal>(i))),
                 sum(in.turn, [&](const turn::TurnCounters& c) -> const turn::Counter& { return c.allocate_refusals[i]; }));
    e.family("hallpass_peer_refusals_total", "counter", "Peers the peer policy refused (403, and Sends to hallpass itself).");
    e.sample("hallpass_peer_refusals_total", "",
             sum(in.turn, [](const turn::TurnCounters& c) -> const turn::Counter& { return c.peer_refusals; }));
}

void traffic(Exposition& e, const MetricsInput& in) {
    for (const auto& [name, help, bytes] :
         {std::tuple{"hallpass_relayed_packets_total", "Datagrams relayed, by direction and client transport.", false},
          std::tuple{"hallpass_relayed_bytes_total", "Payload bytes relayed, by direction and client transport.", true}}) {
        e.family(name, "counter", help);
        for (auto d : {turn::Direction::to_peer, turn::Direction::to_client})
            for (auto t : all_transports)
                e.sample(name, fmt::format("direction=\"{}\",{}", turn::name_of(d), transport_label(t)),
                         sum(in.turn, [&](const turn::TurnCounters& c) -> const turn::Counter& {
                             const auto& table = bytes ? c.bytes : c.packets;
                             return table[static_cast<std::size_t>(d)][static_cast<std::size_t>(t)];
                         }));
    }
    e.family("hallpass_dropped_packets_total", "counter", "Datagrams not relayed, by why.");
    for (std::size_t i = 0; i < turn::count_of<turn::DropReason>(); ++i)
        e.sample("hallpass_dropped_packets_total",
                 fmt::format("reason=\"{}\"", turn::name_of(static_cast<turn::DropReason>(i))),
                 sum(in.turn, [&](const turn::TurnCounters& c) -> const turn::Counter& { return c.drops[i]; }));
    EngineDrops engine;
    for (const auto& d : in.engines) {
        engine.truncated += d.truncated;
        engine.send_failed += d.send_failed;
        engine.receive_buffers_exhausted += d.receive_buffers_exhausted;
    }
    e.sample("hallpass_dropped_packets_total", "reason=\"truncated\"", engine.truncated);
    e.sample("hallpass_dropped_packets_total", "reason=\"send_failed\"", engine.send_failed);
    e.sample("hallpass_dropped_packets_total", "reason=\"receive_buffers_exhausted\"", engine.receive_buffers_exhausted);
    e.sample("hallpass_dropped_packets_total", "reason=\"stream_queue_full\"",
             sum(in.streams, [](const StreamCounters& c) -> const turn::Counter& { return c.queue_full_drops; }));
}

void connections(Exposition& e, const MetricsInput& in) {
    e.family("hallpass_stream_connections", "gauge", "TCP and TLS client connections open now.");
    e.sample("hallpass_stream_connections", "", in.stream_connections);
    e.family("hallpass_stream_connections_accepted_total", "counter", "TCP and TLS connections accepted.");
    for (std::size_t i = 0; i < 2; ++i)
        e.sample("hallpass_stream_connections_accepted_total", i ? "transport=\"tls\"" : "transport=\"tcp\"",
                 sum(in.streams, [&](const StreamCounters& c) -> const turn::Counter& { return c.accepted[i]; }));
    e.family("hallpass_stream_connections_refused_total", "counter", "TCP and TLS connections refused at accept, by why.");
    for (std::size_t i = 0; i < static_cast<std::size_t>(ConnectionRefusal::count_); ++i)
        e.sample("hallpass_stream_connections_refused_total",
                 fmt::format("reason=\"{}\"", name_of(static_cast<ConnectionRefusal>(i))),
                 sum(in.streams, [&](const StreamCounters& c) -> const turn::Counter& { return c.refused[i]; }));
    e.family("hallpass_tls_handshakes_total", "counter", "TLS handshakes completed.");
    e.sample("hallpass_tls_handshakes_total", "",
             sum(in.streams, [](const StreamCounters& c) -> const turn::Counter& { return c.tls_handshakes; }));
    e.family("hallpass_tls_handshake_failures_total", "counter", "TLS handshakes that failed or timed out.");
    e.sample("hallpass_tls_handshake_failures_total", "", sum(in.streams, [](const StreamCounters& c) -> const turn::Counter& {
                 return c.tls_handshake_failures;
             }));
}

void state(Exposition& e, const MetricsInput& in) {
    e.family("hallpass_engine_info", "gauge", "The UDP engine in use (1).");
    e.sample("hallpass_engine_info", fmt::format("engine=\"{}\"", in.engine), std::uint64_t{1});
    e.family("hallpass_workers", "gauge", "Worker threads.");
    e.sample("hallpass_workers", "", static_cast<std::uint64_t>(in.turn.size()));
    e.family("hallpass_draining", "gauge", "1 while the node sends new allocations elsewhere, else 0.");
    e.sample("hallpass_draining", "", std::uint64_t{in.draining ? 1u : 0u});
    e.family("hallpass_config_generation", "gauge", "The configuration in force: 1 at start, one more per applied reload.");
    e.sample("hallpass_config_generation", "", in.config_generation);
    e.family("hallpass_config_last_reload_timestamp_seconds", "gauge", "When the last reload was tried (0: none yet).");
    e.sample("hallpass_config_last_reload_timestamp_seconds", "", in.last_reload_seconds);
    e.family("hallpass_config_last_reload_success", "gauge", "1 if the last reload applied (or none was tried), 0 if it failed.");
    e.sample("hallpass_config_last_reload_success", "", std::uint64_t{in.last_reload_ok ? 1u : 0u});
}

void process(Exposition& e, const ProcessStats& p) {
    e.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    e.sample("process_cpu_seconds_total", "", p.cpu_seconds);
    e.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    e.sample("process_resident_memory_bytes", "", p.resident_bytes);
    e.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    e.sample("process_virtual_memory_bytes", "", p.virtual_bytes);
    e.family("process_open_fds", "gauge", "Number of open file descriptors.");
    e.sample("process_open_fds", "", p.open_fds);
    e.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    e.sample("process_max_fds", "", p.max_fds);
    e.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    e.sample("process_start_time_seconds", "", p.start_time_seconds);
}

}  // namespace

std::string prometheus_text(const MetricsInput& in) {
    Exposition e;
    allocations(e, in);
    lifetimes(e, in);
    authentication(e, in);
    traffic(e, in);
    connections(e, in);
    state(e, in);
    process(e, in.process);
    return std::move(e.text);
}

}  // namespace hallpass::relay
