// Abuse of the TURN core, each stopped: quotas that a fresh expiry or a reserved port
// cannot dodge, per-allocation tables that stop growing, malformed known attributes,
// DONT-FRAGMENT honoured or refused, credentials minted for years, and one allocation
// taking a classroom's bandwidth.
#include "stun/attributes.hpp"
#include "tests/turn/turn_harness.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

TurnClient rest_client(const Harness& h, std::string_view id, std::int64_t valid_for, std::uint64_t seed) {
    const std::string user = rest_username(h.now.unix_seconds + valid_for, id);
    return TurnClient(user, rest_password(secret_one, user), seed);
}

TEST(TurnQuota, AFreshExpiryDoesNotBuyAFreshQuota) {
    HarnessOptions o;
    o.user_quota = 3;
    Harness h(o);
    // The same student id, a new username each time (as a client that asks the web app for
    // new credentials before each allocation would).
    for (int i = 0; i < 3; ++i) {
        TurnClient c = rest_client(h, "student-7", 3600 + i, 10 + i);
        ASSERT_EQ(h.allocate(c, h.other_tuple(static_cast<std::uint16_t>(2000 + i))).kind, Kind::success);
    }
    TurnClient fourth = rest_client(h, "student-7", 7200, 20);
    EXPECT_EQ(h.allocate(fourth, h.other_tuple(2100)).code, ErrorCode::allocation_quota_reached);
    TurnClient other = rest_client(h, "student-8", 3600, 21);
    EXPECT_EQ(h.allocate(other, h.other_tuple(2101)).kind, Kind::success);
    EXPECT_EQ(h.host.book.ledger().of("student-7"), 3u);
}

TEST(TurnQuota, ABareExpiryUsernameCountsByItself) {
    // coturn accepts a username that is only an expiry; it names no user to count against.
    HarnessOptions o;
    o.user_quota = 1;
    Harness h(o);
    const std::string first = std::to_string(h.now.unix_seconds + 3600);
    const std::string second = std::to_string(h.now.unix_seconds + 3601);
    TurnClient a(first, rest_password(secret_one, first), 1);
    TurnClient b(second, rest_password(secret_one, second), 2);
    EXPECT_EQ(h.allocate(a, h.other_tuple(2201)).kind, Kind::success);
    EXPECT_EQ(h.allocate(b, h.other_tuple(2202)).kind, Kind::success);
    EXPECT_EQ(h.host.book.ledger().of(first), 1u);
}

TEST(TurnQuota, AReservedPortCountsUntilClaimedOrExpired) {
    HarnessOptions o;
    o.user_quota = 2;
    Harness h(o);
    TurnClient c("alice", "alice-pw", 1);
    AllocateOptions rtp;
    rtp.even_port = true;
    rtp.reserve_next = true;
    const ClientResult first = h.allocate(c, h.other_tuple(3001), rtp);
    ASSERT_EQ(first.kind, Kind::success);
    ASSERT_TRUE(first.reservation_token);
    // The allocation and the reserved port: alice is at her quota.
    EXPECT_EQ(h.allocate(c, h.other_tuple(3002)).code, ErrorCode::allocation_quota_reached);
    // Once the reservation lapses, its unit comes back.
    h.advance(seconds(31));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.host.book.expire_reservations(h.now.monotonic), 1u);
    EXPECT_EQ(h.allocate(c, h.other_tuple(3003)).kind, Kind::success);
}

TEST(TurnQuota, EveryAllocationAndReservationIsReturned) {
    HarnessOptions o;
    o.user_quota = 4;
    Harness h(o);
    TurnClient c("alice", "alice-pw", 1);
    AllocateOptions rtp;
    rtp.even_port = true;
    rtp.reserve_next = true;
    const ClientResult first = h.allocate(c, h.other_tuple(3001), rtp);
    AllocateOptions rtcp;
    rtcp.reservation_token = first.reservation_token;
    ASSERT_EQ(h.allocate(c, h.other_tuple(3002), rtcp).kind, Kind::success);
    ASSERT_EQ(h.allocate(c, h.other_tuple(3003)).kind, Kind::success);
    EXPECT_EQ(h.host.book.ledger().of("alice"), 3u);
    h.server.end_all(h.now);
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
    EXPECT_EQ(h.host.book.pool().in_use(), 0u);
}

