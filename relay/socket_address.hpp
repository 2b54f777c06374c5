// Conversion between the core's TransportAddress and the kernel's sockaddr, at the edge
// where relay/ meets the sans-IO libraries.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
    sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

SocketAddress to_socket_address(const TransportAddress& a);
TransportAddress from_socket_address(const sockaddr_storage& s);
int socket_family(AddressFamily f);

}  // namespace hallpass::relay
