// The complete peer policy (DESIGN.md "Defaults that protect the host"), tried in every
// form a client can write a peer in, on each request that names one — CreatePermission,
// ChannelBind and Send — for IPv4 and IPv6 allocations.
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::ErrorCode;

// The server's own listeners in these tests: a public IPv4 and IPv6 address, port 3478.
const std::vector<std::string> own = {"198.52.100.1:3478", "[2a00:1450::1]:3478"};

HarnessOptions options(std::string range, std::vector<std::string> allow = {}, std::vector<std::string> deny = {}) {
    HarnessOptions o;
    o.relay_range = std::move(range);
    o.allow = std::move(allow);
    o.deny = std::move(deny);
    o.own_endpoints = own;
    return o;
}

// One allocation of the given family, and the three ways to name a peer.
class PeerUse {
public:
    explicit PeerUse(const HarnessOptions& o, AddressFamily family) : h(o) {
        AllocateOptions a;
        a.family = family;
        EXPECT_EQ(h.allocate(alice, a).kind, Kind::success);
    }
    ClientResult permit(const TransportAddress& peer) { return h.permit(alice, peer); }
    ClientResult bind(const TransportAddress& peer) { return h.bind(alice, next_channel++, peer); }
    bool send_reaches(const TransportAddress& peer) {
        const ClientAction a = h.send(alice.send_indication(h.out, peer, bytes_of("media")));
        return a.kind == ClientAction::Kind::to_peer;
    }
    // Refused on all three: 403 to both requests, and no Send gets through.
    void expect_refused(std::string_view text) {
        SCOPED_TRACE(text);
        const TransportAddress peer = at(text);
        EXPECT_EQ(permit(peer).code, ErrorCode::forbidden);
        EXPECT_EQ(bind(peer).code, ErrorCode::forbidden);
        EXPECT_FALSE(send_reaches(peer));
    }
    void expect_permitted(std::string_view text) {
        SCOPED_TRACE(text);
        const TransportAddress peer = at(text);
        EXPECT_EQ(permit(peer).kind, Kind::success);
        EXPECT_EQ(bind(peer).kind, Kind::success);
        EXPECT_TRUE(send_reaches(peer));
    }

    Harness h;
    TurnClient alice{"alice", "alice-pw", 1};
    std::uint16_t next_channel = 0x4000;
};

PeerUse v4(std::vector<std::string> allow = {}, std::vector<std::string> deny = {}) {
    return PeerUse(options("192.0.2.0/24", std::move(allow), std::move(deny)), AddressFamily::ipv4);
}
PeerUse v6(std::vector<std::string> allow = {}, std::vector<std::string> deny = {}) {
    return PeerUse(options("2001:db8:1::/64", std::move(allow), std::move(deny)), AddressFamily::ipv6);
}

TEST(PeerPolicyIpv4, RefusesTheBuiltInRanges) {
    auto u = v4();
    for (auto peer : {"0.0.0.0:5000", "0.1.2.3:5000", "10.1.2.3:5000", "100.64.0.1:5000", "100.127.255.254:5000",
                      "127.0.0.1:5000", "127.9.9.9:5000", "169.254.169.254:80", "172.16.0.1:5000",
                      "172.31.255.254:5000", "192.0.0.8:5000", "192.0.2.10:5000", "192.88.99.1:5000",
                      "192.168.1.1:5000", "198.18.0.1:5000", "198.19.255.1:5000", "198.51.100.7:5000",
                      "203.0.113.9:5000", "224.0.0.251:5353", "239.255.255.250:1900", "240.0.0.1:5000",
                      "255.255.255.255:5000"})
        u.expect_refused(peer);
}

TEST(PeerPolicyIpv4, JudgesIpv4MappedPeersAsTheIpv4Inside) {
    auto u = v4();
    for (auto peer : {"[::ffff:10.0.0.1]:5000", "[::ffff:127.0.0.1]:3478", "[::ffff:169.254.169.254]:80",
                      "[::ffff:0.0.0.0]:5000"})
        u.expect_refused(peer);
    u.expect_permitted("[::ffff:8.8.8.8]:5000");
}

