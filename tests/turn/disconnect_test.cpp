// An operator's disconnect (the admin API): the allocations end at once, their relay
// addresses go back to the pool, and the client's next request gets 437.
#include "tests/turn/turn_harness.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

TEST(TurnDisconnect, AUsersAllocationsEndAndTheirAddressesComeBack) {
    Harness h;
    TurnClient first("alice", "alice-pw", 1), second("alice", "alice-pw", 2), bob("bob", "bob-pw", 3);
    ASSERT_EQ(h.allocate(first).kind, Kind::success);
    ASSERT_EQ(h.allocate(second, h.other_tuple(8001)).kind, Kind::success);
    ASSERT_EQ(h.allocate(bob, h.other_tuple(8002)).kind, Kind::success);
    EXPECT_EQ(h.host.book.pool().in_use(), 3u);

    EXPECT_EQ(h.server.disconnect_user("alice", h.now), 2u);
    EXPECT_EQ(h.server.allocation_count(), 1u);
    EXPECT_EQ(h.host.book.pool().in_use(), 1u);
    EXPECT_EQ(h.host.book.ledger().of("alice"), 0u);
    ASSERT_EQ(h.host.ended.size(), 2u);
    EXPECT_EQ(h.host.ended[0].why, EndReason::disconnected);
    EXPECT_EQ(h.refresh(first, 600).code, ErrorCode::allocation_mismatch);
    EXPECT_EQ(h.server.counters().allocations_ended[0][static_cast<std::size_t>(EndReason::disconnected)].value(), 2u);
}

TEST(TurnDisconnect, ASharedSecretUserIsFoundByIdOrByTheWholeUsername) {
    Harness h;
    const std::string user = rest_username(h.now.unix_seconds + 3600, "student-9");
    TurnClient a(user, rest_password(secret_one, user), 1);
    ASSERT_EQ(h.allocate(a).kind, Kind::success);
    EXPECT_EQ(h.server.disconnect_user("student-9", h.now), 1u);
    TurnClient b(user, rest_password(secret_one, user), 2);
    ASSERT_EQ(h.allocate(b, h.other_tuple(8100)).kind, Kind::success);
    EXPECT_EQ(h.server.disconnect_user(user, h.now), 1u);
    EXPECT_EQ(h.server.disconnect_user("student-", h.now), 0u);
}

TEST(TurnDisconnect, OneAllocationById) {
    Harness h;
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);
    const auto id = h.host.created.back();
    EXPECT_TRUE(h.server.disconnect(id, h.now));
    EXPECT_FALSE(h.server.disconnect(id, h.now));  // gone; a reused slot has a new generation
    EXPECT_EQ(h.server.allocation_count(), 0u);
}

}  // namespace
}  // namespace hallpass::turn::testing
