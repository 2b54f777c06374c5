#include "stun/attributes/address.hpp"

#include "stun/byte_order.hpp"

namespace hallpass::stun {
namespace {

constexpr std::uint8_t family_v4 = 0x01;
constexpr std::uint8_t family_v6 = 0x02;

// The XOR pad of RFC 8489 §14.2: the magic cookie, then the transaction id.
std::array<std::uint8_t, 16> xor_pad(const TransactionId& id) {
    std::array<std::uint8_t, 16> pad{};
    write_u32(pad.data(), magic_cookie);
    std::copy(id.begin(), id.end(), pad.begin() + 4);
    return pad;
}

}  // namespace

Result<TransportAddress> decode_address(std::span<const std::uint8_t> value, bool xored,
                                        const TransactionId& id, std::string_view place) {
    if (value.size() < 4) return ParseError{place, "shorter than 4 bytes"};
    const std::uint8_t family = value[1];
    const std::size_t ip_size = family == family_v4 ? 4 : family == family_v6 ? 16 : 0;
    if (ip_size == 0) return ParseError{place, "unknown address family"};
    if (value.size() != 4 + ip_size) return ParseError{place, "length does not fit the family"};
    TransportAddress a;
    a.ip.family = family == family_v4 ? AddressFamily::ipv4 : AddressFamily::ipv6;
    a.port = read_u16(value.data() + 2);
    std::copy_n(value.begin() + 4, ip_size, a.ip.bytes.begin());
    if (xored) {
        a.port ^= static_cast<std::uint16_t>(magic_cookie >> 16);
        const auto pad = xor_pad(id);
        for (std::size_t i = 0; i < ip_size; ++i) a.ip.bytes[i] ^= pad[i];
    }
    return a;
}

void encode_address(MessageBuilder& b, std::uint16_t type, const TransportAddress& a,
                    bool xored) {
    const std::size_t ip_size = a.ip.size();
    auto v = b.append(type, 4 + ip_size);
    if (v.empty()) return;
    v[0] = 0;
    v[1] = a.ip.is_v4() ? family_v4 : family_v6;
    std::uint16_t port = a.port;
    if (xored) port ^= static_cast<std::uint16_t>(magic_cookie >> 16);
    write_u16(v.data() + 2, port);
    const auto pad = xor_pad(b.transaction_id());
    for (std::size_t i = 0; i < ip_size; ++i)
        v[4 + i] = xored ? static_cast<std::uint8_t>(a.ip.bytes[i] ^ pad[i]) : a.ip.bytes[i];
}

}  // namespace hallpass::stun
