// Plain non-blocking UDP sockets for listeners and relay endpoints. Errors at start are
// exceptions with the address and the reason; on the packet path they are return values.
#pragma once

#include <optional>
#include <string>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

class UdpSocket {
public:
    UdpSocket() = default;
    explicit UdpSocket(int fd) : fd_(fd) {}
    UdpSocket(UdpSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    UdpSocket& operator=(UdpSocket&& o) noexcept;
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;
    ~UdpSocket() { close(); }

    int fd() const { return fd_; }
    bool open() const { return fd_ >= 0; }
    void close();
    // Hands the descriptor to a new owner (an Asio socket).
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
};

// A listener socket shared with the other workers through SO_REUSEPORT; throws
// std::runtime_error naming the address when it cannot be bound.
UdpSocket bind_listener(const TransportAddress& address);

// A relay socket on exactly `address`; the errno on failure (EADDRINUSE: another process
// holds the port). dont_fragment: every datagram it sends carries DF (IPv4: path MTU
// discovery "do"; IPv6: IPV6_DONTFRAG), for an Allocate with DONT-FRAGMENT (RFC 8656 §7.2).
struct RelayBind {
    UdpSocket socket;
    int error = 0;
};
RelayBind bind_relay(const TransportAddress& address, bool dont_fragment = false);

}  // namespace hallpass::relay
