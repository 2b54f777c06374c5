#include "stun/message_builder.hpp"

#include <algorithm>

#include "stun/byte_order.hpp"

namespace hallpass::stun {

MessageBuilder::MessageBuilder(std::span<std::uint8_t> out, std::uint16_t method,
                               MessageClass cls, const TransactionId& id)
    : out_(out), id_(id) {
    if (out_.size() < header_size) {
        ok_ = false;
        return;
    }
    write_u16(out_.data(), encode_message_type(method, cls));
    write_u16(out_.data() + 2, 0);
    write_u32(out_.data() + 4, magic_cookie);
    std::copy(id.begin(), id.end(), out_.begin() + 8);
    size_ = header_size;
}

void MessageBuilder::set_length(std::size_t body) {
    write_u16(out_.data() + 2, static_cast<std::uint16_t>(body));
}

std::span<std::uint8_t> MessageBuilder::append(std::uint16_t type, std::size_t length) {
    const std::size_t padded = (length + 3) & ~std::size_t{3};
    if (!ok_ || length > 0xFFFF || out_.size() - size_ < attribute_header_size + padded ||
        size_ + attribute_header_size + padded - header_size > 0xFFFF) {
        ok_ = false;
        return {};
    }
    std::uint8_t* p = out_.data() + size_;
    write_u16(p, type);
    write_u16(p + 2, static_cast<std::uint16_t>(length));
    std::fill(p + attribute_header_size + length, p + attribute_header_size + padded, padding_);
    size_ += attribute_header_size + padded;
    set_length(size_ - header_size);
    return {p + attribute_header_size, length};
}

MessageBuilder& MessageBuilder::add_message_integrity(const IntegrityKey& key) {
    const std::size_t start = size_;
    auto value = append(AttributeType::message_integrity, 20);
    if (value.empty()) return *this;
    // The length field already covers this attribute, as RFC 8489 §14.5 requires.
    const std::span<const std::uint8_t> pieces[] = {out_.first(start)};
    const auto mac = hmac_sha1(key.view(), pieces);
    std::copy(mac.begin(), mac.end(), value.begin());
    return *this;
}

MessageBuilder& MessageBuilder::add_message_integrity_sha256(const IntegrityKey& key) {
    const std::size_t start = size_;
    auto value = append(AttributeType::message_integrity_sha256, 32);
    if (value.empty()) return *this;
    const std::span<const std::uint8_t> pieces[] = {out_.first(start)};
    const auto mac = hmac_sha256(key.view(), pieces);
    std::copy(mac.begin(), mac.end(), value.begin());
    return *this;
}

MessageBuilder& MessageBuilder::add_fingerprint() {
    const std::size_t start = size_;
    auto value = append(AttributeType::fingerprint, 4);
    if (value.empty()) return *this;
    write_u32(value.data(), fingerprint_value(out_.first(start),
                                              static_cast<std::uint16_t>(size_ - header_size)));
    return *this;
}

std::span<const std::uint8_t> MessageBuilder::bytes() const {
    if (!ok_) return {};
    return out_.first(size_);
}

}  // namespace hallpass::stun
