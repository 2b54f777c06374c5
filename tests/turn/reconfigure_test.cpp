// A reload seen from the TURN core: TurnServer::reconfigure swaps credentials, peer rules
// and options for what happens next, and leaves every allocation, permission and channel
// (and the bandwidth limit each allocation was made with) as it was.
#include "tests/turn/turn_harness.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

// What a reload publishes: the objects the server will point at from now on.
struct Reloaded {
    CredentialStore credentials;
    NonceIssuer nonces;
    PeerPolicy peers;
};

Reloaded reloaded(std::vector<std::string> secrets, std::vector<std::string> allow) {
    std::vector<alloc::CidrBlock> blocks;
    for (const auto& a : allow) blocks.push_back(cidr(a));
    // The same nonce key as the harness: nonces handed out before the reload stay good.
    return {CredentialStore(std::string(realm), {{"alice", "alice-pw"}}, std::move(secrets)),
            NonceIssuer(std::array<std::uint8_t, 32>{1, 2, 3}, 600), PeerPolicy(PeerRules{blocks, {}, {}, {}, 0, 65535})};
}

TurnClient rest_client(const Harness& h, std::string_view secret, std::string_view id, std::uint64_t seed) {
    const std::string user = rest_username(h.now.unix_seconds + 3600, id);
    return TurnClient(user, rest_password(secret, user), seed);
}

TEST(TurnReconfigure, ARemovedSecretGets401OnItsNextRequestAndANewOneAuthenticates) {
    Harness h;
    TurnClient old_secret = rest_client(h, secret_one, "student-1", 1);
    ASSERT_EQ(h.allocate(old_secret, h.other_tuple(4001)).kind, Kind::success);

    auto next = reloaded({"secret-three", std::string(secret_two)}, {});
    h.server.reconfigure({}, next.credentials, next.nonces, next.peers);

    const ClientResult refresh =
        h.request(old_secret, [&] { return old_secret.refresh_request(h.out, 600); }, h.other_tuple(4001));
    EXPECT_EQ(refresh.code, ErrorCode::unauthenticated);
    // The allocation itself was not touched: it ends when its lifetime does.
    EXPECT_EQ(h.server.allocation_count(), 1u);
    TurnClient new_secret = rest_client(h, "secret-three", "student-2", 2);
    EXPECT_EQ(h.allocate(new_secret, h.other_tuple(4002)).kind, Kind::success);
    TurnClient kept_secret = rest_client(h, secret_two, "student-3", 3);
    EXPECT_EQ(h.allocate(kept_secret, h.other_tuple(4003)).kind, Kind::success);
}

TEST(TurnReconfigure, ANewAllowReachesAPeerThatWasRefused) {
    Harness h;
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);
    const TransportAddress media_server = at("10.0.0.5:40000");
    EXPECT_EQ(h.permit(alice, media_server).code, ErrorCode::forbidden);

    auto next = reloaded({std::string(secret_one)}, {"10.0.0.5/32"});
    h.server.reconfigure({}, next.credentials, next.nonces, next.peers);
    EXPECT_EQ(h.permit(alice, media_server).kind, Kind::success);
}

TEST(TurnReconfigure, NewTableLimitsBoundWhatIsAddedAndKeepWhatExists) {
    Harness h;
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);
    for (int i = 0; i < 4; ++i)
        ASSERT_EQ(h.permit(alice, at("198.52.100." + std::to_string(10 + i) + ":4000")).kind, Kind::success);

    ServerOptions lower;
    lower.table = {2, 2};
    auto next = reloaded({std::string(secret_one)}, {});
    h.server.reconfigure(lower, next.credentials, next.nonces, next.peers);
    // The four stay and can be refreshed; a fifth is over the new limit.
    EXPECT_EQ(h.permit(alice, at("198.52.100.10:4000")).kind, Kind::success);
    EXPECT_EQ(h.permit(alice, at("198.52.100.20:4000")).code, ErrorCode::insufficient_capacity);
}

TEST(TurnReconfigure, ABandwidthLimitAppliesToAllocationsMadeAfterIt) {
    HarnessOptions o;
    o.server.allocation_bandwidth = {0};  // unlimited at first
    Harness h(o);
    TurnClient before("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(before).kind, Kind::success);
    ASSERT_EQ(h.bind(before, 0x4000, at("198.52.100.7:4000")).kind, Kind::success);

    ServerOptions limited;
    limited.allocation_bandwidth = {1'000'000};  // 125 kB/s, a burst of 125 kB
    auto next = reloaded({std::string(secret_one)}, {});
    h.server.reconfigure(limited, next.credentials, next.nonces, next.peers);
    TurnClient after("alice", "alice-pw", 2);
    ASSERT_EQ(h.allocate(after, h.other_tuple(4100)).kind, Kind::success);
    EXPECT_EQ(h.server.allocation(h.host.created.back())->bandwidth.bits_per_second, 1'000'000u);

    // 1 MB in one instant through the allocation made before: nothing dropped.
    const Bytes packet(1000, 0x42);
    std::array<std::uint8_t, 1100> buf{};
    const auto channel_data = bytes_of(TurnClient::channel_data(buf, 0x4000, packet));
    std::size_t passed = 0;
    for (int i = 0; i < 1000; ++i) passed += h.send(channel_data).kind == ClientAction::Kind::to_peer;
    EXPECT_EQ(passed, 1000u);
}

}  // namespace
}  // namespace hallpass::turn::testing
