// Probe credentials (the school network check's own): their username carries the client IP
// they were minted for, only the probe key signs them, they live minutes, and their
// allocations reach only the server's relay addresses and that client — with a short
// lifetime and a bandwidth cap of their own.
#include "turn/probe_credentials.hpp"

#include "tests/turn/turn_harness.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

const std::int64_t now_unix = 1'700'000'000;  // the harness's clock
const IpAddress student = *IpAddress::parse("203.0.113.5");  // the harness's client

TurnClient probe_client_for(const IpAddress& ip, std::int64_t expiry = now_unix + 300,
                            std::string_view secret = secret_one) {
    const std::string user = probe_username(expiry, ip);
    return TurnClient(user, rest_password(probe_key(secret), user), 7);
}

TEST(ProbeUsername, CarriesTheClientIp) {
    EXPECT_EQ(probe_username(1700000300, *IpAddress::parse("198.51.100.7")), "1700000300:hallpass-check:198.51.100.7");
    EXPECT_EQ(probe_client("1700000300:hallpass-check:198.51.100.7"), IpAddress::parse("198.51.100.7"));
    EXPECT_EQ(probe_client(probe_username(1, *IpAddress::parse("2001:db8::5"))), IpAddress::parse("2001:db8::5"));
    for (const char* other : {"alice", "1700000300:student-1", "1700000300", "x:hallpass-check:1.2.3.4",
                              "1700000300:hallpass-check:", "1700000300:hallpass-check:not-an-ip",
                              "1700000300:hallpass-check:1.2.3.4:99", "hallpass-check:1.2.3.4"})
        EXPECT_FALSE(probe_client(other)) << other;
}

TEST(ProbeKey, IsItsOwnAndTheSameOnEveryNode) {
    EXPECT_EQ(probe_key("s"), probe_key("s"));
    EXPECT_NE(probe_key("s"), probe_key("t"));
    EXPECT_EQ(probe_key("s").size(), 40u);  // hex of an HMAC-SHA1
    EXPECT_EQ(probe_key("s").find('s'), std::string::npos);
}

TEST(ProbeLookup, OnlyTheProbeKeySignsAProbeUsername) {
    const CredentialStore store("r", {}, {"secret"}, {0, probe_key("secret"), 600});
    const std::string user = probe_username(now_unix + 300, student);
    const auto found = store.lookup(user, now_unix);
    ASSERT_EQ(found.status, CredentialLookup::Status::found);
    ASSERT_EQ(found.keys.size(), 1u);
    EXPECT_EQ(found.keys[0], stun::long_term_key_md5(user, "r", rest_password(probe_key("secret"), user)));
    EXPECT_NE(found.keys[0], stun::long_term_key_md5(user, "r", rest_password("secret", user)));
    // Its quota identity is the client's.
    EXPECT_EQ(user.substr(found.identity_offset), "hallpass-check:203.0.113.5");

    EXPECT_EQ(store.lookup(probe_username(now_unix - 1, student), now_unix).status,
              CredentialLookup::Status::expired);
    EXPECT_EQ(store.lookup(probe_username(now_unix + 601, student), now_unix).status,
              CredentialLookup::Status::too_far_ahead);
    // No probe key (the check is off, or no shared secret): no probe credential is good.
    const CredentialStore without("r", {}, {"secret"}, {});
    EXPECT_TRUE(without.lookup(user, now_unix).keys.empty());
}

TEST(ProbeAllocation, ReachesOnlyRelayAddressesAndItsOwnClient) {
    HarnessOptions o;
    o.deny = {"192.0.2.99/32"};
    Harness h(o);
    TurnClient probe = probe_client_for(student);
    ASSERT_EQ(h.allocate(probe).kind, Kind::success);
    EXPECT_EQ(h.permit(probe, at("192.0.2.40:5000")).kind, Kind::success);  // another relay address
    EXPECT_EQ(h.permit(probe, at("203.0.113.5:61000")).kind, Kind::success);  // its client
    EXPECT_EQ(h.bind(probe, 0x4000, at("192.0.2.41:5000")).kind, Kind::success);
    for (const char* elsewhere : {"8.8.8.8:53", "203.0.113.6:5000", "198.51.100.1:3478", "192.0.2.99:5000",
                                  "127.0.0.1:5000", "10.0.0.1:5000"}) {
        EXPECT_EQ(h.permit(probe, at(elsewhere)).code, ErrorCode::forbidden) << elsewhere;
        EXPECT_EQ(h.bind(probe, 0x4001, at(elsewhere)).code, ErrorCode::forbidden) << elsewhere;
    }
    const ClientAction send = h.send(probe.send_indication(h.out, at("8.8.8.8:53"), bytes_of("x")));
    EXPECT_NE(send.kind, ClientAction::Kind::to_peer);
}

TEST(ProbeAllocation, ACredentialForAnotherClientStillReachesOnlyThatClient) {
    // Minted for 198.51.100.20 and used from 203.0.113.5: the page's own address is the one
    // in the username, not whoever presents it.
    Harness h;
    TurnClient probe = probe_client_for(*IpAddress::parse("198.51.100.20"));
    ASSERT_EQ(h.allocate(probe).kind, Kind::success);
    EXPECT_EQ(h.permit(probe, at("198.51.100.20:4000")).kind, Kind::success);
    EXPECT_EQ(h.permit(probe, at("203.0.113.5:4000")).code, ErrorCode::forbidden);
}

TEST(ProbeAllocation, HasAShortLifetimeAndItsOwnBandwidth) {
    HarnessOptions o;
    o.server.probe.max_lifetime = 120;
    o.server.probe.bandwidth = {4'000'000};
    o.server.allocation_bandwidth = {20'000'000};
    Harness h(o);
    TurnClient probe = probe_client_for(student);
    AllocateOptions a;
    a.lifetime = 3600;
    const auto r = h.allocate(probe, a);
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.lifetime, 120u);
    EXPECT_EQ(h.refresh(probe, 3600).lifetime, 120u);
    h.server.table().for_each([](const alloc::Allocation& x) { EXPECT_EQ(x.bandwidth.bits_per_second, 4'000'000u); });
    // An ordinary user's allocation is untouched by the probe limits.
    TurnClient alice{"alice", "alice-pw", 1};
    const auto other = h.allocate(alice, h.other_tuple(50001), a);
    ASSERT_EQ(other.kind, Kind::success);
    EXPECT_EQ(other.lifetime, 3600u);
}

TEST(ProbeAllocation, AnOrdinarySecretCannotMintOne) {
    // Signed with the shared secret itself, as a REST issuer would: refused.
    Harness h;
    const std::string user = probe_username(now_unix + 300, student);
    TurnClient forged(user, rest_password(secret_one, user), 9);
    EXPECT_EQ(h.allocate(forged).code, ErrorCode::unauthenticated);
}

}  // namespace
}  // namespace hallpass::turn::testing
