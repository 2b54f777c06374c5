// PASSWORD-ALGORITHM and PASSWORD-ALGORITHMS (RFC 8489 §14.11, §14.12).
//
//  |          Algorithm           |  Algorithm Parameters Length   |
//  |                    Algorithm Parameters (variable)            ...
#pragma once

#include <array>
#include <cstdint>

#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"

namespace hallpass::stun {

enum class PasswordAlgorithmId : std::uint16_t { md5 = 0x0001, sha256 = 0x0002 };

struct PasswordAlgorithm {
    static constexpr AttributeType type = AttributeType::password_algorithm;
    std::uint16_t algorithm = 0;
    static Result<PasswordAlgorithm> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

// Parameters are empty for both defined algorithms, so only the ids are kept.
struct PasswordAlgorithms {
    static constexpr AttributeType type = AttributeType::password_algorithms;
    std::array<std::uint16_t, 8> algorithms{};
    std::size_t count = 0;
    static Result<PasswordAlgorithms> decode(const AttributeView& a, const TransactionId&);
    void encode(MessageBuilder& b) const;
};

}  // namespace hallpass::stun
