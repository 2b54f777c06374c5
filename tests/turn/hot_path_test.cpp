// The packet path allocates nothing (DESIGN.md "The hot path"), on the server and in the
// client's data functions: every heap allocation this test binary makes while it counts is
// seen (tests/support/allocation_counter.hpp).
#include "tests/support/allocation_counter.hpp"
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

// Heap allocations made while running `f`.
template <class F>
std::size_t allocations_in(F&& f) {
    return hallpass::testing::allocations_in(std::forward<F>(f)).heap;
}

using TurnHotPath = Allocated;

TEST_F(TurnHotPath, RelaysChannelDataBothWaysWithoutAllocating) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    const Bytes payload(160, 0x55);
    std::array<std::uint8_t, 256> buf{};
    const std::size_t n = allocations_in([&] {
        for (int i = 0; i < 100; ++i) {
            const auto framed = TurnClient::channel_data(buf, 0x4000, payload);
            if (h.send(framed).kind != ClientAction::Kind::to_peer) std::abort();
            const PeerAction a = h.from_peer(peer, payload);
            if (!a.deliver || !TurnClient::parse_incoming(a.bytes)) std::abort();
        }
    });
    EXPECT_EQ(n, 0u);
}

TEST_F(TurnHotPath, RelaysSendAndDataIndicationsWithoutAllocating) {
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    const Bytes payload(160, 0x55);
    std::array<std::uint8_t, 256> buf{};
    const std::size_t n = allocations_in([&] {
        for (int i = 0; i < 100; ++i) {
            if (h.send(alice.send_indication(buf, peer, payload)).kind !=
                ClientAction::Kind::to_peer)
                std::abort();
            const PeerAction a = h.from_peer(peer, payload);
            if (!a.deliver || !TurnClient::parse_incoming(a.bytes)) std::abort();
        }
    });
    EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace hallpass::turn::testing
