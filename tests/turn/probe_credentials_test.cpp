// Probe credentials (the school network check's own): their username carries a nonce and
// the client IP they were minted for, only the probe key signs them, they live minutes, and
// their allocations reach only the server's relay addresses and ports and that client where
// the peer policy allows it — with a short lifetime and a bandwidth cap of their own.
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
    const std::string user = probe_username(expiry, "0a1b", ip);
    return TurnClient(user, rest_password(probe_key(secret), user), 7);
}

TEST(ProbeUsername, CarriesANonceAndTheClientIp) {
    const auto ip = *IpAddress::parse("198.51.100.7");
    EXPECT_EQ(probe_username(1700000300, "9f3c", ip), "1700000300:hallpass-check:9f3c:198.51.100.7");
    EXPECT_EQ(probe_client("1700000300:hallpass-check:9f3c:198.51.100.7"), ip);
    EXPECT_EQ(probe_client(probe_username(1, "ab", *IpAddress::parse("2001:db8::5"))), IpAddress::parse("2001:db8::5"));
    EXPECT_TRUE(is_probe_username("1700000300:hallpass-check:whatever"));
    for (const char* other : {"alice", "1700000300:student-1", "1700000300", "x:hallpass-check:ab:1.2.3.4",
                              "hallpass-check:ab:1.2.3.4"}) {
        EXPECT_FALSE(is_probe_username(other)) << other;
        EXPECT_FALSE(probe_client(other)) << other;
    }
    // Reserved but not well made: never a client IP.
    for (const char* bad : {"1700000300:hallpass-check:", "1700000300:hallpass-check:ab:not-an-ip",
                            "1700000300:hallpass-check:1.2.3.4", "1700000300:hallpass-check:AB:1.2.3.4",
                            "1700000300:hallpass-check:zz:1.2.3.4", "1700000300:hallpass-check:ab:1.2.3.4:99",
                            "1700000300:hallpass-check:0123456789abcdef0123456789abcdef0:1.2.3.4"}) {
        EXPECT_TRUE(is_probe_username(bad)) << bad;
        EXPECT_FALSE(probe_client(bad)) << bad;
    }
}

TEST(ProbeKey, IsItsOwnAndTheSameOnEveryNode) {
    EXPECT_EQ(probe_key("s"), probe_key("s"));
    EXPECT_NE(probe_key("s"), probe_key("t"));
    EXPECT_EQ(probe_key("s").size(), 40u);  // hex of an HMAC-SHA1
    EXPECT_EQ(probe_key("s").find('s'), std::string::npos);
}

TEST(ProbeLookup, OnlyTheProbeKeySignsAProbeUsername) {
    const CredentialStore store("r", {}, {"secret"}, {0, probe_key("secret"), 600});
    const std::string user = probe_username(now_unix + 300, "0a1b", student);
    const auto found = store.lookup(user, now_unix);
    ASSERT_EQ(found.status, CredentialLookup::Status::found);
    ASSERT_EQ(found.keys.size(), 1u);
    EXPECT_EQ(found.keys[0], stun::long_term_key_md5(user, "r", rest_password(probe_key("secret"), user)));
    EXPECT_NE(found.keys[0], stun::long_term_key_md5(user, "r", rest_password("secret", user)));
    // Its quota identity is the check's own (nonce and client), not the whole school's.
    EXPECT_EQ(user.substr(found.identity_offset), "hallpass-check:0a1b:203.0.113.5");

    EXPECT_EQ(store.lookup(probe_username(now_unix - 1, "0a1b", student), now_unix).status,
              CredentialLookup::Status::expired);
    EXPECT_EQ(store.lookup(probe_username(now_unix + 601, "0a1b", student), now_unix).status,
              CredentialLookup::Status::too_far_ahead);
    // The reserved form, badly made, is nobody: not even an ordinary REST username.
    EXPECT_TRUE(store.lookup(std::to_string(now_unix + 300) + ":hallpass-check:not-an-ip", now_unix).keys.empty());
    // No probe key (the check is off, or no shared secret): no probe credential is good.
    const CredentialStore without("r", {}, {"secret"}, {});
    EXPECT_TRUE(without.lookup(user, now_unix).keys.empty());
}

