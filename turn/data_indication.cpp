#include "stun/attributes.hpp"
#include "turn/server_request.hpp"

namespace hallpass::turn {

std::span<const std::uint8_t> build_data_indication(PeerPacket& p, const TransportAddress& peer,
                                                    std::uint64_t sequence) {
    const std::size_t prefix = stun::header_size + stun::attribute_header_size +
                               4 + peer.ip.size() + stun::attribute_header_size;
    // Data indications need a transaction id but no answer is ever matched to it; a
    // per-allocation sequence keeps them distinct without a random source.
    stun::TransactionId id{};
    for (int i = 0; i < 8; ++i) id[4 + i] = static_cast<std::uint8_t>(sequence >> (8 * i));
    auto start = p.storage.subspan(p.offset - prefix);
    stun::MessageBuilder b(start, stun::Method::data, stun::MessageClass::indication, id);
    b.add(stun::XorPeerAddress{peer});
    // append() writes only the attribute header and padding: the payload is already there.
    b.append(stun::AttributeType::data, p.length);
    return b.bytes();
}

}  // namespace hallpass::turn
