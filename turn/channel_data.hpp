// ChannelData framing (RFC 8656 §12.4): a 4-byte header in place of a STUN message.
//
//   0                   1                   2                   3
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         Channel Number        |            Length             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       Application Data                        |
#pragma once

#include <cstdint>
#include <span>

#include "stun/result.hpp"

namespace hallpass::turn {

// RFC 8656 §12 narrowed channel numbers to 0x4000-0x4FFF and reserved 0x5000-0x7FFF, but
// RFC 5766 allowed 0x4000-0x7FFF and clients written to it still use the whole range
// (coturn's turnutils_uclient draws from it). Accepting it costs nothing: both ranges carry
// the 01 prefix that tells ChannelData from STUN.
inline constexpr std::uint16_t min_channel = 0x4000;
inline constexpr std::uint16_t max_channel = 0x7FFF;
inline constexpr std::size_t channel_data_header_size = 4;

constexpr bool valid_channel(std::uint16_t n) { return n >= min_channel && n <= max_channel; }
// The first two bits 01 mark ChannelData; 00 is STUN (RFC 8656 §12).
constexpr bool looks_like_channel_data(std::uint8_t first_byte) { return (first_byte & 0xC0) == 0x40; }

struct ChannelDataView {
    std::uint16_t channel = 0;
    std::span<const std::uint8_t> payload;
};

// Over UDP the datagram may carry padding after the payload; it is ignored (§12.5).
Result<ChannelDataView> parse_channel_data(std::span<const std::uint8_t> bytes);

void write_channel_data_header(std::uint8_t* at, std::uint16_t channel, std::uint16_t length);

}  // namespace hallpass::turn