HarnessOptions small_tables() {
    HarnessOptions o;
    o.server.table = {3, 2};
    return o;
}

class TurnTables : public Allocated {
protected:
    TurnTables() : Allocated(small_tables()) {}
    TransportAddress peer_n(int n) { return at("198.52.100." + std::to_string(n) + ":4000"); }
};

TEST_F(TurnTables, PermissionsStopAtTheLimitWith508) {
    for (int i = 1; i <= 3; ++i) ASSERT_EQ(h.permit(alice, peer_n(i)).kind, Kind::success);
    EXPECT_EQ(h.permit(alice, peer_n(4)).code, ErrorCode::insufficient_capacity);
    EXPECT_EQ(h.permit(alice, peer_n(2)).kind, Kind::success);  // a refresh still works
    // A request naming several peers is refused whole when they do not all fit.
    const std::array<TransportAddress, 2> two{peer_n(3), peer_n(5)};
    EXPECT_EQ(h.request(alice, [&] { return alice.create_permission_request(h.out, two); }, h.tuple).code,
              ErrorCode::insufficient_capacity);
    EXPECT_FALSE(h.from_peer(peer_n(5), bytes_of("x")).deliver);
}

TEST_F(TurnTables, ChannelsStopAtTheLimitWith508) {
    ASSERT_EQ(h.bind(alice, 0x4000, peer_n(1)).kind, Kind::success);
    ASSERT_EQ(h.bind(alice, 0x4001, peer_n(2)).kind, Kind::success);
    EXPECT_EQ(h.bind(alice, 0x4002, peer_n(3)).code, ErrorCode::insufficient_capacity);
    EXPECT_EQ(h.bind(alice, 0x4001, peer_n(2)).kind, Kind::success);  // a refresh
}

TEST_F(TurnTables, AChannelNeedsRoomForItsPermissionToo) {
    for (int i = 1; i <= 3; ++i) ASSERT_EQ(h.permit(alice, peer_n(i)).kind, Kind::success);
    EXPECT_EQ(h.bind(alice, 0x4000, peer_n(4)).code, ErrorCode::insufficient_capacity);
    EXPECT_EQ(h.bind(alice, 0x4000, peer_n(1)).kind, Kind::success);  // already permitted
}

TEST_F(TurnTables, ExpiredPermissionsMakeRoomAgain) {
    for (int i = 1; i <= 3; ++i) ASSERT_EQ(h.permit(alice, peer_n(i)).kind, Kind::success);
    h.advance(seconds(301));
    h.server.on_tick(h.now);
    EXPECT_EQ(h.server.table().permission_count(), 0u);
    EXPECT_EQ(h.permit(alice, peer_n(4)).kind, Kind::success);
}

// A malformed known attribute is a bad request (RFC 8489 §6.3.1.1), not one to ignore.
TEST(TurnStrictAttributes, MalformedKnownAttributesGet400) {
    using T = stun::AttributeType;
    const std::vector<std::pair<T, std::vector<std::uint8_t>>> cases = {
        {T::lifetime, {0, 0, 2}},
        {T::even_port, {0x80, 0, 0, 0}},
        {T::requested_address_family, {1}},
        {T::additional_address_family, {2, 0, 0, 0, 0, 0, 0, 0}},
        {T::dont_fragment, {1, 2, 3, 4}},
        {T::reservation_token, {1, 2, 3}},
        {T::xor_peer_address, {0, 1}},
        {T::channel_number, {0x40}},
        {T::software, std::vector<std::uint8_t>(800, 'a')},
    };
    for (const auto& [type, value] : cases) {
        SCOPED_TRACE(stun::attribute_name(static_cast<std::uint16_t>(type)));
        Harness h;
        TurnClient c("alice", "alice-pw", 1);
        AllocateOptions o;
        o.raw_attributes = {{static_cast<std::uint16_t>(type), value}};
        const ClientResult r = h.allocate(c, o);
        EXPECT_EQ(r.kind, Kind::error);
        EXPECT_EQ(r.code, ErrorCode::bad_request);
        EXPECT_EQ(h.server.allocation_count(), 0u);
    }
}

