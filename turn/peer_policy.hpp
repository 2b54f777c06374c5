// PeerPolicy: which peer addresses an allocation may relay to. A built-in deny list keeps
// clients from reaching the host's own and private networks (DESIGN.md "Defaults that
// protect the host"); `allow` entries override it, extra `deny` entries add to it.
#pragma once

#include <vector>

#include "alloc/cidr_block.hpp"
#include "alloc/cidr_set.hpp"

namespace hallpass::turn {

class PeerPolicy {
public:
    PeerPolicy(const std::vector<alloc::CidrBlock>& allow, const std::vector<alloc::CidrBlock>& deny);

    // IPv4-mapped IPv6 peers are judged as the IPv4 address inside.
    bool permits(const IpAddress& peer) const;

    static std::vector<alloc::CidrBlock> default_deny_list();

private:
    alloc::CidrSet allow_;
    alloc::CidrSet deny_;
};

}  // namespace hallpass::turn
