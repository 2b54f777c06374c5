#include "tests/integration/udp_endpoint.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace hallpass::testing {
namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

TransportAddress from_sockaddr(const sockaddr_in& a) {
    return {IpAddress::v4(ntohl(a.sin_addr.s_addr)), ntohs(a.sin_port)};
}

}  // namespace

UdpEndpoint::UdpEndpoint() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    auto a = loopback(0);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("test socket: " + std::string(std::strerror(errno)));
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    address_ = from_sockaddr(a);
}

UdpEndpoint::~UdpEndpoint() {
    if (fd_ >= 0) ::close(fd_);
}

void UdpEndpoint::send_to(std::span<const std::uint8_t> bytes, const TransportAddress& to) {
    auto a = loopback(to.port);
    std::memcpy(&a.sin_addr, to.ip.bytes.data(), 4);
    ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
}

std::optional<Datagram> UdpEndpoint::receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    Datagram d;
    d.bytes.resize(65536);
    sockaddr_in from{};
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

}  // namespace hallpass::testing
