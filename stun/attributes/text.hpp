// Text attributes: USERNAME, REALM, NONCE, SOFTWARE (RFC 8489 §14.3, 14.9, 14.10, 14.14).
// The value is a view into the message bytes; limits are the RFC's byte limits.
#pragma once

#include <string_view>

#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"

namespace hallpass::stun {

template <AttributeType Type, std::size_t MaxBytes>
struct TextAttribute {
    static constexpr AttributeType type = Type;
    std::string_view text;

    static Result<TextAttribute> decode(const AttributeView& a, const TransactionId&) {
        if (a.value.size() > MaxBytes) return ParseError{attribute_name(a.type), "too long"};
        return TextAttribute{std::string_view(reinterpret_cast<const char*>(a.value.data()),
                                              a.value.size())};
    }
    void encode(MessageBuilder& b) const {
        auto v = b.append(Type, text.size());
        if (!v.empty()) std::copy(text.begin(), text.end(), v.begin());
    }
};

// USERNAME < 513 bytes; REALM, NONCE, SOFTWARE < 128 characters, which is at most 763 bytes.
using Username = TextAttribute<AttributeType::username, 513>;
using Realm = TextAttribute<AttributeType::realm, 763>;
using Nonce = TextAttribute<AttributeType::nonce, 763>;
using Software = TextAttribute<AttributeType::software, 763>;
// RFC 8489 §14.16: the domain name for the certificate of the ALTERNATE-SERVER (TLS).
using AlternateDomain = TextAttribute<AttributeType::alternate_domain, 255>;

}  // namespace hallpass::stun
