// The TCP/TLS framer (turn/stream_framer) and ChannelData: a byte stream cut into frames
// gives the same frames, and fails at the same place, however the stream arrives in
// pieces; every frame lies in what was received and is a STUN message or ChannelData.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "stun/message_view.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "turn/channel_data.hpp"
#include "turn/stream_framer.hpp"

using namespace hallpass;

namespace {

struct Framed {
    std::vector<std::vector<std::uint8_t>> frames;
    bool failed = false;
};

// Feeds `stream` to a framer in pieces whose sizes come from `cuts` (cycled; 0 means the
// rest at once), taking every frame as soon as it is whole.
Framed frame(std::span<const std::uint8_t> stream, std::span<const std::uint8_t> cuts) {
    turn::StreamFramer framer;
    Framed out;
    std::size_t at = 0, cut = 0;
    while (at < stream.size() && !out.failed) {
        auto room = framer.writable();
        if (room.empty()) break;
        std::size_t n = cuts.empty() || cuts[cut % cuts.size()] == 0 ? stream.size() - at : cuts[cut % cuts.size()];
        ++cut;
        n = std::min<std::size_t>({n, room.size(), stream.size() - at});
        std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(at), n, room.begin());
        framer.commit(n);
        at += n;
        for (auto f = framer.next(); ; f = framer.next()) {
            if (f.status == turn::StreamFramer::Frame::Status::invalid) {
                out.failed = true;
                break;
            }
            if (f.status == turn::StreamFramer::Frame::Status::need_more) break;
            out.frames.emplace_back(f.bytes.begin(), f.bytes.end());
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t cut_count = std::min<std::size_t>(data[0] % 8, size - 1);
    const std::span<const std::uint8_t> cuts(data + 1, cut_count);
    const std::span<const std::uint8_t> stream(data + 1 + cut_count, size - 1 - cut_count);
    const Framed whole = frame(stream, {});
    const Framed pieces = frame(stream, cuts);
    fuzz::require(whole.failed == pieces.failed, "cutting the stream changed whether it fails");
    fuzz::require(whole.frames == pieces.frames, "cutting the stream changed its frames");
    std::size_t total = 0;
    for (const auto& f : whole.frames) {
        total += f.size();
        fuzz::require(!f.empty(), "an empty frame");
        if (turn::looks_like_channel_data(f[0])) {
            auto cd = turn::parse_channel_data(f);
            fuzz::require(cd.ok(), "a ChannelData frame that does not parse");
            fuzz::require(cd->payload.size() + turn::channel_data_header_size == f.size(),
                          "a ChannelData frame of the wrong length");
        } else {
            fuzz::require(f.size() >= 20 && f.size() % 4 == 0, "a STUN frame of an impossible length");
            (void)stun::MessageView::parse(f);
        }
    }
    fuzz::require(total <= stream.size(), "frames add up to more than the stream");
    return 0;
}
