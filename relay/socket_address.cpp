#include "relay/socket_address.hpp"

#include <cstring>

namespace hallpass::relay {

int socket_family(AddressFamily f) { return f == AddressFamily::ipv4 ? AF_INET : AF_INET6; }

SocketAddress to_socket_address(const TransportAddress& a) {
    SocketAddress out;
    if (a.ip.is_v4()) {
        auto* s = reinterpret_cast<sockaddr_in*>(&out.storage);
        s->sin_family = AF_INET;
        s->sin_port = htons(a.port);
        std::memcpy(&s->sin_addr, a.ip.bytes.data(), 4);
        out.length = sizeof(sockaddr_in);
    } else {
        auto* s = reinterpret_cast<sockaddr_in6*>(&out.storage);
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(a.port);
        std::memcpy(&s->sin6_addr, a.ip.bytes.data(), 16);
        out.length = sizeof(sockaddr_in6);
    }
    return out;
}

TransportAddress from_socket_address(const sockaddr_storage& s) {
    TransportAddress a;
    if (s.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&s);
        a.ip.family = AddressFamily::ipv4;
        std::memcpy(a.ip.bytes.data(), &v4->sin_addr, 4);
        a.port = ntohs(v4->sin_port);
    } else {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&s);
        a.ip.family = AddressFamily::ipv6;
        std::memcpy(a.ip.bytes.data(), &v6->sin6_addr, 16);
        a.port = ntohs(v6->sin6_port);
    }
    return a;
}

}  // namespace hallpass::relay