TEST(TurnStrictAttributes, TheBadRequestIsSignedForAnAuthenticatedClient) {
    // Over UDP a client discards an unsigned answer to a signed request (RFC 8489 §9.2.5),
    // so the 400 must carry MESSAGE-INTEGRITY or the client would only time out.
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    h.challenge(c);
    AllocateOptions o;
    o.raw_attributes = {{static_cast<std::uint16_t>(stun::AttributeType::lifetime), {1, 2}}};
    const ClientAction a = h.send(c.allocate_request(h.out, o));
    ASSERT_EQ(a.kind, ClientAction::Kind::reply);
    const auto m = stun::MessageView::parse(a.bytes);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->has(stun::AttributeType::message_integrity));
    EXPECT_EQ(c.handle_response(a.bytes).code, ErrorCode::bad_request);
}

TEST(TurnStrictAttributes, AMalformedBindingAttributeGets400) {
    Harness h;
    TurnClient c("", "", 1);
    std::array<std::uint8_t, 64> buf{};
    stun::MessageBuilder b(buf, stun::Method::binding, stun::MessageClass::request, stun::TransactionId{7});
    b.add(stun::Software{std::string_view("x")});
    auto v = b.append(stun::AttributeType::lifetime, 2);
    v[0] = v[1] = 1;
    const ClientAction a = h.send(b.bytes());
    ASSERT_EQ(a.kind, ClientAction::Kind::reply);
    const auto m = stun::MessageView::parse(a.bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->message_class(), stun::MessageClass::error);
    EXPECT_EQ(stun::get<stun::ErrorCodeAttribute>(*m)->code, 400);
}

TEST(TurnDontFragment, AnAllocationWithDontFragmentAsksForDfOnItsSocket) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    AllocateOptions o;
    o.dont_fragment = true;
    ASSERT_EQ(h.allocate(c, o).kind, Kind::success);
    EXPECT_TRUE(h.host.last_socket.dont_fragment);
    TurnClient d("bob", "bob-pw", 2);
    ASSERT_EQ(h.allocate(d, h.other_tuple(4001)).kind, Kind::success);
    EXPECT_FALSE(h.host.last_socket.dont_fragment);
}

TEST(TurnDontFragment, ASendAskingForDfOnAnAllocationWithoutItIsDropped) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(c).kind, Kind::success);
    const TransportAddress peer = at("198.52.100.7:4000");
    ASSERT_EQ(h.permit(c, peer).kind, Kind::success);
    std::array<std::uint8_t, 128> buf{};
    const auto payload = bytes_of("media");
    stun::MessageBuilder b(buf, stun::Method::send, stun::MessageClass::indication, stun::TransactionId{9});
    b.add(stun::XorPeerAddress{peer}).add(stun::Data{payload}).add(stun::DontFragment{});
    EXPECT_EQ(h.send(b.bytes()).kind, ClientAction::Kind::drop);
    EXPECT_EQ(h.send(c.send_indication(h.out, peer, payload)).kind, ClientAction::Kind::to_peer);
}

