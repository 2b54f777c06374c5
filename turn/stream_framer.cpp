#include "turn/stream_framer.hpp"

#include <algorithm>
#include <cstring>

#include "stun/byte_order.hpp"
#include "stun/message_type.hpp"
#include "turn/channel_data.hpp"

namespace hallpass::turn {

std::span<std::uint8_t> StreamFramer::writable() {
    if (buffer_.empty()) buffer_.resize(capacity);
    if (failed_) {
        // Nothing more will be framed; keep the promise of a non-empty span anyway.
        start_ = end_ = 0;
    } else if (start_ == end_) {
        start_ = end_ = 0;
    } else if (start_ > 0) {
        // Only a partial frame (or frames not yet taken) is left: move it to the front so the
        // largest frame always fits. After this start_ stays 0 until next() consumes, so a
        // large frame arriving in pieces is moved at most once.
        std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
    }
    return std::span<std::uint8_t>(buffer_).subspan(end_);
}

void StreamFramer::commit(std::size_t n) {
    end_ += std::min(n, buffer_.size() - end_);
}

std::span<const std::uint8_t> StreamFramer::pending() const {
    return std::span<const std::uint8_t>(buffer_).subspan(start_, end_ - start_);
}

void StreamFramer::consume(std::size_t n) {
    start_ += std::min(n, end_ - start_);
}

StreamFramer::Frame StreamFramer::fail(ParseError error) {
    failed_ = true;
    error_ = error;
    return Frame{Frame::Status::invalid, {}, error};
}

StreamFramer::Frame StreamFramer::next() {
    if (failed_) return Frame{Frame::Status::invalid, {}, error_};
    const std::size_t available = end_ - start_;
    if (available == 0) return Frame{};
    const std::uint8_t* p = buffer_.data() + start_;

    // RFC 8656 §12: 00 is STUN, 01 is ChannelData, 10 and 11 are neither.
    if ((p[0] & 0xC0) != 0x00 && !looks_like_channel_data(p[0]))
        return fail({"stream", "first two bits are neither STUN (00) nor ChannelData (01)"});
    if (available < 4) return Frame{};
    const std::size_t length = stun::read_u16(p + 2);

    std::size_t frame = 0;  // the bytes returned
    std::size_t total = 0;  // the bytes consumed, padding included
    if (looks_like_channel_data(p[0])) {
        frame = channel_data_header_size + length;
        total = channel_data_header_size + ((length + 3) & ~std::size_t{3});
    } else {
        // RFC 8489 §5: "the message length MUST contain the size of the message in bytes,
        // not including the 20-byte STUN header. [...] the last 2 bits of this field are
        // always zero." Checked now: a wrong length would swallow the rest of the stream.
        if (length % 4 != 0) return fail({"stream", "STUN length is not a multiple of 4"});
        if (available < 8) return Frame{};
        if (stun::read_u32(p + 4) != stun::magic_cookie)
            return fail({"stream", "STUN header without the magic cookie"});
        frame = total = stun::header_size + length;
    }
    if (available < total) return Frame{};
    start_ += total;
    return Frame{Frame::Status::message, std::span<const std::uint8_t>(p, frame), {}};
}

}  // namespace hallpass::turn
