#include "stun/message_view.hpp"

#include "stun/byte_order.hpp"
#include "stun/integrity.hpp"

namespace hallpass::stun {
namespace {

constexpr std::size_t padded(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

std::optional<ParseError> check_header(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < header_size) return ParseError{"header", "shorter than 20 bytes"};
    if ((bytes[0] & 0xC0) != 0) return ParseError{"header", "first two bits are not zero"};
    if (read_u32(bytes.data() + 4) != magic_cookie) return ParseError{"header", "no magic cookie"};
    const std::size_t length = read_u16(bytes.data() + 2);
    if (length % 4 != 0) return ParseError{"header", "length is not a multiple of 4"};
    if (length + header_size != bytes.size())
        return ParseError{"header", "length does not match the datagram"};
    return std::nullopt;
}

}  // namespace

bool looks_like_stun(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= header_size && (bytes[0] & 0xC0) == 0 &&
           read_u32(bytes.data() + 4) == magic_cookie;
}

Result<MessageView> MessageView::parse(std::span<const std::uint8_t> bytes) {
    if (auto err = check_header(bytes)) return *err;
    MessageView m;
    m.bytes_ = bytes;
    const std::uint16_t type = read_u16(bytes.data());
    m.method_ = method_of(type);
    m.class_ = class_of(type);
    std::copy(bytes.begin() + 8, bytes.begin() + 20, m.transaction_id_.begin());

    bool after_integrity = false;
    bool after_fingerprint = false;
    std::size_t pos = header_size;
    while (pos < bytes.size()) {
        if (after_fingerprint) return ParseError{"FINGERPRINT", "is not the last attribute"};
        if (bytes.size() - pos < attribute_header_size)
            return ParseError{"attribute", "header runs past the end"};
        const std::uint16_t atype = read_u16(bytes.data() + pos);
        const std::size_t alen = read_u16(bytes.data() + pos + 2);
        if (bytes.size() - pos - attribute_header_size < padded(alen))
            return ParseError{"attribute", "value runs past the end"};
        const AttributeView view{atype, static_cast<std::uint16_t>(pos),
                                 bytes.subspan(pos + attribute_header_size, alen)};
        const auto t = static_cast<AttributeType>(atype);
        const bool keep = !after_integrity || t == AttributeType::message_integrity_sha256 ||
                          t == AttributeType::fingerprint;
        if (keep) {
            if (m.count_ == max_attributes) return ParseError{"message", "too many attributes"};
            m.attributes_[m.count_++] = view;
        }
        if (t == AttributeType::message_integrity || t == AttributeType::message_integrity_sha256)
            after_integrity = true;
        if (t == AttributeType::fingerprint) {
            if (alen != 4) return ParseError{"FINGERPRINT", "length is not 4"};
            if (!fingerprint_matches(bytes, pos)) return ParseError{"FINGERPRINT", "mismatch"};
            after_fingerprint = true;
        }
        pos += attribute_header_size + padded(alen);
    }
    return m;
}

std::optional<AttributeView> MessageView::find(AttributeType type) const {
    for (std::size_t i = 0; i < count_; ++i)
        if (attributes_[i].type == static_cast<std::uint16_t>(type)) return attributes_[i];
    return std::nullopt;
}

std::size_t MessageView::unknown_required(std::span<std::uint16_t> out) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < count_ && n < out.size(); ++i)
        if (!understood(attributes_[i].type)) out[n++] = attributes_[i].type;
    return n;
}

}  // namespace hallpass::stun
