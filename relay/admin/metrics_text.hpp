// The Prometheus text exposition (format 0.0.4) of hallpass's metrics: each worker's
// counters summed at scrape time, plus process, engine, drain and reload state. Names are
// prefixed hallpass_, counters end in _total, units are seconds and bytes, and labels are
// only transport, direction and reason — never a user or an address.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "relay/admin/process_stats.hpp"
#include "relay/datagram_io.hpp"
#include "relay/stream_counters.hpp"
#include "turn/turn_counters.hpp"

namespace hallpass::relay {

struct MetricsInput {
    std::vector<const turn::TurnCounters*> turn;   // one per worker
    std::vector<const StreamCounters*> streams;    // one per worker
    std::vector<EngineDrops> engines;              // one per worker
    std::string_view engine;                       // "io_uring" or "epoll"
    std::uint64_t stream_connections = 0;          // TCP and TLS connections open now
    bool draining = false;
    std::uint64_t config_generation = 1;
    double last_reload_seconds = 0;  // since the epoch; 0 before the first reload
    bool last_reload_ok = true;
    ProcessStats process;
};

std::string prometheus_text(const MetricsInput& in);

}  // namespace hallpass::relay
