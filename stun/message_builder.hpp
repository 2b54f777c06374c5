// MessageBuilder: writes a STUN message into a caller's buffer, attribute by attribute,
// then MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT over what is there. It never allocates;
// running out of room marks the builder failed instead of writing past the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "stun/attribute_type.hpp"
#include "stun/integrity.hpp"
#include "stun/message_type.hpp"

namespace hallpass::stun {

class MessageBuilder {
public:
    MessageBuilder(std::span<std::uint8_t> out, std::uint16_t method, MessageClass cls,
                   const TransactionId& id);
    MessageBuilder(std::span<std::uint8_t> out, Method method, MessageClass cls,
                   const TransactionId& id)
        : MessageBuilder(out, static_cast<std::uint16_t>(method), cls, id) {}

    // Reserves an attribute with a value of `length` bytes (padding zeroed) and returns the
    // value's bytes to fill in; an empty span, and a failed builder, when it does not fit.
    std::span<std::uint8_t> append(std::uint16_t type, std::size_t length);
    std::span<std::uint8_t> append(AttributeType type, std::size_t length) {
        return append(static_cast<std::uint16_t>(type), length);
    }

    template <class Attribute>
    MessageBuilder& add(const Attribute& attribute) {
        attribute.encode(*this);
        return *this;
    }

    MessageBuilder& add_message_integrity(const IntegrityKey& key);
    MessageBuilder& add_message_integrity_sha256(const IntegrityKey& key);
    MessageBuilder& add_fingerprint();

    // RFC 8489 §14 lets padding be any value; RFC 5769's vectors use spaces.
    void set_padding_byte(std::uint8_t b) { padding_ = b; }

    bool ok() const { return ok_; }
    const TransactionId& transaction_id() const { return id_; }
    // The message so far; empty when the builder failed.
    std::span<const std::uint8_t> bytes() const;

private:
    void set_length(std::size_t body);

    std::span<std::uint8_t> out_;
    std::size_t size_ = 0;
    TransactionId id_;
    bool ok_ = true;
    std::uint8_t padding_ = 0;
};

}  // namespace hallpass::stun