TEST(PeerPolicyIpv4, PermitsOrdinaryPublicPeers) {
    auto u = v4();
    for (auto peer : {"8.8.8.8:3478", "198.52.100.7:5000", "1.1.1.1:443"}) u.expect_permitted(peer);
}

TEST(PeerPolicyIpv4, NeverRelaysToOurOwnListeners) {
    auto u = v4();
    u.expect_refused("198.52.100.1:3478");
    u.expect_refused("[::ffff:198.52.100.1]:3478");
    // The same IP on another port is a relay address of another allocation, which WebRTC
    // needs when both ends are relayed; with its permission in place, a Send to the
    // listener port is still dropped.
    u.expect_permitted("198.52.100.1:40000");
    EXPECT_FALSE(u.send_reaches(at("198.52.100.1:3478")));
}

TEST(PeerPolicyIpv4, OwnListenersStayRefusedEvenWhenAllowed) {
    auto u = v4({"198.52.100.0/24", "127.0.0.0/8"});
    u.expect_refused("198.52.100.1:3478");
    u.expect_permitted("198.52.100.1:3479");
}

TEST(PeerPolicyIpv4, AllowOverridesTheBuiltInList) {
    auto u = v4({"10.0.0.0/8"});
    u.expect_permitted("10.1.2.3:5000");
    u.expect_permitted("[::ffff:10.0.0.1]:5000");
    u.expect_refused("127.0.0.1:5000");
}

TEST(PeerPolicyIpv4, DenyWinsOverABroaderAllow) {
    auto u = v4({"10.0.0.0/8"}, {"10.9.0.0/16", "8.8.0.0/16"});
    u.expect_permitted("10.1.2.3:5000");
    u.expect_refused("10.9.1.1:5000");
    u.expect_refused("[::ffff:10.9.1.1]:5000");
    u.expect_refused("8.8.8.8:5000");  // deny also adds to the built-in list
    u.expect_permitted("8.9.8.8:5000");
}

TEST(PeerPolicyIpv6, RefusesTheBuiltInRanges) {
    auto u = v6();
    for (auto peer : {"[::]:5000", "[::1]:5000", "[::10.0.0.1]:5000", "[::8.8.8.8]:5000", "[100::1]:5000",
                      "[2001::1]:3544", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]:5000", "[2001:2::1]:5000",
                      "[2001:db8::1]:5000", "[3fff::1]:5000", "[fc00::1]:5000", "[fd12:3456::1]:5000",
                      "[fe80::1]:5000", "[febf::1]:5000", "[fec0::1]:5000", "[ff02::1]:5000", "[ff0e::1]:5000"})
        u.expect_refused(peer);
}

TEST(PeerPolicyIpv6, JudgesNat64And6to4ByTheIpv4Inside) {
    auto u = v6();
    for (auto peer : {// NAT64 well-known prefix, RFC 6052
                      "[64:ff9b::10.0.0.1]:5000", "[64:ff9b::127.0.0.1]:5000", "[64:ff9b::a9fe:a9fe]:80",
                      // local-use NAT64 prefix, RFC 8215, embedding 127.0.0.1 as a /48, /56, /64, /96
                      "[64:ff9b:1:7f00:0:100::]:5000", "[64:ff9b:1:7f:0:1::]:5000", "[64:ff9b:1:0:7f:0:100::]:5000",
                      "[64:ff9b:1::7f00:1]:5000",
                      // 6to4, RFC 3056: 127.0.0.1 and 192.168.1.1 inside
                      "[2002:7f00:1::1]:5000", "[2002:c0a8:101::1]:5000"})
        u.expect_refused(peer);
    u.expect_permitted("[64:ff9b::8.8.8.8]:5000");
    u.expect_permitted("[2002:808:808::1]:5000");
}

