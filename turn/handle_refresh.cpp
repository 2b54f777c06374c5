// Refresh (RFC 8656 §8): extends the allocation, or ends it when LIFETIME is 0.
#include <algorithm>

#include "stun/attributes.hpp"
#include "turn/probe_credentials.hpp"
#include "turn/server_request.hpp"

namespace hallpass::turn {

using stun::ErrorCode;

ClientAction TurnServer::handle_refresh(Request& r) {
    if (auto refused = authenticate(r)) return *refused;
    alloc::Allocation* a = table_.find(r.from);
    if (!a) return error(r, ErrorCode::allocation_mismatch);
    // §5: later requests must come from the user that made the allocation.
    if (a->username != r.username) return error(r, ErrorCode::wrong_credentials);
    if (auto family = stun::get<stun::RequestedAddressFamily>(r.message)) {
        const auto ours = a->relay.ip.is_v4() ? stun::family_ipv4 : stun::family_ipv6;
        if (family->family != ours) return error(r, ErrorCode::peer_address_family_mismatch);
    }
    auto requested = stun::get<stun::Lifetime>(r.message);
    std::uint32_t lifetime = 0;
    if (requested && requested->seconds == 0) {
        end(*a, EndReason::refreshed_to_zero, r.now);
    } else {
        lifetime = granted_lifetime(requested ? std::optional(requested->seconds) : std::nullopt, options_,
                                    probe_client(a->username).has_value());
        a->granted_lifetime = lifetime;
        table_.set_expiry(*a, r.now.monotonic + std::chrono::seconds(lifetime));
    }
    auto b = success(r);
    b.add(stun::Lifetime{lifetime});
    return finish(r, b);
}

}  // namespace hallpass::turn
