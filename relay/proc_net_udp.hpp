// The UDP sockets of this host as /proc/net/udp and /proc/net/udp6 list them: local
// address, port and socket inode, for check-config's look at who else binds the relay
// addresses. A pure parser (the text in, the entries out); relay/bound_udp_sockets reads
// the files.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

struct ProcUdpSocket {
    IpAddress ip;
    std::uint16_t port = 0;
    std::uint32_t uid = 0;  // the socket's owner, readable where its process is not
    std::uint64_t inode = 0;
};

// Lines that do not parse (the header, anything truncated) are skipped.
std::vector<ProcUdpSocket> parse_proc_net_udp(std::string_view text);

}  // namespace hallpass::relay
