// Stream framing over TCP/TLS (RFC 8656 §12.5): STUN and padded ChannelData back to back,
// arriving split in any way, come out as the same frames.
#include "turn/stream_framer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "stun/attributes.hpp"
#include "stun/byte_order.hpp"
#include "stun/message_builder.hpp"
#include "turn/channel_data.hpp"

namespace hallpass::turn {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Status = StreamFramer::Frame::Status;

Bytes stun_request(std::uint8_t id, std::size_t extra_attribute = 0) {
    Bytes buf(StreamFramer::capacity);
    stun::MessageBuilder b(buf, stun::Method::allocate, stun::MessageClass::request,
                           stun::TransactionId{id, 2, 3});
    b.add(stun::RequestedTransport{}).add(stun::Lifetime{600});
    if (extra_attribute > 0) {
        auto value = b.append(std::uint16_t{0x8050}, extra_attribute);  // comprehension-optional
        std::fill(value.begin(), value.end(), id);
    }
    EXPECT_TRUE(b.ok());
    return {b.bytes().begin(), b.bytes().end()};
}

// The largest STUN message a stream can carry: a body of 65532 bytes.
Bytes maximal_stun() {
    Bytes buf(StreamFramer::capacity);
    stun::MessageBuilder b(buf, stun::Method::binding, stun::MessageClass::request,
                           stun::TransactionId{9});
    auto value = b.append(std::uint16_t{0x8050}, 65532 - 4);
    std::fill(value.begin(), value.end(), 0x11);
    EXPECT_TRUE(b.ok());
    EXPECT_EQ(b.bytes().size(), StreamFramer::max_stun_frame);
    return {b.bytes().begin(), b.bytes().end()};
}

Bytes channel_data(std::uint16_t channel, std::size_t length) {
    Bytes m(4 + length);
    write_channel_data_header(m.data(), channel, static_cast<std::uint16_t>(length));
    for (std::size_t i = 0; i < length; ++i) m[4 + i] = static_cast<std::uint8_t>(i * 7 + 1);
    return m;
}

// A stream of `messages`, ChannelData padded to a multiple of 4 with junk (the padding's
// value is not specified, so the framer must not look at it).
Bytes stream_of(const std::vector<Bytes>& messages) {
    Bytes s;
    for (const Bytes& m : messages) {
        s.insert(s.end(), m.begin(), m.end());
        if (looks_like_channel_data(m[0]))
            while (s.size() % 4 != 0) s.push_back(0xEE);
    }
    return s;
}

struct Outcome {
    std::vector<Bytes> frames;
    Status last = Status::need_more;
    ParseError error{};
    std::size_t left = 0;  // buffered() at the end
};

// Feeds `stream` in chunks of the given sizes (the last chunk takes the rest), taking
// every frame after each commit, as a listener's read loop does.
Outcome feed(StreamFramer& framer, const Bytes& stream, const std::vector<std::size_t>& chunks) {
    Outcome out;
    std::size_t at = 0;
    std::size_t chunk = 0;
    while (at < stream.size()) {
        std::size_t want = chunk < chunks.size() ? chunks[chunk++] : stream.size() - at;
        want = std::min(want, stream.size() - at);
        while (want > 0) {
            const auto room = framer.writable();
            if (room.empty()) {
                ADD_FAILURE() << "writable() is empty with no whole frame pending";
                return out;
            }
            const std::size_t n = std::min(want, room.size());
            std::memcpy(room.data(), stream.data() + at, n);
            framer.commit(n);
            at += n;
            want -= n;
            for (;;) {
                const auto f = framer.next();
                out.last = f.status;
                out.error = f.error;
                if (f.status != Status::message) break;
                out.frames.emplace_back(f.bytes.begin(), f.bytes.end());
            }
            if (out.last == Status::invalid) {
                out.left = framer.buffered();
                return out;
            }
        }
    }
    out.left = framer.buffered();
    return out;
}

Outcome feed(const Bytes& stream, const std::vector<std::size_t>& chunks) {
    StreamFramer framer;
    return feed(framer, stream, chunks);
}

void expect_frames(const Outcome& got, const std::vector<Bytes>& want, const char* how) {
    ASSERT_EQ(got.last, Status::need_more) << how << ": " << got.error.to_string();
    ASSERT_EQ(got.frames.size(), want.size()) << how;
    for (std::size_t i = 0; i < want.size(); ++i)
        ASSERT_TRUE(got.frames[i] == want[i]) << how << ": frame " << i << " differs";
    EXPECT_EQ(got.left, 0u) << how;
}

// STUN requests and ChannelData of every padding (lengths 0..5), channels at both ends of
// the accepted range.
std::vector<Bytes> small_messages() {
    return {stun_request(1),           channel_data(0x4000, 0), channel_data(0x4001, 1),
            channel_data(0x4FFF, 2),   stun_request(2, 5),      channel_data(0x5000, 3),
            channel_data(0x7FFF, 4),   channel_data(0x4123, 5), stun_request(3, 1),
            channel_data(0x4000, 160), stun_request(4)};
}

TEST(StreamFramer, FramesSmallMessagesAtEveryTwoWaySplit) {
    const auto messages = small_messages();
    const Bytes stream = stream_of(messages);
    for (std::size_t split = 0; split <= stream.size(); ++split)
        expect_frames(feed(stream, {split}), messages,
                      ("split at " + std::to_string(split)).c_str());
}

TEST(StreamFramer, FramesSmallMessagesAtEveryThreeWaySplit) {
    const auto messages = small_messages();
    const Bytes stream = stream_of(messages);
    for (std::size_t a = 0; a <= stream.size(); a += 3)
        for (std::size_t b = 0; a + b <= stream.size(); ++b)
            expect_frames(feed(stream, {a, b}), messages,
                          ("split at " + std::to_string(a) + "+" + std::to_string(b)).c_str());
}

std::vector<Bytes> all_messages() {
    auto messages = small_messages();
    messages.insert(messages.begin() + 3, channel_data(0x4002, 65535));  // padded by 1
    messages.insert(messages.begin() + 6, maximal_stun());
    messages.push_back(channel_data(0x7FFE, 65535));
    return messages;
}

TEST(StreamFramer, FramesMaximalMessagesAtSplitsAroundEveryBoundary) {
    const auto messages = all_messages();
    const Bytes stream = stream_of(messages);
    // Every 2-way split of a 200 KB stream would re-frame it 200,000 times; instead every
    // split within 40 bytes of each frame boundary (headers, padding, the next header),
    // plus a split every 251 bytes anywhere.
    std::vector<std::size_t> splits;
    std::size_t boundary = 0;
    for (const Bytes& m : messages) {
        for (std::size_t d = 0; d <= 80; ++d)
            if (boundary + d >= 40 && boundary + d - 40 <= stream.size())
                splits.push_back(boundary + d - 40);
        boundary += (m.size() + (looks_like_channel_data(m[0]) ? 3 : 0)) & ~std::size_t{3};
    }
    ASSERT_EQ(boundary, stream.size());
    for (std::size_t s = 0; s <= stream.size(); s += 251) splits.push_back(s);
    for (std::size_t split : splits)
        expect_frames(feed(stream, {split}), messages,
                      ("split at " + std::to_string(split)).c_str());
}

TEST(StreamFramer, FramesEveryMessageByteByByte) {
    const auto messages = all_messages();
    const Bytes stream = stream_of(messages);
    expect_frames(feed(stream, std::vector<std::size_t>(stream.size(), 1)), messages,
                  "byte by byte");
}

TEST(StreamFramer, FramesEveryMessageInRandomChunks) {
    const auto messages = all_messages();
    const Bytes stream = stream_of(messages);
    std::mt19937 rng(20240901);
    for (int round = 0; round < 200; ++round) {
        // Mostly small reads, sometimes reads bigger than any frame.
        std::uniform_int_distribution<std::size_t> size(1, round % 4 == 0 ? 140000 : 3000);
        std::vector<std::size_t> chunks;
        for (std::size_t total = 0; total < stream.size(); total += chunks.back())
            chunks.push_back(size(rng));
        expect_frames(feed(stream, chunks), messages,
                      ("random round " + std::to_string(round)).c_str());
    }
}

TEST(StreamFramer, FramesSeveralMessagesFromOneRead) {
    const auto messages = small_messages();
    const Bytes stream = stream_of(messages);
    StreamFramer framer;
    auto room = framer.writable();
    ASSERT_GE(room.size(), stream.size());
    std::memcpy(room.data(), stream.data(), stream.size());
    framer.commit(stream.size());
    EXPECT_EQ(framer.buffered(), stream.size());
    for (const Bytes& m : messages) {
        const auto f = framer.next();
        ASSERT_EQ(f.status, Status::message);
        EXPECT_TRUE(Bytes(f.bytes.begin(), f.bytes.end()) == m);
    }
    EXPECT_EQ(framer.next().status, Status::need_more);
    EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramer, ReturnsChannelDataWithoutItsPadding) {
    const Bytes stream = stream_of({channel_data(0x4000, 5), channel_data(0x4001, 0)});
    ASSERT_EQ(stream.size(), 12u + 4u);
    const Outcome got = feed(stream, {});
    ASSERT_EQ(got.frames.size(), 2u);
    EXPECT_EQ(got.frames[0].size(), 9u);
    EXPECT_EQ(stun::read_u16(got.frames[0].data()), 0x4000);
    EXPECT_EQ(got.frames[1].size(), 4u);
    auto view = parse_channel_data(got.frames[0]);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->payload.size(), 5u);
}

