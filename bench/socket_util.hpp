// Small socket helpers at the bench's edge: non-blocking UDP sockets on loopback, and
// raising RLIMIT_NOFILE.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "relay/socket_address.hpp"
#include "bench/options.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::bench {

// The server's conversions (relay/socket_address), without the rest of the server.
using relay::from_socket_address;
using relay::SocketAddress;
using relay::to_socket_address;
int family_of(const TransportAddress& a);

// Where a UDP client socket binds (port 0): the loopback address of the server's family for
// a server on loopback, so that nothing leaves it; else the family's wildcard, and the
// route to the (--remote) server picks the address.
TransportAddress client_bind_address(const TransportAddress& server);
// True for 127.0.0.0/8 and ::1.
bool is_loopback(const TransportAddress& a);

// A non-blocking UDP socket bound to `local` (port 0: any); -1 and `error` set on failure.
int udp_socket(const TransportAddress& local, std::string& error);
TransportAddress local_address(int fd);
void set_buffer_sizes(int fd, int bytes);

// Raises the soft open-file limit to the hard limit; returns the new soft limit.
std::uint64_t raise_file_limit();

}  // namespace hallpass::bench
