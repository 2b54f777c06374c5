// Another service's UDP sockets inside the relay ranges and port range. A media server
// (BigBlueButton's FreeSWITCH and mediasoup take UDP 16384–32768 on their addresses) and
// hallpass drawing ports from the same address and range get in each other's way: hallpass
// steps over a port the media server holds (alloc/relay_address_opening), but the media
// server's binds fail on the ports hallpass holds, and its calls lose media at random.
// check-config lists the clashes; this decides what is one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "alloc/cidr_block.hpp"
#include "alloc/relay_address_pool.hpp"

namespace hallpass::alloc {

struct BoundUdpSocket {
    IpAddress ip;
    std::uint16_t port = 0;
    std::string owner;  // "freeswitch (pid 812)", or a placeholder when it cannot be known
};

// One owner's sockets on one address (a wildcard 0.0.0.0 or :: counts for every relay
// address of its family), with the ports they hold inside the relay port range.
struct RelayPortClash {
    std::string owner;
    IpAddress ip;
    std::uint16_t lowest_port = 0;
    std::uint16_t highest_port = 0;
    std::size_t sockets = 0;
};

// In the order of first appearance in `sockets`.
std::vector<RelayPortClash> relay_port_clashes(const std::vector<CidrBlock>& ranges, PortRange ports,
                                               const std::vector<BoundUdpSocket>& sockets);

}  // namespace hallpass::alloc
