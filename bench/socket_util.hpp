// Small socket helpers at the bench's edge: TransportAddress <-> sockaddr, non-blocking
// UDP sockets on loopback, and raising RLIMIT_NOFILE.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "stun/transport_address.hpp"

namespace hallpass::bench {

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SocketAddress to_sockaddr(const TransportAddress& a);
TransportAddress from_sockaddr(const sockaddr_storage& s);
int family_of(const TransportAddress& a);

// The loopback address of the server's family, port 0.
TransportAddress loopback_like(const TransportAddress& server);
// True for 127.0.0.0/8 and ::1: the bench refuses to send anywhere else.
bool is_loopback(const TransportAddress& a);

// A non-blocking UDP socket bound to `local` (port 0: any); -1 and `error` set on failure.
int udp_socket(const TransportAddress& local, std::string& error);
TransportAddress local_address(int fd);
void set_buffer_sizes(int fd, int bytes);

// Raises the soft open-file limit to the hard limit; returns the new soft limit.
std::uint64_t raise_file_limit();

}  // namespace hallpass::bench