TEST(TurnDontFragment, ASendAskingForDfOnAnAllocationWithItGoesOut) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    AllocateOptions o;
    o.dont_fragment = true;
    ASSERT_EQ(h.allocate(c, o).kind, Kind::success);
    const TransportAddress peer = at("198.52.100.7:4000");
    ASSERT_EQ(h.permit(c, peer).kind, Kind::success);
    std::array<std::uint8_t, 128> buf{};
    const auto payload = bytes_of("media");
    stun::MessageBuilder b(buf, stun::Method::send, stun::MessageClass::indication, stun::TransactionId{9});
    b.add(stun::XorPeerAddress{peer}).add(stun::Data{payload}).add(stun::DontFragment{});
    EXPECT_EQ(h.send(b.bytes()).kind, ClientAction::Kind::to_peer);
}

TEST(TurnCredentialLifetime, UsernamesMintedTooFarAheadAreRefused) {
    HarnessOptions o;
    o.max_credential_lifetime = 3 * 86400;
    Harness h(o);
    TurnClient years = rest_client(h, "student-7", 5LL * 365 * 86400, 1);
    EXPECT_EQ(h.allocate(years).code, ErrorCode::unauthenticated);
    TurnClient day = rest_client(h, "student-7", 86400, 2);
    EXPECT_EQ(h.allocate(day, h.other_tuple(5001)).kind, Kind::success);
}

HarnessOptions with_bandwidth(std::uint32_t bps) {
    HarnessOptions o;
    o.server.allocation_bandwidth = {bps};
    return o;
}

class TurnBandwidth : public Allocated {
protected:
    TurnBandwidth() : Allocated(with_bandwidth(2'000'000)) {}  // 250 kB/s, burst 250 kB
    void SetUp() override {
        Allocated::SetUp();
        ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    }
    // `seconds` of 1200-byte packets at `packets_per_second` both ways, in 10 ms steps.
    std::pair<std::size_t, std::size_t> offer(int seconds_long, int packets_per_second) {
        std::size_t up = 0, down = 0;
        const Bytes packet(1200, 0x42);
        std::array<std::uint8_t, 1300> buf{};
        const auto channel_data = bytes_of(TurnClient::channel_data(buf, 0x4000, packet));
        for (int step = 0; step < seconds_long * 100; ++step) {
            for (int k = 0; k < packets_per_second / 100; ++k) {
                up += h.send(channel_data).kind == ClientAction::Kind::to_peer;
                down += h.from_peer(peer, packet).deliver;
            }
            h.now.monotonic += alloc::Millis{10};
        }
        return {up, down};
    }
};

TEST_F(TurnBandwidth, OneAllocationCannotTakeMoreThanItsShare) {
    // 12 Mbit/s offered each way against a 2 Mbit/s limit, for 10 s.
    const auto [up, down] = offer(10, 1250);
    const double limit_packets = (250'000.0 * 10 + 250'000.0) / 1200;  // 10 s of rate, one burst
    EXPECT_LE(static_cast<double>(up), limit_packets * 1.02);
    EXPECT_GE(static_cast<double>(up), limit_packets * 0.95);
    EXPECT_LE(static_cast<double>(down), limit_packets * 1.02);
    const auto* a = h.server.allocation(h.host.created.back());
    EXPECT_GT(a->traffic.dropped_to_peers, 9000u);
    EXPECT_GT(a->traffic.dropped_to_client, 9000u);
}

TEST_F(TurnBandwidth, ClassroomMediaUnderTheLimitPassesWhole) {
    // 1.92 Mbit/s each way (200 packets of 1200 bytes a second), just under the limit: more
    // than a classroom video stream (about 1.5 Mbit/s).
    const auto [up, down] = offer(10, 200);
    EXPECT_EQ(up, 2000u);
    EXPECT_EQ(down, 2000u);
    const auto* a = h.server.allocation(h.host.created.back());
    EXPECT_EQ(a->traffic.dropped_to_client, 0u);
}

}  // namespace
}  // namespace hallpass::turn::testing
