// Refresh (RFC 8656 §8): extending an allocation, ending it with LIFETIME 0, and who may.
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

using TurnRefresh = Allocated;

TEST_F(TurnRefresh, ExtendsAllocationPastItsFirstLifetime) {
    const ClientResult r = h.refresh(alice, 1200);
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.lifetime, 1200u);
    h.advance(seconds(900));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.server.allocation_count(), 1u);
    h.advance(seconds(301));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.server.allocation_count(), 0u);
}

TEST_F(TurnRefresh, CapsLifetimeAtMaximum) {
    EXPECT_EQ(h.refresh(alice, 100000).lifetime, 3600u);
}

TEST_F(TurnRefresh, RaisesShortLifetimeToDefault) {
    // §8.2: the desired lifetime is computed as for Allocate: never below the default.
    EXPECT_EQ(h.refresh(alice, 30).lifetime, 600u);
}

TEST_F(TurnRefresh, WithoutLifetimeGrantsDefault) {
    EXPECT_EQ(h.refresh(alice, std::nullopt).lifetime, 600u);
}

TEST_F(TurnRefresh, LifetimeZeroDeletesAllocationAndReleasesEverything) {
    const ClientResult r = h.refresh(alice, 0);
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.lifetime, 0u);
    EXPECT_EQ(h.server.allocation_count(), 0u);
    ASSERT_EQ(h.host.ended.size(), 1u);
    EXPECT_EQ(h.host.ended[0].why, EndReason::refreshed_to_zero);
    EXPECT_EQ(h.host.ended[0].username, "alice");
    ASSERT_EQ(h.host.closed.size(), 1u);
    EXPECT_EQ(h.host.closed[0], relayed);
    EXPECT_FALSE(h.host.book.pool().is_in_use(relayed));
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
    // The 5-tuple is free again.
    EXPECT_EQ(h.allocate(alice).kind, Kind::success);
}

TEST_F(TurnRefresh, RefusesAnotherUsernameWith441) {
    TurnClient bob("bob", "bob-pw", 2);
    h.challenge(bob);  // bob learns a nonce for this 5-tuple, as a real client would
    const ClientResult r = h.refresh(bob, 600);
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::wrong_credentials);
    EXPECT_EQ(h.server.allocation_count(), 1u);
}

TEST(TurnRefreshAlone, RefusesRefreshWithoutAllocationWith437) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    h.challenge(c);
    const ClientResult r = h.refresh(c, 600);
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::allocation_mismatch);
}

TEST(TurnRefreshAlone, AnswersAnUnsignedRefreshWithABare400) {
    // No real client sends one (a Refresh comes after an Allocate, credentials in hand), and
    // a 401 would be several times its size: see amplification_test.cpp.
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    const ClientResult r = h.exchange(c, c.refresh_request(h.out, 600), h.tuple);
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::bad_request);
    EXPECT_TRUE(c.nonce().empty());
}

}  // namespace
}  // namespace hallpass::turn::testing

namespace hallpass::turn::testing {
namespace {

TEST(TurnRefreshShorter, ALowerLifetimeEndsTheAllocationSooner) {
    Harness h;
    TurnClient alice("alice", "alice-pw", 1);
    AllocateOptions o;
    o.lifetime = 3600;
    ASSERT_EQ(h.allocate(alice, o).lifetime, 3600u);
    ASSERT_EQ(h.refresh(alice, 700).lifetime, 700u);
    h.advance(seconds(699));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.server.allocation_count(), 1u);
    h.advance(seconds(2));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.server.allocation_count(), 0u);
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
}

}  // namespace
}  // namespace hallpass::turn::testing
