#include "relay/udp_segment.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace hallpass::relay {

void set_segment_size(msghdr& message, SegmentControl& control, std::uint16_t segment_size) {
    message.msg_control = control.bytes.data();
    message.msg_controllen = control.bytes.size();
    cmsghdr* c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof segment_size);
    std::memcpy(CMSG_DATA(c), &segment_size, sizeof segment_size);
}

void GsoSwitch::refused(std::string_view engine, int error) {
    if (on) spdlog::warn("{}: UDP GSO refused ({}); sending datagrams one by one", engine, std::strerror(error));
    on = false;
}

std::size_t send_each(int fd, const SocketAddress& to, std::span<const iovec> datagrams) {
    std::size_t failed = 0;
    for (const iovec& d : datagrams) {
        msghdr one{};
        one.msg_name = const_cast<sockaddr*>(to.get());
        one.msg_namelen = to.length;
        one.msg_iov = const_cast<iovec*>(&d);
        one.msg_iovlen = 1;
        if (::sendmsg(fd, &one, MSG_DONTWAIT) < 0) ++failed;
    }
    return failed;
}

}  // namespace hallpass::relay
