#include "stun/attributes/error_code.hpp"

#include "stun/byte_order.hpp"

namespace hallpass::stun {
namespace {

std::string_view as_text(std::span<const std::uint8_t> v) {
    return {reinterpret_cast<const char*>(v.data()), v.size()};
}

// Class and number; RFC 8489 §14.8 keeps codes within 300..699.
Result<std::uint16_t> decode_code(std::span<const std::uint8_t> v, std::string_view place) {
    const unsigned cls = v[2] & 0x07;
    const unsigned number = v[3];
    if (cls < 3 || cls > 6 || number > 99) return ParseError{place, "code out of range"};
    return static_cast<std::uint16_t>(cls * 100 + number);
}

void encode_code(std::uint8_t* p, std::uint16_t code) {
    p[2] = static_cast<std::uint8_t>(code / 100);
    p[3] = static_cast<std::uint8_t>(code % 100);
}

}  // namespace

Result<ErrorCodeAttribute> ErrorCodeAttribute::decode(const AttributeView& a,
                                                      const TransactionId&) {
    if (a.value.size() < 4) return ParseError{"ERROR-CODE", "shorter than 4 bytes"};
    if (a.value.size() > 4 + 763) return ParseError{"ERROR-CODE", "reason too long"};
    auto code = decode_code(a.value, "ERROR-CODE");
    if (!code) return code.error();
    return ErrorCodeAttribute{*code, as_text(a.value.subspan(4))};
}

void ErrorCodeAttribute::encode(MessageBuilder& b) const {
    auto v = b.append(type, 4 + reason.size());
    if (v.empty()) return;
    v[0] = v[1] = 0;
    encode_code(v.data(), code);
    std::copy(reason.begin(), reason.end(), v.begin() + 4);
}

Result<UnknownAttributes> UnknownAttributes::decode(const AttributeView& a, const TransactionId&) {
    if (a.value.size() % 2 != 0) return ParseError{"UNKNOWN-ATTRIBUTES", "odd length"};
    UnknownAttributes u;
    for (std::size_t i = 0; i + 1 < a.value.size() && u.count < u.types.size(); i += 2)
        u.types[u.count++] = read_u16(a.value.data() + i);
    return u;
}

void UnknownAttributes::encode(MessageBuilder& b) const {
    auto v = b.append(type, count * 2);
    for (std::size_t i = 0; i < count && !v.empty(); ++i) write_u16(v.data() + 2 * i, types[i]);
}

Result<AddressErrorCode> AddressErrorCode::decode(const AttributeView& a, const TransactionId&) {
    if (a.value.size() < 4) return ParseError{"ADDRESS-ERROR-CODE", "shorter than 4 bytes"};
    auto code = decode_code(a.value, "ADDRESS-ERROR-CODE");
    if (!code) return code.error();
    return AddressErrorCode{a.value[0], *code, as_text(a.value.subspan(4))};
}

void AddressErrorCode::encode(MessageBuilder& b) const {
    auto v = b.append(type, 4 + reason.size());
    if (v.empty()) return;
    v[0] = family;
    v[1] = 0;
    encode_code(v.data(), code);
    std::copy(reason.begin(), reason.end(), v.begin() + 4);
}

}  // namespace hallpass::stun
