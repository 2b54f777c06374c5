// See alternates.hpp.
#include "turn/alternates.hpp"

#include <algorithm>

namespace hallpass::turn {

std::vector<Alternate> alternates_except(const std::vector<Alternate>& all, const std::vector<TransportAddress>& own) {
    std::vector<Alternate> out;
    for (const auto& a : all) {
        const TransportAddress address{a.address.ip.unmapped(), a.address.port};
        const bool mine = std::any_of(own.begin(), own.end(), [&](const TransportAddress& o) {
            return o.port == address.port && o.ip.unmapped() == address.ip;
        });
        if (!mine) out.push_back(a);
    }
    return out;
}

}  // namespace hallpass::turn
