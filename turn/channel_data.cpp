#include "turn/channel_data.hpp"

#include "stun/byte_order.hpp"

namespace hallpass::turn {

Result<ChannelDataView> parse_channel_data(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < channel_data_header_size)
        return ParseError{"ChannelData", "shorter than its header"};
    const std::uint16_t channel = stun::read_u16(bytes.data());
    if (!valid_channel(channel)) return ParseError{"ChannelData", "channel number out of range"};
    const std::size_t length = stun::read_u16(bytes.data() + 2);
    if (length > bytes.size() - channel_data_header_size)
        return ParseError{"ChannelData", "length runs past the end"};
    return ChannelDataView{channel, bytes.subspan(channel_data_header_size, length)};
}

void write_channel_data_header(std::uint8_t* at, std::uint16_t channel, std::uint16_t length) {
    stun::write_u16(at, channel);
    stun::write_u16(at + 2, length);
}

}  // namespace hallpass::turn
