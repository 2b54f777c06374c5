// Allocate (RFC 8656 §7.2) with long-term credentials (RFC 8489 §9.2), configured users and
// TURN REST usernames, quotas and the attributes that shape the relay address.
#include "stun/attributes.hpp"
#include "tests/turn/turn_harness.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

AllocateOptions with_lifetime(std::uint32_t s) {
    AllocateOptions o;
    o.lifetime = s;
    return o;
}
AllocateOptions with_transport(std::optional<std::uint8_t> protocol) {
    AllocateOptions o;
    o.transport = protocol;
    return o;
}
AllocateOptions with_family(AddressFamily f) {
    AllocateOptions o;
    o.family = f;
    return o;
}
AllocateOptions with_even_port() {
    AllocateOptions o;
    o.even_port = true;
    return o;
}
AllocateOptions with_dont_fragment() {
    AllocateOptions o;
    o.dont_fragment = true;
    return o;
}

TEST(TurnAllocate, ChallengesFirstUnauthenticatedRequestWith401RealmAndNonce) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    const ClientResult r = h.exchange(c, c.allocate_request(h.out), h.tuple);
    EXPECT_EQ(r.kind, Kind::retry);
    EXPECT_EQ(r.code, ErrorCode::unauthenticated);
    EXPECT_EQ(c.realm(), realm);
    EXPECT_FALSE(c.nonce().empty());
    EXPECT_EQ(h.server.allocation_count(), 0u);
}

TEST(TurnAllocate, SucceedsOnRetryWithRelayFromPoolDefaultLifetimeAndMappedAddress) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    const ClientResult r = h.allocate(c);
    ASSERT_EQ(r.kind, Kind::success);
    ASSERT_TRUE(r.relayed);
    EXPECT_TRUE(cidr("192.0.2.0/24").contains(r.relayed->ip));
    EXPECT_GE(r.relayed->port, 16384);
    EXPECT_LE(r.relayed->port, 32767);
    EXPECT_TRUE(h.host.book.pool().is_in_use(*r.relayed));
    EXPECT_EQ(r.lifetime, 600u);
    EXPECT_EQ(r.mapped, h.tuple.client);
    EXPECT_EQ(h.host.created.size(), 1u);
    EXPECT_EQ(h.host.book.ledger().of("alice"), 1u);
}

TEST(TurnAllocate, CapsRequestedLifetimeAt3600) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    EXPECT_EQ(h.allocate(c, with_lifetime(86400)).lifetime, 3600u);
}

TEST(TurnAllocate, RaisesShortRequestedLifetimeToDefault) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    EXPECT_EQ(h.allocate(c, with_lifetime(30)).lifetime, 600u);
}

TEST(TurnAllocate, RefusesWrongPasswordWith401) {
    Harness h;
    TurnClient c("alice", "not-her-password", 1);
    const ClientResult r = h.allocate(c);
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::unauthenticated);
    EXPECT_EQ(h.server.allocation_count(), 0u);
}

TEST(TurnAllocate, RefusesUnknownUserWith401) {
    Harness h;
    TurnClient c("mallory", "alice-pw", 1);
    EXPECT_EQ(h.allocate(c).code, ErrorCode::unauthenticated);
}

TEST(TurnAllocate, AnswersStaleNonceWith438AndNewNonceThenRetrySucceeds) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::retry);
    const std::string first_nonce = c.nonce();
    h.advance(seconds(601));  // past the 600 s nonce lifetime
    const ClientResult stale = h.exchange(c, c.allocate_request(h.out), h.tuple);
    EXPECT_EQ(stale.kind, Kind::retry);
    EXPECT_EQ(stale.code, ErrorCode::stale_nonce);
    EXPECT_NE(c.nonce(), first_nonce);
    EXPECT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::success);
}

TEST(TurnAllocate, AnswersNonceIssuedToAnotherAddressWith438) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::retry);
    alloc::FiveTuple elsewhere = h.tuple;
    elsewhere.client = at("203.0.113.6:50000");  // another address, not only another port
    const ClientResult r = h.exchange(c, c.allocate_request(h.out), elsewhere);
    EXPECT_EQ(r.kind, Kind::retry);
    EXPECT_EQ(r.code, ErrorCode::stale_nonce);
    EXPECT_EQ(h.exchange(c, c.allocate_request(h.out), elsewhere).kind, Kind::success);
}

