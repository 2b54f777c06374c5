// A blocking UDP socket on loopback (127.0.0.1 or ::1) for tests: a TURN client's socket or
// a peer's.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stun/transport_address.hpp"

namespace hallpass::testing {

struct Datagram {
    std::vector<std::uint8_t> bytes;
    TransportAddress from;
};

class UdpEndpoint {
public:
    // Bound to 127.0.0.1 (or ::1) on a port the kernel picks.
    explicit UdpEndpoint(AddressFamily family = AddressFamily::ipv4);
    // Bound to `local` (any 127.0.0.0/8 address works on Linux loopback: a test's stand-in
    // for many different sources).
    explicit UdpEndpoint(const IpAddress& local);
    ~UdpEndpoint();
    UdpEndpoint(const UdpEndpoint&) = delete;
    UdpEndpoint& operator=(const UdpEndpoint&) = delete;

    const TransportAddress& address() const { return address_; }
    void send_to(std::span<const std::uint8_t> bytes, const TransportAddress& to);
    std::optional<Datagram> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

private:
    int fd_ = -1;
    TransportAddress address_;
};

// A port that was free a moment ago, from the kernel.
std::uint16_t free_udp_port();

// Whether ::1 can be bound here (IPv6 may be off in a container).
bool ipv6_loopback_available();

}  // namespace hallpass::testing
