#include "tests/integration/udp_endpoint.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "relay/socket_address.hpp"

namespace hallpass::testing {
namespace {

TransportAddress loopback(AddressFamily family, std::uint16_t port) {
    if (family == AddressFamily::ipv4) return {IpAddress::v4(127, 0, 0, 1), port};
    std::array<std::uint8_t, 16> one{};
    one[15] = 1;
    return {IpAddress::v6(one), port};
}

}  // namespace

UdpEndpoint::UdpEndpoint(AddressFamily family) : UdpEndpoint(loopback(family, 0).ip) {}

UdpEndpoint::UdpEndpoint(const IpAddress& ip) {
    fd_ = ::socket(relay::socket_family(ip.family), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const auto local = relay::to_socket_address({ip, 0});
    if (fd_ < 0 || ::bind(fd_, local.get(), local.length) != 0) {
        const std::string why = std::strerror(errno);
        if (fd_ >= 0) ::close(fd_);
        throw std::runtime_error("test socket: " + why);
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    address_ = relay::from_socket_address(bound);
}

UdpEndpoint::~UdpEndpoint() {
    if (fd_ >= 0) ::close(fd_);
}

void UdpEndpoint::send_to(std::span<const std::uint8_t> bytes, const TransportAddress& to) {
    const auto a = relay::to_socket_address(to);
    ::sendto(fd_, bytes.data(), bytes.size(), 0, a.get(), a.length);
}

std::optional<Datagram> UdpEndpoint::receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    Datagram d;
    d.bytes.resize(65536);
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const auto n = ::recvfrom(fd_, d.bytes.data(), d.bytes.size(), 0,
                              reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;
    d.bytes.resize(static_cast<std::size_t>(n));
    d.from = relay::from_socket_address(from);
    return d;
}

std::uint16_t free_udp_port() {
    UdpEndpoint probe;
    return probe.address().port;
}

bool ipv6_loopback_available() {
    try {
        UdpEndpoint probe(AddressFamily::ipv6);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

}  // namespace hallpass::testing
