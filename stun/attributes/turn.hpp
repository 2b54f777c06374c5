// TURN's fixed-size attributes (RFC 8656 §18): CHANNEL-NUMBER, LIFETIME, DATA,
// REQUESTED-ADDRESS-FAMILY, ADDITIONAL-ADDRESS-FAMILY, EVEN-PORT, REQUESTED-TRANSPORT,
// DONT-FRAGMENT, RESERVATION-TOKEN.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"

namespace hallpass::stun {

//  | Channel Number (16)          |         RFFU = 0 (16)         |
struct ChannelNumber {
    static constexpr AttributeType type = AttributeType::channel_number;
    std::uint16_t number = 0;
    static Result<ChannelNumber> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

//  | Lifetime in seconds (32)                                      |
struct Lifetime {
    static constexpr AttributeType type = AttributeType::lifetime;
    std::uint32_t seconds = 0;
    static Result<Lifetime> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

// The application data, as a view into the message.
struct Data {
    static constexpr AttributeType type = AttributeType::data;
    std::span<const std::uint8_t> bytes;
    static Result<Data> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

// Wire values of the address family attributes (RFC 8656 §18.8).
inline constexpr std::uint8_t family_ipv4 = 0x01;
inline constexpr std::uint8_t family_ipv6 = 0x02;

//  | Family (8)    |            Reserved (24)                      |
template <AttributeType Type>
struct FamilyAttribute {
    static constexpr AttributeType type = Type;
    std::uint8_t family = family_ipv4;  // kept raw: an unknown value is answered with 440
    static Result<FamilyAttribute> decode(const AttributeView& a, const TransactionId&) {
        if (a.value.size() != 4) return ParseError{attribute_name(a.type), "length is not 4"};
        return FamilyAttribute{a.value[0]};
    }
    void encode(MessageBuilder& b) const {
        auto v = b.append(Type, 4);
        if (!v.empty()) v[0] = family, v[1] = v[2] = v[3] = 0;
    }
};
using RequestedAddressFamily = FamilyAttribute<AttributeType::requested_address_family>;
using AdditionalAddressFamily = FamilyAttribute<AttributeType::additional_address_family>;

//  |R|    RFFU    |
struct EvenPort {
    static constexpr AttributeType type = AttributeType::even_port;
    bool reserve_next = false;
    static Result<EvenPort> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

//  |    Protocol   |                    RFFU                       |
struct RequestedTransport {
    static constexpr AttributeType type = AttributeType::requested_transport;
    static constexpr std::uint8_t udp = 17;
    static constexpr std::uint8_t tcp = 6;
    std::uint8_t protocol = udp;
    static Result<RequestedTransport> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

struct DontFragment {
    static constexpr AttributeType type = AttributeType::dont_fragment;
    static Result<DontFragment> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

struct ReservationToken {
    static constexpr AttributeType type = AttributeType::reservation_token;
    std::array<std::uint8_t, 8> token{};
    static Result<ReservationToken> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

}  // namespace hallpass::stun
