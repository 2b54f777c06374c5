// One include for every attribute type, and the two ways the TURN core reads them.
#pragma once

#include <optional>

#include "stun/attributes/address.hpp"
#include "stun/attributes/error_code.hpp"
#include "stun/attributes/password_algorithm.hpp"
#include "stun/attributes/text.hpp"
#include "stun/attributes/turn.hpp"
#include "stun/message_view.hpp"

namespace hallpass::stun {

// The attribute decoded, or an error naming it when it is absent or malformed.
template <class Attribute>
Result<Attribute> require(const MessageView& m) {
    auto a = m.find(Attribute::type);
    if (!a) return ParseError{attribute_name(static_cast<std::uint16_t>(Attribute::type)), "missing"};
    return Attribute::decode(*a, m.transaction_id());
}

// The attribute if present and well formed.
template <class Attribute>
std::optional<Attribute> get(const MessageView& m) {
    auto a = m.find(Attribute::type);
    if (!a) return std::nullopt;
    auto r = Attribute::decode(*a, m.transaction_id());
    if (!r) return std::nullopt;
    return std::move(r).value();
}

}  // namespace hallpass::stun
