// The real binary over UDP on loopback: allocation, permissions, channels, data both ways,
// refresh, expiry, quotas, peer policy and every authentication failure a client can meet.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "stun/attributes.hpp"
#include "stun/message_builder.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string auth_yaml =
    "auth:\n  users: [{name: alice, password: wonderland}, {name: bob, password: builder}]\n"
    "  secrets: [\"rotating-new\", \"rotating-old\"]\n"
    "peers:\n  allow: [\"127.0.0.0/8\"]\n";

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
}

class UdpRelay : public ::testing::Test {
protected:
    ServerProcess server{{auth_yaml}};
    UdpEndpoint peer;

    std::unique_ptr<TurnSession> allocated(const std::string& user = "alice",
                                           const std::string& pw = "wonderland") {
        auto s = std::make_unique<TurnSession>(server.address(), user, pw);
        auto r = s->allocate();
        EXPECT_EQ(r.kind, Kind::success) << server.log();
        return s;
    }
};

TEST_F(UdpRelay, AllocatesARelayAddressInTheConfiguredRange) {
    TurnSession s(server.address(), "alice", "wonderland");
    auto r = s.allocate();
    ASSERT_EQ(r.kind, Kind::success);
    ASSERT_TRUE(r.relayed);
    EXPECT_EQ(r.relayed->ip.to_string(), "127.0.0.1");
    EXPECT_EQ(r.mapped, s.local_address());
    EXPECT_EQ(r.lifetime, 600u);
    EXPECT_TRUE(server.wait_for_log("allocation created user=alice", 2s));
}

TEST_F(UdpRelay, RelaysSendAndDataIndicationsBothWays) {
    TurnSession s(server.address(), "alice", "wonderland");
    auto relayed = *s.allocate().relayed;
    ASSERT_EQ(s.create_permission(peer.address()).kind, Kind::success);
    s.send_indication(peer.address(), bytes("to the peer"));
    auto at_peer = peer.receive();
    ASSERT_TRUE(at_peer);
    EXPECT_EQ(at_peer->bytes, bytes("to the peer"));
    EXPECT_EQ(at_peer->from, relayed);

    peer.send_to(bytes("to the client"), relayed);
    turn::IncomingData meta;
    auto at_client = s.receive_data(meta);
    ASSERT_TRUE(at_client);
    EXPECT_EQ(*at_client, bytes("to the client"));
    EXPECT_EQ(meta.peer, peer.address());
}

TEST_F(UdpRelay, RelaysChannelDataBothWays) {
    TurnSession s(server.address(), "alice", "wonderland");
    auto relayed = *s.allocate().relayed;
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    s.send_channel_data(0x4000, bytes("over the channel"));
    auto at_peer = peer.receive();
    ASSERT_TRUE(at_peer);
    EXPECT_EQ(at_peer->bytes, bytes("over the channel"));

    peer.send_to(bytes("back over it"), relayed);
    turn::IncomingData meta;
    auto at_client = s.receive_data(meta);
    ASSERT_TRUE(at_client);
    EXPECT_EQ(*at_client, bytes("back over it"));
    EXPECT_EQ(meta.channel, 0x4000);
}

