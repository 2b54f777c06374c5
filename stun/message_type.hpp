// STUN message type: method and class interleaved in 14 bits (RFC 8489 §5), plus the
// header constants every other stun/ file uses.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |0 0|     STUN Message Type     |         Message Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Magic Cookie                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     Transaction ID (96 bits)                  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hallpass::stun {

inline constexpr std::uint32_t magic_cookie = 0x2112A442;
inline constexpr std::size_t header_size = 20;
inline constexpr std::size_t attribute_header_size = 4;

using TransactionId = std::array<std::uint8_t, 12>;

enum class MessageClass : std::uint8_t { request = 0, indication = 1, success = 2, error = 3 };

// RFC 8489 §18.2 and RFC 8656 §17.
enum class Method : std::uint16_t {
    binding = 0x001,
    allocate = 0x003,
    refresh = 0x004,
    send = 0x006,
    data = 0x007,
    create_permission = 0x008,
    channel_bind = 0x009,
};

// M11..M7 | C1 | M6..M4 | C0 | M3..M0
constexpr std::uint16_t encode_message_type(std::uint16_t method, MessageClass cls) {
    const auto c = static_cast<std::uint16_t>(cls);
    return static_cast<std::uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                                      ((method & 0x0F80) << 2) | ((c & 0x1) << 4) |
                                      ((c & 0x2) << 7));
}
constexpr std::uint16_t encode_message_type(Method m, MessageClass cls) {
    return encode_message_type(static_cast<std::uint16_t>(m), cls);
}
constexpr std::uint16_t method_of(std::uint16_t type) {
    return static_cast<std::uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) |
                                      ((type & 0x3E00) >> 2));
}
constexpr MessageClass class_of(std::uint16_t type) {
    return static_cast<MessageClass>(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
}

std::string_view method_name(std::uint16_t method);

}  // namespace hallpass::stun
