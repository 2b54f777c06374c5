// MessageView: a parsed STUN message that borrows the caller's bytes. Parsing checks the
// header and every attribute's framing and never reads past the buffer; attribute values
// are decoded on demand by the attribute types in stun/attributes/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "stun/attribute_type.hpp"
#include "stun/message_type.hpp"
#include "stun/result.hpp"

namespace hallpass::stun {

struct AttributeView {
    std::uint16_t type = 0;
    std::uint16_t offset = 0;  // of the attribute header, from the start of the message
    std::span<const std::uint8_t> value;
};

class MessageView {
public:
    // More attributes than this is not a message any TURN client sends; refusing it bounds
    // the work per packet and keeps MessageView on the stack.
    static constexpr std::size_t max_attributes = 32;

    static Result<MessageView> parse(std::span<const std::uint8_t> bytes);

    std::uint16_t method() const { return method_; }
    MessageClass message_class() const { return class_; }
    bool is(Method m, MessageClass c) const {
        return method_ == static_cast<std::uint16_t>(m) && class_ == c;
    }
    const TransactionId& transaction_id() const { return transaction_id_; }
    std::span<const std::uint8_t> bytes() const { return bytes_; }

    // Attributes that count: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and
    // FINGERPRINT are kept (RFC 8489 §14.5: the rest MUST be ignored).
    std::span<const AttributeView> attributes() const { return {attributes_.data(), count_}; }
    std::optional<AttributeView> find(AttributeType type) const;
    bool has(AttributeType type) const { return find(type).has_value(); }

    // Comprehension-required attribute types this server does not understand, in order.
    std::size_t unknown_required(std::span<std::uint16_t> out) const;

private:
    std::span<const std::uint8_t> bytes_;
    std::uint16_t method_ = 0;
    MessageClass class_ = MessageClass::request;
    TransactionId transaction_id_{};
    std::array<AttributeView, max_attributes> attributes_{};
    std::size_t count_ = 0;
};

// True if the first bytes look like a STUN message (top two bits zero, magic cookie);
// used to tell STUN from ChannelData and from other protocols on a shared port.
bool looks_like_stun(std::span<const std::uint8_t> bytes);

}  // namespace hallpass::stun