// Back-to-back datagrams to one destination are what the io_uring engine sends as one GSO
// group: runs of equal sizes broken by shorter and longer ones must still arrive as the
// datagrams that were sent, in their order, from the peer to the client and back.
void expect_runs_relayed_both_ways(ServerProcess& server, TurnSession& s, UdpEndpoint& peer,
                                   const TransportAddress& relayed) {
    auto datagram = [](int i) {
        const std::size_t size = i % 13 == 12 ? 40 : i % 29 == 28 ? 300 : 120;
        std::vector<std::uint8_t> d(size, static_cast<std::uint8_t>(i * 7));
        d[0] = static_cast<std::uint8_t>(i >> 8);
        d[1] = static_cast<std::uint8_t>(i);
        return d;
    };
    constexpr int count = 150;  // inside the default socket buffers, which charge ~1 KiB a datagram
    for (int i = 0; i < count; ++i) peer.send_to(datagram(i), relayed);
    turn::IncomingData meta;
    for (int i = 0; i < count; ++i) {
        auto got = s.receive_data(meta);
        ASSERT_TRUE(got) << "datagram " << i;
        ASSERT_EQ(*got, datagram(i)) << "datagram " << i;
    }
    for (int i = 0; i < count; ++i) s.send_channel_data(0x4000, datagram(i));
    for (int i = 0; i < count; ++i) {
        auto got = peer.receive();
        ASSERT_TRUE(got) << "datagram " << i;
        ASSERT_EQ(got->bytes, datagram(i)) << "datagram " << i;
        ASSERT_EQ(got->from, relayed);
    }
    // Loopback takes GSO: falling back to one send per datagram here would be a bug.
    EXPECT_FALSE(server.wait_for_log("GSO refused", 100ms)) << server.log();
}

TEST_F(UdpRelay, RunsOfDatagramsArriveWholeAndInOrderBothWays) {
    TurnSession s(server.address(), "alice", "wonderland");
    auto relayed = *s.allocate().relayed;
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    expect_runs_relayed_both_ways(server, s, peer, relayed);
}

TEST(UdpRelayIpv6, RelaysThroughAnIpv6RelayAddressForAnIpv4Client) {
    // RFC 6156: an IPv4 client asks for an IPv6 relayed address and reaches an IPv6 peer.
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback here";
    ServerSettings settings;
    settings.extra_yaml = "auth:\n  users: [{name: alice, password: wonderland}]\n"
                          "peers:\n  allow: [\"127.0.0.0/8\", \"::1/128\"]\n";
    settings.relay_ranges = "\"127.0.0.1/32\", \"::1/128\"";
    ServerProcess server(settings);
    UdpEndpoint peer(AddressFamily::ipv6);
    TurnSession s(server.address(), "alice", "wonderland");
    turn::AllocateOptions options;
    options.family = AddressFamily::ipv6;
    auto a = s.allocate(options);
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_TRUE(a.relayed && !a.relayed->ip.is_v4());
    EXPECT_EQ(a.relayed->ip, peer.address().ip);  // ::1
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    expect_runs_relayed_both_ways(server, s, peer, *a.relayed);
}

TEST_F(UdpRelay, DropsPeerDataWithoutPermission) {
    TurnSession s(server.address(), "alice", "wonderland");
    auto relayed = *s.allocate().relayed;
    peer.send_to(bytes("unsolicited"), relayed);
    turn::IncomingData meta;
    EXPECT_FALSE(s.receive_data(meta));
}

TEST_F(UdpRelay, RefreshExtendsAndZeroReleases) {
    TurnSession s(server.address(), "alice", "wonderland");
    ASSERT_EQ(s.allocate().kind, Kind::success);
    auto r = s.refresh(1200);
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.lifetime, 1200u);
    ASSERT_EQ(s.refresh(0).kind, Kind::success);
    EXPECT_TRUE(server.wait_for_log("reason=released", 2s));
    auto again = s.refresh(600);
    ASSERT_EQ(again.kind, Kind::error);
    EXPECT_EQ(again.code, stun::ErrorCode::allocation_mismatch);
}


TEST_F(UdpRelay, RefusesPeersOnTheDefaultDenyList) {
    auto s = allocated();
    auto r = s->create_permission(*TransportAddress::parse("10.1.2.3:5000"));
    ASSERT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, stun::ErrorCode::forbidden);
    auto c = s->channel_bind(0x4001, *TransportAddress::parse("192.168.1.1:5000"));
    EXPECT_EQ(c.code, stun::ErrorCode::forbidden);
}

