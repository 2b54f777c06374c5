// ListenerSockets: the sockets of the listeners a reload adds. They are bound on the
// control thread, one per worker and address (SO_REUSEPORT, as at start), before anything
// else changes, so that a port that cannot be bound refuses the whole reload; each worker
// then takes its share together with the new snapshot (Worker::adopt).
#pragma once

#include <utility>
#include <vector>

#include "config/config_diff.hpp"
#include "relay/stream_acceptor.hpp"
#include "relay/udp_socket.hpp"

namespace hallpass::relay {

struct ListenerSockets {
    std::vector<std::pair<TransportAddress, UdpSocket>> udp;
    std::vector<std::pair<TransportAddress, ListeningSocket>> stream;
};

// One ListenerSockets per worker for what `changes` adds; `next` says whether a stream
// address is TCP or TLS, for the error. Throws std::runtime_error naming the key and the
// address when one cannot be bound (everything bound so far is closed again).
std::vector<ListenerSockets> bind_added_listeners(const config::ListenerChanges& changes,
                                                  const config::ListenConfig& next, std::size_t workers);

}  // namespace hallpass::relay
