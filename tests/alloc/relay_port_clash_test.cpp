#include "alloc/relay_port_clash.hpp"

#include <gtest/gtest.h>

namespace hallpass::alloc {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
CidrBlock block(const char* text) { return *CidrBlock::parse(text); }

TEST(RelayPortClash, AMediaServerOnARelayAddressInsideThePortRangeIsAClash) {
    const std::vector<BoundUdpSocket> sockets = {
        {ip("10.0.0.5"), 16390, "freeswitch (pid 8)"},
        {ip("10.0.0.5"), 17002, "freeswitch (pid 8)"},
        {ip("10.0.0.5"), 16384, "freeswitch (pid 8)"},
        {ip("10.0.0.9"), 16500, "mediasoup-worker (pid 9)"},  // not a relay address
        {ip("10.0.0.5"), 40000, "janus (pid 10)"},            // outside the relay ports
        {ip("10.0.0.5"), 3478, "coturn (pid 11)"},
    };
    const auto clashes = relay_port_clashes({block("10.0.0.4/31")}, {16384, 29999}, sockets);
    ASSERT_EQ(clashes.size(), 1u);
    EXPECT_EQ(clashes[0].owner, "freeswitch (pid 8)");
    EXPECT_EQ(clashes[0].ip, ip("10.0.0.5"));
    EXPECT_EQ(clashes[0].lowest_port, 16384);
    EXPECT_EQ(clashes[0].highest_port, 17002);
    EXPECT_EQ(clashes[0].sockets, 3u);
}

// 0.0.0.0 holds the port on every IPv4 address; "::" on every IPv6 one and, dual-stack by
// default, on every IPv4 one too; "::ffff:192.0.2.7" is 192.0.2.7.
TEST(RelayPortClash, WildcardsAndMappedAddressesCountForTheAddressesTheyHold) {
    const std::vector<BoundUdpSocket> sockets = {
        {ip("0.0.0.0"), 20000, "a (pid 1)"},
        {ip("::"), 20001, "b (pid 2)"},
        {ip("::ffff:192.0.2.7"), 20002, "c (pid 3)"},
        {ip("::ffff:198.51.100.1"), 20003, "d (pid 4)"},
    };
    const auto v4 = relay_port_clashes({block("192.0.2.0/24")}, {16384, 32767}, sockets);
    ASSERT_EQ(v4.size(), 3u);
    EXPECT_EQ(v4[0].owner, "a (pid 1)");
    EXPECT_EQ(v4[1].owner, "b (pid 2)");
    EXPECT_EQ(v4[2].owner, "c (pid 3)");
    EXPECT_EQ(v4[2].ip, ip("192.0.2.7"));
    const auto v6 = relay_port_clashes({block("2001:db8::/64")}, {16384, 32767}, sockets);
    ASSERT_EQ(v6.size(), 1u);
    EXPECT_EQ(v6[0].owner, "b (pid 2)");
}

TEST(RelayPortClash, PortsApartOrAddressesApartAreNoClash) {
    const std::vector<BoundUdpSocket> sockets = {{ip("10.0.0.5"), 30000, "m (pid 3)"}};
    EXPECT_TRUE(relay_port_clashes({block("10.0.0.5/32")}, {16384, 29999}, sockets).empty());
    EXPECT_TRUE(relay_port_clashes({block("10.0.0.6/32")}, {16384, 32767}, sockets).empty());
    EXPECT_EQ(relay_port_clashes({block("10.0.0.5/32")}, {30000, 30000}, sockets).size(), 1u);
}

}  // namespace
}  // namespace hallpass::alloc