TEST_F(UdpRelay, WrongPasswordIsUnauthenticated) {
    TurnSession s(server.address(), "alice", "not-her-password");
    auto r = s.allocate();
    ASSERT_EQ(r.kind, Kind::error);  // 401 again after the retry with credentials
    EXPECT_EQ(r.code, stun::ErrorCode::unauthenticated);
}

TEST_F(UdpRelay, SharedSecretUsernamesWorkWithEverySecretUntilTheyExpire) {
    for (const char* secret : {"rotating-new", "rotating-old"}) {
        const auto user = turn::rest_username(unix_now() + 3600, "student-7");
        TurnSession s(server.address(), user, turn::rest_password(secret, user));
        EXPECT_EQ(s.allocate().kind, Kind::success) << secret;
    }
    const auto expired = turn::rest_username(unix_now() - 10, "student-7");
    TurnSession late(server.address(), expired, turn::rest_password("rotating-new", expired));
    auto r = late.allocate();
    EXPECT_NE(r.kind, Kind::success);
    EXPECT_EQ(r.code, stun::ErrorCode::unauthenticated);
}

TEST_F(UdpRelay, NonceFromAnotherClientAddressIsStale) {
    auto first = allocated();
    // A socket on another address replays the first client's realm, nonce and key: the
    // nonce is bound to the first client's IP, so the server answers 438 with a nonce of
    // its own. (Another port of the same IP may use it: turn/nonce_issuer.hpp.)
    UdpEndpoint other(IpAddress::v4(127, 0, 0, 2));
    std::array<std::uint8_t, 512> buf{};
    stun::MessageBuilder b(buf, stun::Method::allocate, stun::MessageClass::request, {7, 7, 7});
    b.add(stun::RequestedTransport{}).add(stun::Username{"alice"});
    b.add(stun::Realm{first->client().realm()}).add(stun::Nonce{first->client().nonce()});
    b.add_message_integrity(first->client().key());
    other.send_to(b.bytes(), server.address());
    auto answer = other.receive();
    ASSERT_TRUE(answer);
    auto m = stun::MessageView::parse(answer->bytes);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(stun::get<stun::ErrorCodeAttribute>(*m)->code, 438);
    EXPECT_TRUE(stun::get<stun::Nonce>(*m).has_value());
}

TEST_F(UdpRelay, SecondAllocateOnTheSameFiveTupleIsAMismatch) {
    auto s = allocated();
    auto r = s->allocate();
    EXPECT_EQ(r.code, stun::ErrorCode::allocation_mismatch);
}

TEST_F(UdpRelay, BindingIsAnsweredWithoutCredentials) {
    TurnSession s(server.address(), "nobody", "nothing");
    auto r = s.transact([](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.binding_request(b); });
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.mapped, s.local_address());
}

TEST_F(UdpRelay, MalformedDatagramsAreDroppedAndTheServerCarriesOn) {
    UdpEndpoint junk;
    junk.send_to(bytes("GET / HTTP/1.1\r\n\r\n"), server.address());
    junk.send_to(std::vector<std::uint8_t>{0x00, 0x01, 0x00, 0x08, 0x21, 0x12}, server.address());
    junk.send_to(std::vector<std::uint8_t>{0x40, 0x00, 0xff, 0xff}, server.address());
    EXPECT_FALSE(junk.receive(300ms));
    auto s = allocated();
    EXPECT_EQ(s->refresh(600).kind, Kind::success);
}

TEST(UdpRelayQuotas, PerUserQuotaIs486AndTotalIs508) {
    ServerProcess server({auth_yaml + "limits: {allocations_per_user: 2, allocations_total: 3}\n"});
    TurnSession a1(server.address(), "alice", "wonderland"), a2(server.address(), "alice", "wonderland"),
        a3(server.address(), "alice", "wonderland"), b1(server.address(), "bob", "builder"),
        b2(server.address(), "bob", "builder");
    EXPECT_EQ(a1.allocate().kind, Kind::success);
    EXPECT_EQ(a2.allocate().kind, Kind::success);
    EXPECT_EQ(a3.allocate().code, stun::ErrorCode::allocation_quota_reached);
    EXPECT_EQ(b1.allocate().kind, Kind::success);
    EXPECT_EQ(b2.allocate().code, stun::ErrorCode::insufficient_capacity);
    // Releasing one makes room again.
    EXPECT_EQ(a1.refresh(0).kind, Kind::success);
    EXPECT_EQ(b2.allocate().kind, Kind::success);
}