TEST(StreamFramer, WaitsForChannelDataPadding) {
    const Bytes stream = stream_of({channel_data(0x4000, 5)});  // 9 bytes + 3 of padding
    StreamFramer framer;
    auto room = framer.writable();
    std::memcpy(room.data(), stream.data(), 9);
    framer.commit(9);
    EXPECT_EQ(framer.next().status, Status::need_more);
    room = framer.writable();
    std::memcpy(room.data(), stream.data() + 9, 2);
    framer.commit(2);
    EXPECT_EQ(framer.next().status, Status::need_more);
    room = framer.writable();
    room[0] = stream[11];
    framer.commit(1);
    const auto f = framer.next();
    ASSERT_EQ(f.status, Status::message);
    EXPECT_EQ(f.bytes.size(), 9u);
    EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramer, HoldsAMaximalFrameInOneBuffer) {
    for (const Bytes& m : {maximal_stun(), channel_data(0x4000, 65535)}) {
        const Bytes stream = stream_of({m});
        StreamFramer framer;
        auto room = framer.writable();
        ASSERT_EQ(room.size(), StreamFramer::capacity);
        ASSERT_LE(stream.size(), room.size());
        std::memcpy(room.data(), stream.data(), stream.size());
        framer.commit(stream.size());
        const auto f = framer.next();
        ASSERT_EQ(f.status, Status::message);
        EXPECT_TRUE(Bytes(f.bytes.begin(), f.bytes.end()) == m);
        EXPECT_EQ(framer.writable().size(), StreamFramer::capacity);
    }
}

