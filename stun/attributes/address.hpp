// Address attributes: MAPPED-ADDRESS, ALTERNATE-SERVER (plain) and XOR-MAPPED-ADDRESS,
// XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS (XOR'd with the cookie and transaction id).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 (X-)Address (32 bits or 128 bits)             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::stun {

Result<TransportAddress> decode_address(std::span<const std::uint8_t> value, bool xored,
                                        const TransactionId& id, std::string_view place);
void encode_address(MessageBuilder& b, std::uint16_t type, const TransportAddress& a,
                    bool xored);

template <AttributeType Type, bool Xored>
struct AddressAttribute {
    static constexpr AttributeType type = Type;
    TransportAddress address;

    static Result<AddressAttribute> decode(const AttributeView& a, const TransactionId& id) {
        auto r = decode_address(a.value, Xored, id, attribute_name(a.type));
        if (!r) return r.error();
        return AddressAttribute{*r};
    }
    void encode(MessageBuilder& b) const {
        encode_address(b, static_cast<std::uint16_t>(Type), address, Xored);
    }
};

using MappedAddress = AddressAttribute<AttributeType::mapped_address, false>;
using AlternateServer = AddressAttribute<AttributeType::alternate_server, false>;
using XorMappedAddress = AddressAttribute<AttributeType::xor_mapped_address, true>;
using XorPeerAddress = AddressAttribute<AttributeType::xor_peer_address, true>;
using XorRelayedAddress = AddressAttribute<AttributeType::xor_relayed_address, true>;

}  // namespace hallpass::stun