TEST(UdpRelayLifetimes, AllocationExpiresWhenItsLifetimeRunsOut) {
    ServerProcess server({auth_yaml + "limits: {default_lifetime: 1, max_lifetime: 1}\n"});
    UdpEndpoint peer;
    TurnSession s(server.address(), "alice", "wonderland");
    auto r = s.allocate();
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.lifetime, 1u);
    ASSERT_EQ(s.create_permission(peer.address()).kind, Kind::success);
    ASSERT_TRUE(server.wait_for_log("reason=expired", 5s)) << server.log();
    peer.send_to(bytes("too late"), *r.relayed);
    turn::IncomingData meta;
    EXPECT_FALSE(s.receive_data(meta));
    EXPECT_EQ(s.refresh(600).code, stun::ErrorCode::allocation_mismatch);
}

TEST(UdpRelayLifetimes, StaleNonceIs438AndTheClientRecovers) {
    ServerProcess server({"auth:\n  users: [{name: alice, password: wonderland}]\n"
                          "  nonce_lifetime: 1\n"});
    TurnSession s(server.address(), "alice", "wonderland");
    ASSERT_EQ(s.allocate().kind, Kind::success);
    // The nonce carries its issue time in whole seconds; two seconds make it stale.
    std::this_thread::sleep_for(2100ms);
    std::array<std::uint8_t, 512> buf{};
    s.transport().send(s.client().refresh_request(buf, 600));
    auto answer = s.transport().receive();
    ASSERT_TRUE(answer);
    auto first = s.client().handle_response(*answer);
    EXPECT_EQ(first.kind, Kind::retry);
    EXPECT_EQ(first.code, stun::ErrorCode::stale_nonce);
    EXPECT_EQ(s.refresh(600).kind, Kind::success);
}

TEST(UdpRelayPorts, SkipsRelayPortsThatAnotherProcessHolds) {
    // Two relay ports; a "media server" (this test) already holds one of them.
    UdpEndpoint squatter;
    const std::uint16_t held = squatter.address().port;
    const auto low = static_cast<std::uint16_t>(held % 2 == 0 ? held : held - 1);
    ServerProcess server({auth_yaml, low, 2});
    for (int i = 0; i < 3; ++i) {  // the pool's random pick must never stop at the held port
        TurnSession s(server.address(), "alice", "wonderland");
        auto r = s.allocate();
        ASSERT_EQ(r.kind, Kind::success) << server.log();
        EXPECT_NE(r.relayed->port, held);
        EXPECT_EQ(s.refresh(0).kind, Kind::success);
    }
    TurnSession one(server.address(), "alice", "wonderland"), two(server.address(), "alice", "wonderland");
    EXPECT_EQ(one.allocate().kind, Kind::success);
    EXPECT_EQ(two.allocate().code, stun::ErrorCode::insufficient_capacity);
}

TEST(UdpRelayLifecycle, StopsCleanlyOnSigtermAndLogsEndedAllocations) {
    ServerProcess server({auth_yaml});
    TurnSession s(server.address(), "alice", "wonderland");
    ASSERT_EQ(s.allocate().kind, Kind::success);
    const int status = server.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server.log();
    EXPECT_NE(server.log().find("reason=shutdown"), std::string::npos);
    EXPECT_NE(server.log().find("hallpass stopped"), std::string::npos);
}

}  // namespace
}  // namespace hallpass::testing
