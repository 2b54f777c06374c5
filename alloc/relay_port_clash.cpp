#include "alloc/relay_port_clash.hpp"

#include <algorithm>

namespace hallpass::alloc {
namespace {

bool on_relay_address(const std::vector<CidrBlock>& ranges, const IpAddress& ip) {
    return std::any_of(ranges.begin(), ranges.end(), [&](const CidrBlock& r) {
        return r.network.family == ip.family && (ip.is_wildcard() || r.contains(ip));
    });
}

}  // namespace

std::vector<RelayPortClash> relay_port_clashes(const std::vector<CidrBlock>& ranges, PortRange ports,
                                               const std::vector<BoundUdpSocket>& sockets) {
    std::vector<RelayPortClash> clashes;
    for (const auto& s : sockets) {
        if (s.port < ports.min || s.port > ports.max || !on_relay_address(ranges, s.ip)) continue;
        auto same = std::find_if(clashes.begin(), clashes.end(),
                                 [&](const RelayPortClash& c) { return c.owner == s.owner && c.ip == s.ip; });
        if (same == clashes.end()) {
            clashes.push_back({s.owner, s.ip, s.port, s.port, 1});
            continue;
        }
        same->lowest_port = std::min(same->lowest_port, s.port);
        same->highest_port = std::max(same->highest_port, s.port);
        ++same->sockets;
    }
    return clashes;
}

}  // namespace hallpass::alloc