TEST(PeerPolicyIpv6, LocalUseNat64IsRefusedUnlessEveryReadingIsPublic) {
    // Which prefix length an operator picked inside 64:ff9b:1::/48 is unknown, so every
    // reading must be a permitted IPv4 address; in practice one reads as 0.0.0.0/8.
    auto u = v6();
    u.expect_refused("[64:ff9b:1::808:808]:5000");
    auto allowed = v6({"64:ff9b:1::/48"});
    allowed.expect_permitted("[64:ff9b:1::808:808]:5000");
}

TEST(PeerPolicyIpv6, PermitsOrdinaryPublicPeers) {
    auto u = v6();
    for (auto peer : {"[2a00:1450:4001::5]:3478", "[2606:4700::1111]:443"}) u.expect_permitted(peer);
}

TEST(PeerPolicyIpv6, NeverRelaysToOurOwnListeners) {
    auto u = v6();
    u.expect_refused("[2a00:1450::1]:3478");
    u.expect_refused("[64:ff9b::198.52.100.1]:3478");  // our IPv4 listener, through NAT64
    u.expect_refused("[2002:c634:6401::1]:3478");      // ... and through 6to4
    u.expect_permitted("[2a00:1450::1]:40000");
    EXPECT_FALSE(u.send_reaches(at("[2a00:1450::1]:3478")));
}

TEST(PeerPolicyIpv6, DenyWinsOverABroaderAllowAndAllowOverridesTheList) {
    auto u = v6({"fd00::/8", "10.0.0.0/8"}, {"fd00:bad::/32", "64:ff9b::/96"});
    u.expect_permitted("[fd00:1::5]:5000");
    u.expect_refused("[fd00:bad::5]:5000");
    u.expect_refused("[64:ff9b::10.0.0.1]:5000");  // deny of the NAT64 prefix itself wins
    auto nat64 = v6({"10.0.0.0/8"});
    nat64.expect_permitted("[64:ff9b::10.0.0.1]:5000");  // allowed as the IPv4 inside
    // An IPv4 deny holds through an allowed NAT64 or 6to4 prefix too.
    auto through = v6({"64:ff9b::/96", "2002::/16"}, {"8.8.8.0/24"});
    through.expect_refused("[64:ff9b::8.8.8.8]:5000");
    through.expect_refused("[2002:808:808::1]:5000");
    through.expect_permitted("[64:ff9b::8.8.4.4]:5000");
}

TEST(PeerPolicy, EmbeddedIpv4ReadsEachForm) {
    auto inside = [](std::string_view text) {
        std::vector<std::string> out;
        for (const auto& ip : embedded_ipv4(*IpAddress::parse(text))) out.push_back(ip.to_string());
        return out;
    };
    EXPECT_EQ(inside("::ffff:10.1.2.3"), std::vector<std::string>{"10.1.2.3"});
    EXPECT_EQ(inside("64:ff9b::10.1.2.3"), std::vector<std::string>{"10.1.2.3"});
    EXPECT_EQ(inside("2002:a01:203::"), std::vector<std::string>{"10.1.2.3"});
    EXPECT_EQ(inside("64:ff9b:1:7f00:0:100::").front(), "127.0.0.1");
    EXPECT_EQ(inside("64:ff9b:1:7f:0:1::")[1], "127.0.0.1");
    EXPECT_EQ(inside("64:ff9b:1:0:7f:0:100::")[2], "127.0.0.1");
    EXPECT_EQ(inside("64:ff9b:1::7f00:1")[3], "127.0.0.1");
    EXPECT_TRUE(inside("2a00:1450::1").empty());
    EXPECT_TRUE(inside("10.1.2.3").empty());
    EXPECT_TRUE(inside("64:ff9b:0:0:1::").empty());  // not the /96: a nonzero in bytes 8-11
}

}  // namespace
}  // namespace hallpass::turn::testing
