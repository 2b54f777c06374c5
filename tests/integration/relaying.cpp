#include "tests/integration/relaying.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <vector>

namespace hallpass::testing {

Relaying relaying(std::unique_ptr<TurnSession> s, UdpEndpoint& peer) {
    auto r = s->allocate();
    EXPECT_EQ(r.kind, turn::ClientResult::Kind::success);
    EXPECT_EQ(s->channel_bind(0x4000, peer.address()).kind, turn::ClientResult::Kind::success);
    return {std::move(s), r.relayed.value_or(TransportAddress{})};
}

bool round_trip(Relaying& r, UdpEndpoint& peer, std::uint32_t n) {
    std::vector<std::uint8_t> up(100, 0x55), down(100, 0xAA);
    std::memcpy(up.data(), &n, sizeof n);
    std::memcpy(down.data(), &n, sizeof n);
    r.session->send_channel_data(0x4000, up);
    auto at_peer = peer.receive(std::chrono::milliseconds(1000));
    if (!at_peer || at_peer->bytes != up) return false;
    peer.send_to(down, r.relayed);
    turn::IncomingData meta;
    auto at_client = r.session->receive_data(meta);
    return at_client && *at_client == down;
}

}  // namespace hallpass::testing
