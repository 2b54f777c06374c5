// How allocations end besides Refresh: their lifetime runs out (RFC 8656 §7), their stream
// closes (§3.1), or the worker shuts down.
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using TurnExpiry = Allocated;

TEST_F(TurnExpiry, TickBeforeLifetimeEndsKeepsAllocation) {
    h.advance(seconds(599));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.server.allocation_count(), 1u);
    EXPECT_TRUE(h.host.ended.empty());
}

TEST_F(TurnExpiry, TickAfterLifetimeEndsAllocationAsExpired) {
    h.advance(seconds(601));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.server.allocation_count(), 0u);
    ASSERT_EQ(h.host.ended.size(), 1u);
    EXPECT_EQ(h.host.ended[0].why, EndReason::expired);
    EXPECT_EQ(h.host.ended[0].username, "alice");
    EXPECT_FALSE(h.host.book.pool().is_in_use(relayed));
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
    // A late packet on the old relay socket finds nothing.
    std::array<std::uint8_t, 4> data{1, 2, 3, 4};
    EXPECT_FALSE(h.from_peer(peer, data).deliver);
}

TEST_F(TurnExpiry, ConnectionCloseEndsAllocation) {
    h.server.on_connection_closed(h.tuple, h.now);
    EXPECT_EQ(h.server.allocation_count(), 0u);
    ASSERT_EQ(h.host.ended.size(), 1u);
    EXPECT_EQ(h.host.ended[0].why, EndReason::connection_closed);
    EXPECT_FALSE(h.host.book.pool().is_in_use(relayed));
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
}

TEST_F(TurnExpiry, ConnectionCloseOfAnotherTupleLeavesAllocation) {
    h.server.on_connection_closed(h.other_tuple(1), h.now);
    EXPECT_EQ(h.server.allocation_count(), 1u);
}

TEST_F(TurnExpiry, EndAllEndsEveryAllocationAsShutdown) {
    TurnClient bob("bob", "bob-pw", 2);
    ASSERT_EQ(h.allocate(bob, h.other_tuple(1001)).kind, Kind::success);
    h.server.end_all(h.now);
    EXPECT_EQ(h.server.allocation_count(), 0u);
    ASSERT_EQ(h.host.ended.size(), 2u);
    EXPECT_EQ(h.host.ended[1].why, EndReason::shutdown);
    EXPECT_EQ(h.host.book.pool().in_use(), 0u);
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
}

}  // namespace
}  // namespace hallpass::turn::testing
