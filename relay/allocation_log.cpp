#include "relay/allocation_log.hpp"

#include <spdlog/spdlog.h>

#include "relay/log_field.hpp"

namespace hallpass::relay {
namespace {

const char* reason_text(turn::EndReason why) {
    switch (why) {
        case turn::EndReason::expired: return "expired";
        case turn::EndReason::refreshed_to_zero: return "released";
        case turn::EndReason::connection_closed: return "connection-closed";
        case turn::EndReason::shutdown: return "shutdown";
        case turn::EndReason::disconnected: return "disconnected";
    }
    return "unknown";
}

const char* transport_text(alloc::Transport t) {
    switch (t) {
        case alloc::Transport::udp: return "udp";
        case alloc::Transport::tcp: return "tcp";
        case alloc::Transport::tls: return "tls";
    }
    return "?";
}

}  // namespace

void log_allocation_created(unsigned worker, const alloc::Allocation& a) {
    spdlog::info("allocation created user={} client={} transport={} relay={} advertised={} lifetime={}s worker={}",
                 log_field(a.username), a.five_tuple.client.to_string(), transport_text(a.five_tuple.transport),
                 a.relay.to_string(), a.advertised.to_string(), a.granted_lifetime, worker);
}

void log_allocation_ended(unsigned worker, const alloc::Allocation& a, turn::EndReason why,
                          alloc::Millis now) {
    const double seconds = static_cast<double>((now - a.created).count()) / 1000.0;
    spdlog::info("allocation ended user={} client={} relay={} reason={} duration={:.1f}s "
                 "bytes_to_peers={} bytes_to_client={} packets_to_peers={} packets_to_client={} "
                 "over_rate_to_peers={} over_rate_to_client={} worker={}",
                 log_field(a.username), a.five_tuple.client.to_string(), a.relay.to_string(), reason_text(why),
                 seconds, a.traffic.bytes_to_peers, a.traffic.bytes_to_client,
                 a.traffic.packets_to_peers, a.traffic.packets_to_client, a.traffic.dropped_to_peers,
                 a.traffic.dropped_to_client, worker);
}

}  // namespace hallpass::relay
