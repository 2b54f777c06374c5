#include "tests/integration/udp_endpoint.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace hallpass::testing {
namespace {

// The loopback address of `family` and `port`, as the kernel takes it.
sockaddr_storage loopback(AddressFamily family, std::uint16_t port, socklen_t& length) {
    sockaddr_storage s{};
    if (family == AddressFamily::ipv6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&s);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_addr = in6addr_loopback;
        length = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&s);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        length = sizeof *a;
    }
    return s;
}

sockaddr_storage to_sockaddr(const TransportAddress& to, socklen_t& length) {
    const AddressFamily family = to.ip.is_v4() ? AddressFamily::ipv4 : AddressFamily::ipv6;
    sockaddr_storage s = loopback(family, to.port, length);
    if (family == AddressFamily::ipv6) std::memcpy(&reinterpret_cast<sockaddr_in6*>(&s)->sin6_addr, to.ip.bytes.data(), 16);
    else std::memcpy(&reinterpret_cast<sockaddr_in*>(&s)->sin_addr, to.ip.bytes.data(), 4);
    return s;
}

TransportAddress from_sockaddr(const sockaddr_storage& s) {
    if (s.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&s);
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), &a->sin6_addr, 16);
        return {IpAddress::v6(b), ntohs(a->sin6_port)};
    }
    const auto* a = reinterpret_cast<const sockaddr_in*>(&s);
    return {IpAddress::v4(ntohl(a->sin_addr.s_addr)), ntohs(a->sin_port)};
}

}  // namespace

UdpEndpoint::UdpEndpoint(AddressFamily family) {
    fd_ = ::socket(family == AddressFamily::ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    socklen_t length = 0;
    auto a = loopback(family, 0, length);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), length) != 0) {
        const std::string why = std::strerror(errno);
        if (fd_ >= 0) ::close(fd_);
        throw std::runtime_error("test socket: " + why);
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    address_ = from_sockaddr(a);
}

UdpEndpoint::~UdpEndpoint() {
    if (fd_ >= 0) ::close(fd_);
}

void UdpEndpoint::send_to(std::span<const std::uint8_t> bytes, const TransportAddress& to) {
    socklen_t length = 0;
    const auto a = to_sockaddr(to, length);
    ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&a), length);
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
    d.from = from_sockaddr(from);
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
