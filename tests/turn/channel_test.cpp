// ChannelBind (RFC 8656 §12.2) and ChannelData both ways (§12.4, §12.5, §12.6).
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

using TurnChannel = Allocated;

const Bytes payload = {1, 2, 3, 4, 5};  // not a multiple of 4, so padding shows

TEST_F(TurnChannel, BindsChannelAndForwardsChannelDataToPeer) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    std::array<std::uint8_t, 64> buf{};
    const ClientAction a = h.send(TurnClient::channel_data(buf, 0x4000, payload));
    ASSERT_EQ(a.kind, ClientAction::Kind::to_peer);
    EXPECT_EQ(a.peer, peer);
    EXPECT_EQ(a.allocation, h.host.created.back());
    EXPECT_EQ(bytes_of(a.bytes), payload);
}

TEST_F(TurnChannel, FramesPeerDataAsChannelDataUnpaddedOverUdp) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    const PeerAction a = h.from_peer(peer, payload);
    ASSERT_TRUE(a.deliver);
    EXPECT_EQ(a.bytes.size(), 4 + payload.size());
    auto in = TurnClient::parse_incoming(a.bytes);
    ASSERT_TRUE(in);
    EXPECT_EQ(in->channel, 0x4000);
    EXPECT_FALSE(in->peer);
    EXPECT_EQ(bytes_of(in->payload), payload);
}

class TurnChannelOverTcp : public Allocated {
protected:
    TurnChannelOverTcp() : Allocated(over_tcp()) {}
    static HarnessOptions over_tcp() {
        HarnessOptions o;
        o.transport = alloc::Transport::tcp;
        return o;
    }
};

TEST_F(TurnChannelOverTcp, PadsChannelDataToMultipleOf4) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    const PeerAction a = h.from_peer(peer, payload);
    ASSERT_TRUE(a.deliver);
    EXPECT_EQ(a.bytes.size(), 12u);
    auto in = TurnClient::parse_incoming(a.bytes);
    ASSERT_TRUE(in);
    EXPECT_EQ(in->channel, 0x4000);
    EXPECT_EQ(bytes_of(in->payload), payload);
}

TEST_F(TurnChannelOverTcp, AcceptsPaddedChannelDataFromClient) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    std::array<std::uint8_t, 64> buf{};
    const auto framed = TurnClient::channel_data(buf, 0x4000, payload, true);
    EXPECT_EQ(framed.size(), 12u);
    const ClientAction a = h.send(framed);
    ASSERT_EQ(a.kind, ClientAction::Kind::to_peer);
    EXPECT_EQ(bytes_of(a.bytes), payload);
}

TEST_F(TurnChannel, RefusesChannelNumbersOutOfRangeWith400) {
    for (std::uint16_t n : {std::uint16_t{0x0001}, std::uint16_t{0x3FFF}, std::uint16_t{0x8000},
                            std::uint16_t{0xFFFF}}) {
        const ClientResult r = h.bind(alice, n, peer);
        EXPECT_EQ(r.kind, Kind::error) << n;
        EXPECT_EQ(r.code, ErrorCode::bad_request) << n;
    }
    EXPECT_EQ(h.bind(alice, 0x4FFF, peer).kind, Kind::success);
}

// turn/channel_data.hpp keeps RFC 5766's range (0x4000-0x7FFF) for older clients, although
// RFC 8656 §12 reserves 0x5000-0x7FFF.
TEST_F(TurnChannel, AcceptsRfc5766ChannelNumbersAbove0x4FFF) {
    EXPECT_EQ(h.bind(alice, 0x5000, peer).kind, Kind::success);
    EXPECT_EQ(h.bind(alice, 0x7FFF, at("198.52.100.8:4000")).kind, Kind::success);
}

TEST_F(TurnChannel, RefusesBoundChannelForAnotherPeerWith400) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    EXPECT_EQ(h.bind(alice, 0x4000, at("198.52.100.8:4000")).code, ErrorCode::bad_request);
}

TEST_F(TurnChannel, RefusesBoundPeerOnAnotherChannelWith400) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    EXPECT_EQ(h.bind(alice, 0x4001, peer).code, ErrorCode::bad_request);
}

TEST_F(TurnChannel, RefusesDeniedPeerWith403) {
    EXPECT_EQ(h.bind(alice, 0x4000, at("10.1.2.3:5000")).code, ErrorCode::forbidden);
}

TEST_F(TurnChannel, RebindingSamePairRefreshesBinding) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    h.advance(seconds(500));
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    h.advance(seconds(200));  // 700 s after the first bind, 200 s after the second
    std::array<std::uint8_t, 64> buf{};
    EXPECT_EQ(h.send(TurnClient::channel_data(buf, 0x4000, payload)).kind,
              ClientAction::Kind::to_peer);
}

TEST_F(TurnChannel, BindingExpiresAfter600SecondsWithoutRebind) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    ASSERT_EQ(h.refresh(alice, 3600).kind, Kind::success);
    h.advance(seconds(500));
    // Keep the permission alive, so that only the binding runs out.
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    h.advance(seconds(101));
    std::array<std::uint8_t, 64> buf{};
    EXPECT_EQ(h.send(TurnClient::channel_data(buf, 0x4000, payload)).kind,
              ClientAction::Kind::drop);
}

TEST_F(TurnChannel, DropsChannelDataOnUnboundChannel) {
    std::array<std::uint8_t, 64> buf{};
    EXPECT_EQ(h.send(TurnClient::channel_data(buf, 0x4000, payload)).kind,
              ClientAction::Kind::drop);
}

TEST_F(TurnChannel, ChannelBindAlsoInstallsPermission) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    const ClientAction a = h.send(alice.send_indication(h.out, peer, payload));
    EXPECT_EQ(a.kind, ClientAction::Kind::to_peer);
}

}  // namespace
}  // namespace hallpass::turn::testing
