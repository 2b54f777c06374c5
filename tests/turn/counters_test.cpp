// TurnCounters after known traffic: each count is what the traffic implies, exactly.
#include "tests/turn/turn_harness.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

std::uint64_t auth(const TurnServer& s, AuthOutcome o) {
    return s.counters().auth_failures[static_cast<std::size_t>(o)].value();
}
std::uint64_t drops(const TurnServer& s, DropReason r) {
    return s.counters().drops[static_cast<std::size_t>(r)].value();
}
std::uint64_t packets(const TurnServer& s, Direction d) {
    return s.counters().packets[static_cast<std::size_t>(d)][0].value();  // udp
}
std::uint64_t bytes(const TurnServer& s, Direction d) {
    return s.counters().bytes[static_cast<std::size_t>(d)][0].value();
}

TEST(TurnCounters, CountAllocationsAuthenticationAndRefusals) {
    HarnessOptions o;
    o.user_quota = 1;
    Harness h(o);
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);  // one challenge, then success
    EXPECT_EQ(h.server.counters().allocations_created[0].value(), 1u);
    EXPECT_EQ(auth(h.server, AuthOutcome::challenged), 1u);

    TurnClient wrong("bob", "not-bobs-pw", 2);
    EXPECT_EQ(h.allocate(wrong, h.other_tuple(5001)).code, ErrorCode::unauthenticated);
    EXPECT_EQ(auth(h.server, AuthOutcome::bad_credentials), 1u);  // the retry with the nonce

    const std::string old_user = rest_username(h.now.unix_seconds - 5, "student-1");
    TurnClient expired(old_user, rest_password(secret_one, old_user), 3);
    EXPECT_EQ(h.allocate(expired, h.other_tuple(5002)).code, ErrorCode::unauthenticated);
    EXPECT_EQ(auth(h.server, AuthOutcome::expired_username), 1u);

    TurnClient again("alice", "alice-pw", 4);  // alice's quota is 1
    EXPECT_EQ(h.allocate(again, h.other_tuple(5003)).code, ErrorCode::allocation_quota_reached);
    EXPECT_EQ(h.server.counters().allocate_refusals[static_cast<std::size_t>(AllocateRefusal::user_quota)].value(), 1u);

    EXPECT_EQ(h.permit(alice, at("10.1.2.3:4000")).code, ErrorCode::forbidden);
    EXPECT_EQ(h.server.counters().peer_refusals.value(), 1u);

    // bob, on alice's 5-tuple: 441.
    TurnClient bob("bob", "bob-pw", 5);
    h.challenge(bob);
    EXPECT_EQ(h.request(bob, [&] { return bob.refresh_request(h.out, 600); }, h.tuple).code,
              ErrorCode::wrong_credentials);
    EXPECT_EQ(auth(h.server, AuthOutcome::wrong_credentials), 1u);
}

TEST(TurnCounters, CountRelayedTrafficDropsAndEndedLifetimes) {
    Harness h;
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);
    const TransportAddress peer = at("198.52.100.7:4000");
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    std::array<std::uint8_t, 64> buf{};
    const Bytes payload = {1, 2, 3, 4, 5};
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(h.send(TurnClient::channel_data(buf, 0x4000, payload)).kind, ClientAction::Kind::to_peer);
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(h.from_peer(peer, payload).deliver);
    EXPECT_EQ(packets(h.server, Direction::to_peer), 3u);
    EXPECT_EQ(bytes(h.server, Direction::to_peer), 15u);
    EXPECT_EQ(packets(h.server, Direction::to_client), 2u);
    EXPECT_EQ(bytes(h.server, Direction::to_client), 10u);

    h.send(TurnClient::channel_data(buf, 0x4001, payload));  // not bound
    EXPECT_EQ(drops(h.server, DropReason::unknown_channel), 1u);
    EXPECT_FALSE(h.from_peer(at("198.52.100.8:4000"), payload).deliver);  // no permission
    EXPECT_EQ(drops(h.server, DropReason::no_permission), 1u);
    h.send(Bytes{0x40, 0x00, 0x00});  // a truncated ChannelData header
    EXPECT_EQ(drops(h.server, DropReason::malformed), 1u);
    h.send(TurnClient::channel_data(buf, 0x4000, payload), h.other_tuple(6000));
    EXPECT_EQ(drops(h.server, DropReason::no_allocation), 1u);

    h.advance(seconds(90));
    ASSERT_EQ(h.refresh(alice, 0).kind, Kind::success);
    const auto& c = h.server.counters();
    EXPECT_EQ(c.allocations_ended[0][static_cast<std::size_t>(EndReason::refreshed_to_zero)].value(), 1u);
    EXPECT_EQ(c.lifetime_histogram[2].value(), 1u);  // 60 < 90 <= 300
    EXPECT_EQ(c.lifetime_sum_ms.value(), 90'000u);
}

}  // namespace
}  // namespace hallpass::turn::testing
