// UDP GSO (UDP_SEGMENT, Linux 4.18) as both engines send it: the control message that
// names the segment size, which errors mean that a path refuses GSO, and the fallback that
// sends a refused group's datagrams one by one. What to group is SegmentGroups' job.
#pragma once

#include <netinet/udp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "relay/socket_address.hpp"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, for C libraries that predate it
#endif

namespace hallpass::relay {

// Room for one UDP_SEGMENT control message, aligned as the kernel reads it.
struct alignas(cmsghdr) SegmentControl {
    std::array<char, CMSG_SPACE(sizeof(std::uint16_t))> bytes{};
};

// Makes `message` carry `control`, filled with a UDP_SEGMENT of `segment_size`.
void set_segment_size(msghdr& message, SegmentControl& control, std::uint16_t segment_size);

// Errors that say the path cannot take GSO sends (no checksum offload on the device, a
// segment above the route's MTU, an old kernel), as opposed to a datagram lost.
inline bool gso_refused(int error) { return error == EIO || error == EINVAL || error == EOPNOTSUPP; }

// Whether a worker still groups. The first refusal turns it off for good, with one warning.
struct GsoSwitch {
    bool on = true;
    void refused(std::string_view engine, int error);
};

// Sends each buffer as a datagram of its own; returns how many the kernel refused.
std::size_t send_each(int fd, const SocketAddress& to, std::span<const iovec> datagrams);

}  // namespace hallpass::relay