TEST(StreamFramer, WritableIsEmptyOnlyWhileAWholeFrameFillsTheBuffer) {
    const Bytes m = maximal_stun();
    ASSERT_EQ(m.size(), StreamFramer::capacity);
    StreamFramer framer;
    // Part of a small frame first, so the maximal one starts away from the front.
    const Bytes small = stun_request(1);
    auto room = framer.writable();
    std::memcpy(room.data(), small.data(), small.size());
    std::memcpy(room.data() + small.size(), m.data(), 100);
    framer.commit(small.size() + 100);
    ASSERT_EQ(framer.next().status, Status::message);
    ASSERT_EQ(framer.next().status, Status::need_more);
    // The 100 bytes left move to the front, leaving room for the rest of the frame.
    room = framer.writable();
    ASSERT_EQ(room.size(), StreamFramer::capacity - 100);
    std::memcpy(room.data(), m.data() + 100, m.size() - 100);
    framer.commit(m.size() - 100);
    EXPECT_TRUE(framer.writable().empty());
    const auto f = framer.next();
    ASSERT_EQ(f.status, Status::message);
    EXPECT_TRUE(Bytes(f.bytes.begin(), f.bytes.end()) == m);
    EXPECT_EQ(framer.writable().size(), StreamFramer::capacity);
}

TEST(StreamFramer, ClampsCommitToTheRoomGiven) {
    StreamFramer framer;
    const std::size_t room = framer.writable().size();
    framer.commit(room + 10);
    EXPECT_EQ(framer.buffered(), room);
}

void expect_invalid(const Bytes& stream, std::string_view reason) {
    // However the bytes arrive, the stream fails with the same reason.
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        const Outcome got = feed(stream, {split});
        ASSERT_EQ(got.last, Status::invalid) << "split at " << split;
        EXPECT_EQ(got.error.place, "stream");
        EXPECT_EQ(got.error.reason, reason) << "split at " << split;
    }
}

constexpr std::string_view not_stun_or_channel_data =
    "first two bits are neither STUN (00) nor ChannelData (01)";

TEST(StreamFramer, RejectsFirstBitsTenOrEleven) {
    for (const std::uint8_t first : Bytes{0x80, 0xBF, 0xC0, 0xFF, 0x96}) {
        StreamFramer framer;
        framer.writable()[0] = first;
        framer.commit(1);  // one byte is enough to know
        const auto f = framer.next();
        ASSERT_EQ(f.status, Status::invalid) << int{first};
        EXPECT_EQ(f.error.place, "stream");
        EXPECT_EQ(f.error.reason, not_stun_or_channel_data);
    }
}

