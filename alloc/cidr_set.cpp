#include "alloc/cidr_set.hpp"

#include <algorithm>

namespace hallpass::alloc {

bool CidrSet::contains(const IpAddress& address) const {
    return std::any_of(blocks_.begin(), blocks_.end(),
                       [&](const CidrBlock& block) { return block.contains(address); });
}

}  // namespace hallpass::alloc