TEST(TurnAllocate, ANonceIsGoodFromAnotherPortOfTheSameAddress) {
    // A TCP client redirected by 300 reaches the alternate over a new connection.
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::retry);
    EXPECT_EQ(h.exchange(c, c.allocate_request(h.out), h.other_tuple(50001)).kind, Kind::success);
}

TEST(TurnAllocate, EveryNodeOfARealmAcceptsTheOthersNonces) {
    const NonceIssuer a(NonceIssuer::key_for_realm("school.example"), 600);
    const NonceIssuer b(NonceIssuer::key_for_realm("school.example"), 600);
    const NonceIssuer other(NonceIssuer::key_for_realm("other.example"), 600);
    const auto client = at("203.0.113.5:50000");
    const auto nonce = a.issue(client, 1'700'000'000);
    EXPECT_EQ(b.check(nonce.view(), client, 1'700'000'010), NonceIssuer::Verdict::valid);
    EXPECT_EQ(other.check(nonce.view(), client, 1'700'000'010), NonceIssuer::Verdict::stale);
}

TEST(TurnAllocate, RefusesMissingRequestedTransportWith400) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    const ClientResult r = h.allocate(c, with_transport(std::nullopt));
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::bad_request);
}

TEST(TurnAllocate, RefusesTcpTransportWith442) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    EXPECT_EQ(h.allocate(c, with_transport(stun::RequestedTransport::tcp)).code,
              ErrorCode::unsupported_transport_protocol);
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
}

TEST(TurnAllocate, RefusesSecondAllocateOnSameFiveTupleWith437) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(c).kind, Kind::success);
    const ClientResult again = h.allocate(c);
    EXPECT_EQ(again.kind, Kind::error);
    EXPECT_EQ(again.code, ErrorCode::allocation_mismatch);
    EXPECT_EQ(h.server.allocation_count(), 1u);
}

TEST(TurnAllocate, AnswersRetransmittedAllocateWithSameSuccess) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::retry);
    const Bytes request = bytes_of(c.allocate_request(h.out));
    const ClientAction first = h.send(request);
    ASSERT_EQ(first.kind, ClientAction::Kind::reply);
    const Bytes first_reply = bytes_of(first.bytes);
    const ClientAction second = h.send(request);
    ASSERT_EQ(second.kind, ClientAction::Kind::reply);
    EXPECT_EQ(bytes_of(second.bytes), first_reply);
    EXPECT_EQ(c.handle_response(first_reply).kind, Kind::success);
    EXPECT_EQ(h.server.allocation_count(), 1u);
    EXPECT_EQ(h.host.book.ledger().total(), 1u);
}

TEST(TurnAllocate, RefusesAllocationPastUserQuotaWith486) {
    HarnessOptions o;
    o.user_quota = 2;
    Harness h(o);
    TurnClient c("alice", "alice-pw", 1);
    EXPECT_EQ(h.allocate(c, h.other_tuple(1001)).kind, Kind::success);
    EXPECT_EQ(h.allocate(c, h.other_tuple(1002)).kind, Kind::success);
    const ClientResult third = h.allocate(c, h.other_tuple(1003));
    EXPECT_EQ(third.kind, Kind::error);
    EXPECT_EQ(third.code, ErrorCode::allocation_quota_reached);
    TurnClient bob("bob", "bob-pw", 2);
    EXPECT_EQ(h.allocate(bob, h.other_tuple(1004)).kind, Kind::success);
}

TEST(TurnAllocate, RefusesAllocationPastTotalQuotaWith508) {
    HarnessOptions o;
    o.total_quota = 2;
    Harness h(o);
    TurnClient alice("alice", "alice-pw", 1);
    TurnClient bob("bob", "bob-pw", 2);
    EXPECT_EQ(h.allocate(alice, h.other_tuple(1001)).kind, Kind::success);
    EXPECT_EQ(h.allocate(bob, h.other_tuple(1002)).kind, Kind::success);
    const ClientResult third = h.allocate(bob, h.other_tuple(1003));
    EXPECT_EQ(third.kind, Kind::error);
    EXPECT_EQ(third.code, ErrorCode::insufficient_capacity);
    EXPECT_EQ(h.server.allocation_count(), 2u);
}