TEST(ProbeAllocation, ReachesOnlyRelayAddressesAndItsOwnClient) {
    HarnessOptions o;
    o.deny = {"192.0.2.99/32"};
    o.allow = {"203.0.113.0/24"};  // the harness's client network, a documentation range
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

// Whoever holds the shared secret can compute the probe key; a probe minted for a loopback,
// private or denied "client" (or by a page behind a local reverse proxy, where every client
// is 127.0.0.1) must reach nothing an ordinary credential could not.
TEST(ProbeAllocation, ItsClientIsJudgedAsAnyPeer) {
    for (const char* client : {"127.0.0.1", "127.0.0.53", "169.254.169.254", "10.1.2.3", "192.168.0.1"}) {
        Harness h;
        TurnClient probe = probe_client_for(*IpAddress::parse(client));
        ASSERT_EQ(h.allocate(probe).kind, Kind::success);
        EXPECT_EQ(h.permit(probe, {*IpAddress::parse(client), 5000}).code, ErrorCode::forbidden) << client;
    }
}

TEST(ProbeAllocation, ACredentialForAnotherClientReachesThatClientAndItsOwnAddressOnly) {
    // Minted for 198.51.100.20 (through a web proxy, say) and used from 203.0.113.5: it may
    // reach the address in the username and the one it is used from, nobody else.
    HarnessOptions o;
    o.allow = {"198.51.100.0/24", "203.0.113.0/24"};
    Harness h(o);
    TurnClient probe = probe_client_for(*IpAddress::parse("198.51.100.20"));
    ASSERT_EQ(h.allocate(probe).kind, Kind::success);
    EXPECT_EQ(h.permit(probe, at("198.51.100.20:4000")).kind, Kind::success);
    EXPECT_EQ(h.permit(probe, at("203.0.113.5:4000")).kind, Kind::success);
    EXPECT_EQ(h.permit(probe, at("203.0.113.6:4000")).code, ErrorCode::forbidden);
    EXPECT_EQ(h.permit(probe, at("198.51.100.21:4000")).code, ErrorCode::forbidden);
}

TEST(ProbeAllocation, ItsOwnAddressIsJudgedAsAnyPeer) {
    // The default deny list refuses 203.0.113.0/24 (documentation): the own address too.
    Harness h;
    TurnClient probe = probe_client_for(*IpAddress::parse("198.51.100.20"));
    ASSERT_EQ(h.allocate(probe).kind, Kind::success);
    EXPECT_EQ(h.permit(probe, at("203.0.113.5:4000")).code, ErrorCode::forbidden);
}

TEST(ProbePolicy, RelayAddressesOnlyOnRelayPortsAndNeverWhereDenied) {
    const PeerPolicy policy(PeerRules{{}, {cidr("10.9.0.0/16")}, {at("198.51.100.1:3478")},
                                      {cidr("10.0.0.0/24"), cidr("198.51.100.1/32")}, 49152, 65535});
    const IpAddress client = *IpAddress::parse("8.8.4.4");
    EXPECT_TRUE(policy.permits_probe(at("10.0.0.7:50000"), client));  // a private relay range (1:1 NAT)
    EXPECT_TRUE(policy.permits_probe(at("198.51.100.1:60000"), client));  // its advertised address
    EXPECT_FALSE(policy.permits_probe(at("10.0.0.7:22"), client));  // another service on the relay host
    EXPECT_FALSE(policy.permits_probe(at("198.51.100.1:3478"), client));  // a listener
    EXPECT_TRUE(policy.permits_probe(at("8.8.4.4:40000"), client));  // its client, any port
    EXPECT_FALSE(policy.permits_probe(at("8.8.4.5:40000"), client));
    // An operator deny covers the client too, through NAT64 as well.
    const IpAddress denied = *IpAddress::parse("64:ff9b::a09:1");  // 10.9.0.1
    EXPECT_FALSE(policy.permits_probe({denied, 40000}, denied));
}

TEST(ProbePolicy, AClientOnARelayAddressStillReachesTheRelayPorts) {
    // The Debian package's loopback trial: the probe runs on the server, so its address is
    // the relay address, which the default deny list refuses as an ordinary peer.
    const PeerPolicy policy(PeerRules{{}, {}, {at("127.0.0.1:3478")}, {cidr("127.0.0.1/32")}, 16384, 32767});
    const IpAddress client = *IpAddress::parse("127.0.0.1");
    EXPECT_TRUE(policy.permits_probe(at("127.0.0.1:20000"), client));
    EXPECT_FALSE(policy.permits_probe(at("127.0.0.1:22"), client));  // not a relay port, loopback not allowed
    EXPECT_FALSE(policy.permits_probe(at("127.0.0.1:3478"), client));  // a listener
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

TEST(ProbeAllocation, SignedWithTheSharedSecretItselfItIsRefused) {
    // Signed as a REST issuer signs (with the secret, not the key derived from it): refused.
    Harness h;
    const std::string user = probe_username(now_unix + 300, "0a1b", student);
    TurnClient forged(user, rest_password(secret_one, user), 9);
    EXPECT_EQ(h.allocate(forged).code, ErrorCode::unauthenticated);
}

}  // namespace
}  // namespace hallpass::turn::testing
