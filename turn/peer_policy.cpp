#include "turn/peer_policy.hpp"

namespace hallpass::turn {

std::vector<alloc::CidrBlock> PeerPolicy::default_deny_list() {
    static const char* const blocks[] = {
        "0.0.0.0/8",      "10.0.0.0/8",    "100.64.0.0/10", "127.0.0.0/8",    "169.254.0.0/16",
        "172.16.0.0/12",  "192.0.0.0/24",  "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3",
        "::/128",         "::1/128",       "fc00::/7",       "fe80::/10",      "ff00::/8"};
    std::vector<alloc::CidrBlock> out;
    for (const char* b : blocks) out.push_back(*alloc::CidrBlock::parse(b));
    return out;
}

PeerPolicy::PeerPolicy(const std::vector<alloc::CidrBlock>& allow,
                       const std::vector<alloc::CidrBlock>& deny) {
    for (const auto& b : allow) allow_.add(b);
    for (const auto& b : default_deny_list()) deny_.add(b);
    for (const auto& b : deny) deny_.add(b);
}

bool PeerPolicy::permits(const IpAddress& peer) const {
    const IpAddress ip = peer.unmapped();
    if (allow_.contains(ip)) return true;
    return !deny_.contains(ip);
}

}  // namespace hallpass::turn
