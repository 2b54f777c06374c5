// CreatePermission (RFC 8656 §9), the peer policy (DESIGN.md "Defaults that protect the
// host") and Data indications to the client (§11.4, §10.3).
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

using TurnPermission = Allocated;

const Bytes payload = bytes_of("hello from the media server");

TEST_F(TurnPermission, RefusesPeersOfDefaultDenyListWith403) {
    for (auto peer_text : {"10.1.2.3:5000", "127.0.0.1:5000", "[::ffff:10.0.0.1]:5000",
                           "192.168.1.1:5000", "169.254.0.1:5000"}) {
        const ClientResult r = h.permit(alice, at(peer_text));
        EXPECT_EQ(r.kind, Kind::error) << peer_text;
        EXPECT_EQ(r.code, ErrorCode::forbidden) << peer_text;
    }
}

class TurnPermissionWithAllow : public Allocated {
protected:
    TurnPermissionWithAllow() : Allocated(allowing_10_8()) {}
    static HarnessOptions allowing_10_8() {
        HarnessOptions o;
        o.allow = {"10.0.0.0/8"};
        return o;
    }
};

TEST_F(TurnPermissionWithAllow, AllowEntryOverridesDenyList) {
    EXPECT_EQ(h.permit(alice, at("10.1.2.3:5000")).kind, Kind::success);
    EXPECT_EQ(h.permit(alice, at("[::ffff:10.0.0.1]:5000")).kind, Kind::success);
    EXPECT_EQ(h.permit(alice, at("127.0.0.1:5000")).code, ErrorCode::forbidden);
}

TEST_F(TurnPermission, RefusesPeerOfOtherFamilyWith443) {
    const ClientResult r = h.permit(alice, at("[2001:db8::7]:5000"));
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::peer_address_family_mismatch);
}

TEST_F(TurnPermission, RefusesRequestWithoutPeerWith400) {
    const std::span<const TransportAddress> none;
    const ClientResult r =
        h.request(alice, [&] { return alice.create_permission_request(h.out, none); }, h.tuple);
    EXPECT_EQ(r.code, ErrorCode::bad_request);
}

TEST_F(TurnPermission, InstallsAllPeersOrNone) {
    const std::array<TransportAddress, 2> peers{peer, at("10.1.2.3:5000")};
    const ClientResult r =
        h.request(alice, [&] { return alice.create_permission_request(h.out, peers); }, h.tuple);
    EXPECT_EQ(r.code, ErrorCode::forbidden);
    EXPECT_FALSE(h.from_peer(peer, payload).deliver);
}

TEST_F(TurnPermission, DeliversPeerDataAsDataIndicationOncePermitted) {
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    const PeerAction a = h.from_peer(peer, payload);
    ASSERT_TRUE(a.deliver);
    ASSERT_NE(a.client, nullptr);
    EXPECT_EQ(*a.client, h.tuple);
    auto in = TurnClient::parse_incoming(a.bytes);
    ASSERT_TRUE(in);
    EXPECT_EQ(in->channel, 0);
    EXPECT_EQ(in->peer, peer);
    EXPECT_EQ(bytes_of(in->payload), payload);
}

TEST_F(TurnPermission, PermissionCoversEveryPortOfThePeerIp) {
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    const TransportAddress other_port = at("198.52.100.7:4001");
    auto in = TurnClient::parse_incoming(h.from_peer(other_port, payload).bytes);
    ASSERT_TRUE(in);
    EXPECT_EQ(in->peer, other_port);
}

TEST_F(TurnPermission, DropsPeerDataWithoutPermission) {
    EXPECT_FALSE(h.from_peer(peer, payload).deliver);
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    EXPECT_FALSE(h.from_peer(at("198.52.100.99:4000"), payload).deliver);
}

TEST_F(TurnPermission, PermissionExpiresAfter300Seconds) {
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    h.advance(seconds(299));
    EXPECT_TRUE(h.from_peer(peer, payload).deliver);
    h.advance(seconds(2));
    EXPECT_FALSE(h.from_peer(peer, payload).deliver);
    // The client's way out: refresh the permission.
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    EXPECT_TRUE(h.from_peer(peer, payload).deliver);
}

TEST_F(TurnPermission, SendIndicationGoesToPermittedPeer) {
    ASSERT_EQ(h.permit(alice, peer).kind, Kind::success);
    const ClientAction a = h.send(alice.send_indication(h.out, peer, payload));
    ASSERT_EQ(a.kind, ClientAction::Kind::to_peer);
    EXPECT_EQ(a.peer, peer);
    EXPECT_EQ(a.allocation, h.host.created.back());
    EXPECT_EQ(bytes_of(a.bytes), payload);
}

TEST_F(TurnPermission, DropsSendIndicationWithoutPermission) {
    EXPECT_EQ(h.send(alice.send_indication(h.out, peer, payload)).kind, ClientAction::Kind::drop);
}

TEST_F(TurnPermission, RefusesAnotherUsernameWith441) {
    TurnClient bob("bob", "bob-pw", 2);
    EXPECT_EQ(h.permit(bob, peer).code, ErrorCode::wrong_credentials);
}

}  // namespace
}  // namespace hallpass::turn::testing
