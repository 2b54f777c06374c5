// StreamCounters: what one worker counts about its TCP and TLS connections for the metrics:
// accepted, refused before any work (and why), TLS handshakes and their failures, and media
// dropped because a client read more slowly than it arrived. Written by the worker only
// (turn/counter.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "turn/counter.hpp"

namespace hallpass::relay {

enum class ConnectionRefusal : std::uint8_t {
    connections_total,   // limits.connections_total reached
    connections_per_ip,  // limits.connections_per_ip reached for the client's address (or /64)
    untrusted_proxy,     // a PROXY protocol listener, and not a `trusted` source
    count_
};
constexpr std::string_view name_of(ConnectionRefusal r) {
    constexpr std::string_view names[] = {"connections_total", "connections_per_ip", "untrusted_proxy"};
    return names[static_cast<std::size_t>(r)];
}

struct StreamCounters {
    std::array<turn::Counter, 2> accepted;  // [0] tcp, [1] tls
    std::array<turn::Counter, static_cast<std::size_t>(ConnectionRefusal::count_)> refused;
    turn::Counter tls_handshakes;          // completed
    turn::Counter tls_handshake_failures;  // failed or timed out
    turn::Counter queue_full_drops;        // media datagrams over limits.stream_queue_bytes

    void refuse(ConnectionRefusal r) { refused[static_cast<std::size_t>(r)].add(); }
};

}  // namespace hallpass::relay
