// Internals shared by turn_server.cpp and the handle_*.cpp files: the request being handled
// and in-place framing of Data indications.
#pragma once

#include <algorithm>
#include <optional>

#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"
#include "turn/turn_server.hpp"

namespace hallpass::turn {

struct TurnServer::Request {
    const alloc::FiveTuple& from;
    const stun::MessageView& message;
    Instant now;
    std::span<std::uint8_t> out;
    std::string_view username;  // set by authenticate(); points into the request
    std::uint16_t identity_offset = 0;  // set by authenticate(): see Allocation::identity
    stun::IntegrityKey key;     // empty until authenticated; signs the answer when set

    stun::MessageBuilder builder(stun::MessageClass cls) const {
        return {out, message.method(), cls, message.transaction_id()};
    }
};

// The lifetime an Allocate or Refresh grants (RFC 8656 §7.2, §8.2): the request's, capped at
// the maximum and never below the default; a probe allocation's at most its own maximum.
inline std::uint32_t granted_lifetime(std::optional<std::uint32_t> requested, const ServerOptions& o, bool probe) {
    const std::uint32_t lifetime = requested ? std::clamp(*requested, o.default_lifetime, o.max_lifetime)
                                             : o.default_lifetime;
    return probe ? std::min(lifetime, o.probe.max_lifetime) : lifetime;
}

// Frames the peer's data as a Data indication around where it already lies (RFC 8656 §11.4).
std::span<const std::uint8_t> build_data_indication(PeerPacket& p, const TransportAddress& peer,
                                                    std::uint64_t sequence);

}  // namespace hallpass::turn
