#include "bench/socket_util.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hallpass::bench {

int family_of(const TransportAddress& a) { return relay::socket_family(a.ip.family); }

TransportAddress client_bind_address(const TransportAddress& server) {
    const bool v4 = server.ip.unmapped().is_v4();
    if (!is_loopback(server)) return {v4 ? IpAddress::v4(0, 0, 0, 0) : IpAddress::v6({}), 0};
    if (v4) return {IpAddress::v4(127, 0, 0, 1), 0};
    std::array<std::uint8_t, 16> b{};
    b[15] = 1;
    return {IpAddress::v6(b), 0};
}

bool is_loopback(const TransportAddress& a) { return is_loopback(a.ip); }

int udp_socket(const TransportAddress& local, std::string& error) {
    const int fd = ::socket(family_of(local), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return -1;
    }
    const auto addr = to_socket_address(local);
    if (::bind(fd, addr.get(), addr.length) != 0) {
        error = std::string("bind ") + local.to_string() + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

TransportAddress local_address(int fd) {
    sockaddr_storage s{};
    socklen_t len = sizeof s;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len);
    return from_socket_address(s);
}

void set_buffer_sizes(int fd, int bytes) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
}

std::uint64_t raise_file_limit() {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
    if (r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &r);
        ::getrlimit(RLIMIT_NOFILE, &r);
    }
    return r.rlim_cur;
}

}  // namespace hallpass::bench