TEST(StreamFramer, AcceptsEveryChannelDataPrefix) {
    for (unsigned first = 0x40; first <= 0x7F; ++first) {
        const Bytes stream =
            stream_of({channel_data(static_cast<std::uint16_t>(first << 8 | 0x21), 3)});
        const Outcome got = feed(stream, {});
        EXPECT_EQ(got.frames.size(), 1u) << first;
        EXPECT_EQ(got.last, Status::need_more) << first;
    }
}

TEST(StreamFramer, RejectsAnInvalidFrameAfterValidOnes) {
    auto messages = small_messages();
    Bytes stream = stream_of(messages);
    stream.push_back(0x80);
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        const Outcome got = feed(stream, {split});
        ASSERT_EQ(got.last, Status::invalid);
        EXPECT_EQ(got.error.reason, not_stun_or_channel_data);
        ASSERT_EQ(got.frames.size(), messages.size()) << "split at " << split;
    }
}

TEST(StreamFramer, RejectsStunLengthNotAMultipleOf4) {
    Bytes m = stun_request(1);
    stun::write_u16(m.data() + 2, static_cast<std::uint16_t>(m.size() - 20 + 2));
    m.push_back(0);
    m.push_back(0);
    expect_invalid(m, "STUN length is not a multiple of 4");

    // Known from the first 4 bytes, before the cookie is there.
    StreamFramer framer;
    std::memcpy(framer.writable().data(), m.data(), 4);
    framer.commit(4);
    EXPECT_EQ(framer.next().status, Status::invalid);
}

TEST(StreamFramer, RejectsStunWithoutMagicCookie) {
    Bytes m = stun_request(1);
    m[5] ^= 0x01;
    expect_invalid(m, "STUN header without the magic cookie");

    // Known as soon as 8 bytes are there, long before the body.
    StreamFramer framer;
    std::memcpy(framer.writable().data(), m.data(), 7);
    framer.commit(7);
    EXPECT_EQ(framer.next().status, Status::need_more);
    framer.writable()[0] = m[7];
    framer.commit(1);
    EXPECT_EQ(framer.next().status, Status::invalid);
}

TEST(StreamFramer, StaysInvalidOnceInvalid) {
    StreamFramer framer;
    framer.writable()[0] = 0xC0;
    framer.commit(1);
    const auto first = framer.next();
    ASSERT_EQ(first.status, Status::invalid);
    EXPECT_TRUE(framer.failed());

    // A perfectly good message afterwards does not bring it back.
    const Bytes good = stun_request(1);
    const auto room = framer.writable();
    ASSERT_FALSE(room.empty());
    std::memcpy(room.data(), good.data(), good.size());
    framer.commit(good.size());
    for (int i = 0; i < 3; ++i) {
        const auto f = framer.next();
        EXPECT_EQ(f.status, Status::invalid);
        EXPECT_EQ(f.error.reason, first.error.reason);
        EXPECT_TRUE(f.bytes.empty());
    }
}

TEST(StreamFramer, NeedsMoreOnAnEmptyBuffer) {
    StreamFramer framer;
    EXPECT_EQ(framer.next().status, Status::need_more);
    EXPECT_EQ(framer.buffered(), 0u);
    EXPECT_EQ(framer.writable().size(), StreamFramer::capacity);
}

TEST(StreamFramer, SkipsAPrefixThroughPendingAndConsume) {
    // What a listener does with a PROXY protocol header before the framed stream.
    const std::string_view header = "PROXY UNKNOWN\r\n";
    const Bytes m = stun_request(1);
    StreamFramer framer;
    auto room = framer.writable();
    std::memcpy(room.data(), header.data(), header.size());
    std::memcpy(room.data() + header.size(), m.data(), m.size());
    framer.commit(header.size() + m.size());
    ASSERT_EQ(framer.pending().size(), header.size() + m.size());
    EXPECT_EQ(framer.pending()[0], 'P');
    framer.consume(header.size());
    EXPECT_EQ(framer.buffered(), m.size());
    const auto f = framer.next();
    ASSERT_EQ(f.status, Status::message);
    EXPECT_TRUE(Bytes(f.bytes.begin(), f.bytes.end()) == m);
    framer.consume(100);  // clamped to what is there
    EXPECT_EQ(framer.buffered(), 0u);
}

}  // namespace
}  // namespace hallpass::turn
