#include "stun/attribute_check.hpp"

#include "stun/attributes.hpp"

namespace hallpass::stun {
namespace {

template <class Attribute>
std::optional<ParseError> check(const AttributeView& a, const TransactionId& id) {
    auto decoded = Attribute::decode(a, id);
    if (decoded) return std::nullopt;
    return decoded.error();
}

std::optional<ParseError> check_one(const AttributeView& a, const TransactionId& id) {
    using T = AttributeType;
    switch (static_cast<T>(a.type)) {
        case T::username: return check<Username>(a, id);
        case T::realm: return check<Realm>(a, id);
        case T::nonce: return check<Nonce>(a, id);
        case T::software: return check<Software>(a, id);
        case T::error_code: return check<ErrorCodeAttribute>(a, id);
        case T::unknown_attributes: return check<UnknownAttributes>(a, id);
        case T::channel_number: return check<ChannelNumber>(a, id);
        case T::lifetime: return check<Lifetime>(a, id);
        case T::mapped_address: return check<MappedAddress>(a, id);
        case T::alternate_server: return check<AlternateServer>(a, id);
        case T::xor_mapped_address: return check<XorMappedAddress>(a, id);
        case T::xor_peer_address: return check<XorPeerAddress>(a, id);
        case T::xor_relayed_address: return check<XorRelayedAddress>(a, id);
        case T::requested_address_family: return check<RequestedAddressFamily>(a, id);
        case T::additional_address_family: return check<AdditionalAddressFamily>(a, id);
        case T::even_port: return check<EvenPort>(a, id);
        case T::requested_transport: return check<RequestedTransport>(a, id);
        case T::dont_fragment: return check<DontFragment>(a, id);
        case T::reservation_token: return check<ReservationToken>(a, id);
        case T::password_algorithm: return check<PasswordAlgorithm>(a, id);
        case T::password_algorithms: return check<PasswordAlgorithms>(a, id);
        case T::message_integrity:
            if (a.value.size() != 20) return ParseError{"MESSAGE-INTEGRITY", "length is not 20"};
            return std::nullopt;
        case T::message_integrity_sha256:
            // RFC 8489 §14.6: 16 to 32 bytes, a multiple of 4.
            if (a.value.size() < 16 || a.value.size() > 32 || a.value.size() % 4 != 0)
                return ParseError{"MESSAGE-INTEGRITY-SHA256", "length is not 16-32 in steps of 4"};
            return std::nullopt;
        default: return std::nullopt;
    }
}

}  // namespace

std::optional<ParseError> check_known_attributes(const MessageView& m) {
    for (const auto& a : m.attributes())
        if (auto error = check_one(a, m.transaction_id())) return error;
    return std::nullopt;
}

}  // namespace hallpass::stun
