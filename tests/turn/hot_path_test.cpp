// The packet path allocates nothing (DESIGN.md "The hot path"), on the server and in the
// client's data functions. Counting replacements of the global operator new see every heap
// allocation this test binary makes while `counting` is on.
#include <cstdlib>
#include <new>

#include "tests/turn/turn_harness.hpp"

namespace {
bool counting = false;
std::size_t allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
    if (counting) ++allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace hallpass::turn::testing {
namespace {

// Allocations made while running `f`.
template <class F>
std::size_t allocations_in(F&& f) {
    allocations = 0;
    counting = true;
    f();
    counting = false;
    return allocations;
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
