#include "relay/udp_socket.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "relay/socket_address.hpp"

namespace hallpass::relay {
namespace {

int make_socket(AddressFamily family) {
    const int fd = ::socket(socket_family(family), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && family == AddressFamily::ipv6) {
        const int on = 1;  // an IPv6 socket serves IPv6 only; IPv4 gets its own
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }
    return fd;
}

// One listener socket takes every client's datagrams for its worker: at class start, or
// with thousands of allocations, bursts overflow the default buffer (net.core.rmem_max,
// about 208 KiB) and are lost. The FORCE options pass that cap when we have
// CAP_NET_ADMIN (root at start); otherwise the capped size is the best we get.
void set_buffer(int fd, int option, int force_option, int bytes) {
    if (::setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) != 0)
        ::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
}

// Without it Linux sets DF on UDP anyway by default (net.ipv4.ip_no_pmtu_disc = 0, "want"),
// but lets the kernel fragment locally when a datagram is larger than the known path MTU;
// "do" refuses that, which is what the client asked for.
int set_dont_fragment(int fd, AddressFamily family) {
    const int on = 1;
    const int pmtu = IP_PMTUDISC_DO;
    const int r = family == AddressFamily::ipv4
                      ? ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu)
                      : ::setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof on);
    return r == 0 ? 0 : errno;
}

}  // namespace

UdpSocket& UdpSocket::operator=(UdpSocket&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

void UdpSocket::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

UdpSocket bind_listener(const TransportAddress& address) {
    UdpSocket s(make_socket(address.ip.family));
    if (!s.open()) throw std::runtime_error("udp socket: " + std::string(std::strerror(errno)));
    const int on = 1;
    ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    set_buffer(s.fd(), SO_RCVBUF, SO_RCVBUFFORCE, 16 << 20);
    set_buffer(s.fd(), SO_SNDBUF, SO_SNDBUFFORCE, 4 << 20);
    const auto sa = to_socket_address(address);
    if (::bind(s.fd(), sa.get(), sa.length) != 0) {
        const int err = errno;
        std::string why = std::strerror(err);
        if (err == EACCES)
            why += " (ports below 1024 need root or CAP_NET_BIND_SERVICE: "
                   "setcap cap_net_bind_service=+ep on the binary)";
        throw std::runtime_error("cannot listen on udp " + address.to_string() + ": " + why);
    }
    return s;
}

RelayBind bind_relay(const TransportAddress& address, bool dont_fragment) {
    RelayBind out{UdpSocket(make_socket(address.ip.family)), 0};
    if (!out.socket.open()) {
        out.error = errno;
        return out;
    }
    if (dont_fragment && (out.error = set_dont_fragment(out.socket.fd(), address.ip.family)) != 0) {
        out.socket.close();
        return out;
    }
    set_buffer(out.socket.fd(), SO_RCVBUF, SO_RCVBUFFORCE, 1 << 20);
    const auto sa = to_socket_address(address);
    if (::bind(out.socket.fd(), sa.get(), sa.length) != 0) {
        out.error = errno;
        out.socket.close();
    }
    return out;
}

}  // namespace hallpass::relay
