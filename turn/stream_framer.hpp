// StreamFramer: cuts a TCP/TLS byte stream into STUN messages and ChannelData messages
// (RFC 8656 §12.5). Pure: no sockets, no clocks. Its buffer is allocated once, at the first
// writable() — when bytes are about to arrive — so a connection that never sends anything
// costs no framing memory.
//
// On a stream, frames follow each other with nothing between them. The first two bits of
// each frame say which kind it is (RFC 8656 §12):
//
//   00  STUN message:  | type (14 bits) | length (16) | magic cookie (32) | txid (96) | body
//       total = 20 + length; length is a multiple of 4 (RFC 8489 §5)
//   01  ChannelData:   | channel (16) | length (16) | data | padding to a multiple of 4
//       total = 4 + length + padding. "Over TCP and TLS-over-TCP, the ChannelData message
//       MUST be padded to a multiple of four bytes" (RFC 8656 §12.5); browsers do pad.
//   10, 11  neither: the stream cannot be resynchronised and the connection is closed.
//
// Channel numbers 0x4000-0x7FFF are all framed (RFC 5766's range; turn/channel_data.hpp).
//
// Use:
//   auto room = framer.writable();  // read(socket, room) -> n
//   framer.commit(n);
//   for (auto f = framer.next(); f.status == Frame::Status::message; f = framer.next())
//       handle(f.bytes);            // valid until the next next()/writable()/commit()
//   // f.status == invalid: close the connection (f.error says why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "stun/result.hpp"

namespace hallpass::turn {

class StreamFramer {
public:
    // Largest frame: a STUN message with a 65532-byte body (20 + 65532 = 65552), or
    // ChannelData with 65535 bytes of data (4 + 65535 + 1 byte of padding = 65540).
    static constexpr std::size_t max_stun_frame = 20 + 65532;
    static constexpr std::size_t max_channel_data_frame = 4 + 65535 + 1;
    static constexpr std::size_t capacity = max_stun_frame;  // 65536 + 16
    static_assert(capacity >= max_channel_data_frame);

    StreamFramer() = default;

    // Where the next read should land. Never empty unless a whole frame is already buffered
    // and next() has not taken it yet. Moves a partial frame to the front of the buffer
    // when needed, so the span may start where the previous one did not.
    std::span<std::uint8_t> writable();
    // n bytes were written into writable() (n larger than its size is clamped).
    void commit(std::size_t n);

    struct Frame {
        enum class Status { message, need_more, invalid } status = Status::need_more;
        // message: the STUN message or ChannelData WITHOUT stream padding.
        std::span<const std::uint8_t> bytes;
        // invalid: why, e.g. {"stream", "STUN length is not a multiple of 4"}.
        ParseError error{};
    };
    // The next complete frame, consumed along with its padding. Once invalid, always
    // invalid (with the same error): the stream has lost its framing.
    Frame next();

    // Bytes received and not yet returned by next().
    std::size_t buffered() const { return end_ - start_; }
    bool failed() const { return failed_; }

    // The bytes received and not yet returned by next(), and a way to drop some of them.
    // For what comes before the framed part of a stream (a PROXY protocol header, see
    // relay/proxy_protocol.hpp): parse it from pending(), then consume(header.length).
    std::span<const std::uint8_t> pending() const;
    void consume(std::size_t n);

private:
    Frame fail(ParseError error);

    std::vector<std::uint8_t> buffer_;  // sized once, at the first writable()
    std::size_t start_ = 0;             // first byte not yet returned by next()
    std::size_t end_ = 0;               // one past the last byte received
    bool failed_ = false;
    ParseError error_{};
};

}  // namespace hallpass::turn
