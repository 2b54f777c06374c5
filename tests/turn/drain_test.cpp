// A draining or full node sends new allocations elsewhere (300 Try Alternate, RFC 8489 §10)
// and keeps serving the ones it has.
#include "stun/attributes.hpp"
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

HarnessOptions with_alternates(std::vector<Alternate> udp, std::vector<Alternate> tls = {},
                               alloc::Transport transport = alloc::Transport::udp) {
    HarnessOptions o;
    o.server.alternates[0] = std::move(udp);
    o.server.alternates[2] = std::move(tls);
    o.transport = transport;
    return o;
}

TEST(TurnDrain, ExistingAllocationsGoOnAndNewOnesGoToTheAlternatesInTurn) {
    Harness h(with_alternates({{at("192.0.2.10:3478"), ""}, {at("192.0.2.11:3478"), ""}, {at("[2001:db8::1]:3478"), ""}}));
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);
    h.server.set_draining(true);

    EXPECT_EQ(h.refresh(alice, 600).kind, Kind::success);
    const TransportAddress peer = at("198.52.100.7:4000");
    ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    std::array<std::uint8_t, 64> buf{};
    EXPECT_EQ(h.send(TurnClient::channel_data(buf, 0x4000, Bytes{1, 2, 3})).kind, ClientAction::Kind::to_peer);
    EXPECT_TRUE(h.from_peer(peer, Bytes{4, 5, 6}).deliver);

    // Three new clients (IPv4): the two IPv4 alternates in turn, never the IPv6 one.
    std::vector<TransportAddress> sent_to;
    for (std::uint16_t i = 0; i < 3; ++i) {
        TurnClient c("bob", "bob-pw", 10 + i);
        const ClientResult r = h.allocate(c, h.other_tuple(static_cast<std::uint16_t>(7000 + i)));
        ASSERT_EQ(r.code, ErrorCode::try_alternate);
        ASSERT_TRUE(r.alternate_server);
        EXPECT_TRUE(r.alternate_domain.empty());
        sent_to.push_back(*r.alternate_server);
    }
    EXPECT_EQ(sent_to, (std::vector{at("192.0.2.10:3478"), at("192.0.2.11:3478"), at("192.0.2.10:3478")}));
    EXPECT_EQ(h.server.allocation_count(), 1u);
    EXPECT_EQ(h.server.counters().redirected.value(), 3u);
}

TEST(TurnDrain, TlsClientsAreToldTheAlternatesDomain) {
    Harness h(with_alternates({}, {{at("192.0.2.20:443"), "turn2.example.org"}}, alloc::Transport::tls));
    h.server.set_draining(true);
    TurnClient c("alice", "alice-pw", 1);
    const ClientResult r = h.allocate(c);
    ASSERT_EQ(r.code, ErrorCode::try_alternate);
    EXPECT_EQ(r.alternate_server, at("192.0.2.20:443"));
    EXPECT_EQ(r.alternate_domain, "turn2.example.org");
}

TEST(TurnDrain, WithoutAnAlternateANewAllocateIs403) {
    Harness h(with_alternates({}, {{at("192.0.2.20:443"), "turn2.example.org"}}));  // TLS only; this client is UDP
    h.server.set_draining(true);
    TurnClient c("alice", "alice-pw", 1);
    EXPECT_EQ(h.allocate(c).code, ErrorCode::forbidden);
    h.server.set_draining(false);
    EXPECT_EQ(h.allocate(c).kind, Kind::success);
}

TEST(TurnDrain, AFullNodeSendsNewAllocationsToAnAlternateInsteadOf508) {
    auto o = with_alternates({{at("192.0.2.10:3478"), ""}});
    o.total_quota = 1;
    Harness h(o);
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);
    TurnClient bob("bob", "bob-pw", 2);
    const ClientResult r = h.allocate(bob, h.other_tuple(7100));
    EXPECT_EQ(r.code, ErrorCode::try_alternate);
    EXPECT_EQ(r.alternate_server, at("192.0.2.10:3478"));

    HarnessOptions plain;
    plain.total_quota = 1;
    Harness without(plain);
    TurnClient a("alice", "alice-pw", 3), b("bob", "bob-pw", 4);
    ASSERT_EQ(without.allocate(a).kind, Kind::success);
    EXPECT_EQ(without.allocate(b, without.other_tuple(7101)).code, ErrorCode::insufficient_capacity);
}

}  // namespace
}  // namespace hallpass::turn::testing