TEST(TurnAllocate, AcceptsValidRestUsername) {
    Harness h;
    const std::string user = rest_username(h.now.unix_seconds + 3600, "student-7");
    TurnClient c(user, rest_password(secret_one, user), 1);
    const ClientResult r = h.allocate(c);
    EXPECT_EQ(r.kind, Kind::success);
    EXPECT_EQ(h.host.book.ledger().of(user), 0u);  // counted by user id, not username
    EXPECT_EQ(h.host.book.ledger().of("student-7"), 1u);
}

TEST(TurnAllocate, RefusesExpiredRestUsernameWith401) {
    Harness h;
    const std::string user = rest_username(h.now.unix_seconds - 10, "student-7");
    TurnClient c(user, rest_password(secret_one, user), 1);
    const ClientResult r = h.allocate(c);
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::unauthenticated);
}

TEST(TurnAllocate, AcceptsRestPasswordsOfEverySecretDuringRotation) {
    Harness h;
    const std::string user = rest_username(h.now.unix_seconds + 3600, "student-7");
    TurnClient old_secret(user, rest_password(secret_one, user), 1);
    TurnClient new_secret(user, rest_password(secret_two, user), 2);
    TurnClient neither(user, rest_password("secret-three", user), 3);
    EXPECT_EQ(h.allocate(old_secret, h.other_tuple(1001)).kind, Kind::success);
    EXPECT_EQ(h.allocate(new_secret, h.other_tuple(1002)).kind, Kind::success);
    EXPECT_EQ(h.allocate(neither, h.other_tuple(1003)).code, ErrorCode::unauthenticated);
}

TEST(TurnAllocate, RefusesUnsupportedAddressFamilyWith440) {
    Harness h;  // an IPv4-only relay pool
    TurnClient c("alice", "alice-pw", 1);
    const ClientResult r = h.allocate(c, with_family(AddressFamily::ipv6));
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, ErrorCode::address_family_not_supported);
    EXPECT_EQ(h.host.book.ledger().total(), 0u);
}

TEST(TurnAllocate, GivesIpv6RelayWhenAskedAndSupported) {
    HarnessOptions o;
    o.relay_range = "2001:db8:1::/64";
    Harness h(o);
    TurnClient c("alice", "alice-pw", 1);
    const ClientResult r = h.allocate(c, with_family(AddressFamily::ipv6));
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_TRUE(cidr("2001:db8:1::/64").contains(r.relayed->ip));
}

TEST(TurnAllocate, GivesEvenPortWhenAsked) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    for (std::uint16_t port = 1001; port <= 1010; ++port) {
        const ClientResult r = h.allocate(c, h.other_tuple(port), with_even_port());
        ASSERT_EQ(r.kind, Kind::success);
        EXPECT_EQ(r.relayed->port % 2, 0) << r.relayed->to_string();
    }
}

TEST(TurnAllocate, EvenPortWithReserveBitKeepsTheNextPortForItsToken) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    AllocateOptions rtp = with_even_port();
    rtp.reserve_next = true;
    const ClientResult first = h.allocate(c, h.other_tuple(2001), rtp);
    ASSERT_EQ(first.kind, Kind::success);
    ASSERT_TRUE(first.reservation_token);
    EXPECT_EQ(first.relayed->port % 2, 0);

    AllocateOptions rtcp;
    rtcp.reservation_token = first.reservation_token;
    const ClientResult second = h.allocate(c, h.other_tuple(2002), rtcp);
    ASSERT_EQ(second.kind, Kind::success);
    EXPECT_EQ(second.relayed->ip, first.relayed->ip);
    EXPECT_EQ(second.relayed->port, first.relayed->port + 1);

    // A token is good once.
    const ClientResult third = h.allocate(c, h.other_tuple(2003), rtcp);
    EXPECT_EQ(third.code, ErrorCode::insufficient_capacity);
}

TEST(TurnAllocate, ReservationTokenWithEvenPortIsABadRequest) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    AllocateOptions o = with_even_port();
    o.reservation_token = std::array<std::uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(h.allocate(c, o).code, ErrorCode::bad_request);
}

TEST(TurnAllocate, HonoursDontFragmentOnTheRelaySocket) {
    // RFC 8656 §7.2: accepted only because DF is really set (integration: abuse_test.cpp
    // reads it off the server's socket); a server that could not would answer 420.
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    EXPECT_EQ(h.allocate(c, with_dont_fragment()).kind, Kind::success);
    EXPECT_TRUE(h.host.last_socket.dont_fragment);
}

}  // namespace
}  // namespace hallpass::turn::testing
