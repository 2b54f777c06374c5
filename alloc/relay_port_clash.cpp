#include "alloc/relay_port_clash.hpp"

#include <algorithm>

namespace hallpass::alloc {
namespace {

// A wildcard of the range's family holds the port on every address; so does "::" for IPv4
// too, since an IPv6 socket is dual-stack unless it set IPV6_V6ONLY (which /proc does not
// show, so the warning errs towards saying it). "::ffff:a.b.c.d" is that IPv4 address.
bool on_relay_address(const std::vector<CidrBlock>& ranges, const IpAddress& bound) {
    const IpAddress ip = bound.unmapped();
    return std::any_of(ranges.begin(), ranges.end(), [&](const CidrBlock& r) {
        if (ip.is_wildcard()) return r.network.family == ip.family || !ip.is_v4();
        return r.network.family == ip.family && r.contains(ip);
    });
}

}  // namespace

std::vector<RelayPortClash> relay_port_clashes(const std::vector<CidrBlock>& ranges, PortRange ports,
                                               const std::vector<BoundUdpSocket>& sockets) {
    std::vector<RelayPortClash> clashes;
    for (const auto& s : sockets) {
        if (s.port < ports.min || s.port > ports.max || !on_relay_address(ranges, s.ip)) continue;
        const IpAddress ip = s.ip.unmapped();
        auto same = std::find_if(clashes.begin(), clashes.end(),
                                 [&](const RelayPortClash& c) { return c.owner == s.owner && c.ip == ip; });
        if (same == clashes.end()) {
            clashes.push_back({s.owner, ip, s.port, s.port, 1});
            continue;
        }
        same->lowest_port = std::min(same->lowest_port, s.port);
        same->highest_port = std::max(same->highest_port, s.port);
        ++same->sockets;
    }
    return clashes;
}

}  // namespace hallpass::alloc
