// ERROR-CODE (RFC 8489 §14.8), UNKNOWN-ATTRIBUTES (§14.13) and ADDRESS-ERROR-CODE
// (RFC 8656 §18.13).
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           Reserved, should be 0         |Class|     Number    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      Reason Phrase (variable)                                ..
#pragma once

#include <array>
#include <string_view>

#include "stun/error_codes.hpp"
#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"

namespace hallpass::stun {

struct ErrorCodeAttribute {
    static constexpr AttributeType type = AttributeType::error_code;
    std::uint16_t code = 0;
    std::string_view reason;

    static ErrorCodeAttribute of(ErrorCode c) { return {static_cast<std::uint16_t>(c), reason_of(c)}; }
    static Result<ErrorCodeAttribute> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

struct UnknownAttributes {
    static constexpr AttributeType type = AttributeType::unknown_attributes;
    std::array<std::uint16_t, 16> types{};
    std::size_t count = 0;

    static Result<UnknownAttributes> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

struct AddressErrorCode {
    static constexpr AttributeType type = AttributeType::address_error_code;
    std::uint8_t family = 0;  // 0x01 IPv4, 0x02 IPv6
    std::uint16_t code = 0;
    std::string_view reason;

    static Result<AddressErrorCode> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

}  // namespace hallpass::stun
