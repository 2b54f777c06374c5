// RelayAddressPool: which relay addresses it hands out, and that none goes out twice.
// Every test seeds its own std::mt19937_64, so failures replay exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "alloc/relay_address_pool.hpp"

namespace hallpass::alloc {
namespace {

constexpr auto v4 = AddressFamily::ipv4;
constexpr auto v6 = AddressFamily::ipv6;

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }
TransportAddress at(std::string_view text) { return *TransportAddress::parse(text); }
CidrBlock cidr(std::string_view text) { return *CidrBlock::parse(text); }

RelayAddressPool pool(std::initializer_list<std::string_view> ranges, PortRange ports = {}) {
    std::vector<CidrBlock> blocks;
    for (auto text : ranges) blocks.push_back(cidr(text));
    return RelayAddressPool(std::move(blocks), ports);
}

// Acquires until the pool says no; fails the test on a repeat.
std::set<TransportAddress> drain(RelayAddressPool& p, std::mt19937_64& rng, AddressFamily family,
                                 bool even_port = false) {
    std::set<TransportAddress> got;
    while (auto address = p.acquire(family, rng, even_port)) {
        EXPECT_TRUE(got.insert(*address).second) << "handed out twice: " << address->to_string();
        if (got.size() > 100000) break;  // a bug, not a pool this size
    }
    return got;
}

std::set<IpAddress> ips_of(const std::set<TransportAddress>& addresses) {
    std::set<IpAddress> ips;
    for (const auto& a : addresses) ips.insert(a.ip);
    return ips;
}

TEST(RelayAddressPool, ExcludesNetworkAndBroadcastOfA25) {
    auto p = pool({"10.0.0.0/25"}, {20000, 20000});
    std::mt19937_64 rng(1);
    EXPECT_EQ(p.capacity(v4), 126u);
    const auto ips = ips_of(drain(p, rng, v4));
    EXPECT_EQ(ips.size(), 126u);
    EXPECT_FALSE(ips.count(ip("10.0.0.0")));
    EXPECT_FALSE(ips.count(ip("10.0.0.127")));
    EXPECT_TRUE(ips.count(ip("10.0.0.1")));
    EXPECT_TRUE(ips.count(ip("10.0.0.126")));
    EXPECT_FALSE(p.contains(ip("10.0.0.0")));
    EXPECT_FALSE(p.contains(ip("10.0.0.127")));
    EXPECT_TRUE(p.contains(ip("10.0.0.64")));
}

TEST(RelayAddressPool, KeepsBothAddressesOfA31) {
    auto p = pool({"10.0.0.0/31"}, {20000, 20000});
    std::mt19937_64 rng(2);
    EXPECT_EQ(ips_of(drain(p, rng, v4)), (std::set{ip("10.0.0.0"), ip("10.0.0.1")}));
}

TEST(RelayAddressPool, KeepsTheOnlyAddressOfA32) {
    auto p = pool({"192.0.2.7/32"}, {20000, 20001});
    std::mt19937_64 rng(3);
    EXPECT_EQ(drain(p, rng, v4), (std::set{at("192.0.2.7:20000"), at("192.0.2.7:20001")}));
}

TEST(RelayAddressPool, ExcludesOnlyTheSubnetRouterAnycastAddressOfIpv6) {
    auto p = pool({"2001:db8::/126"}, {20000, 20000});
    std::mt19937_64 rng(4);
    EXPECT_EQ(ips_of(drain(p, rng, v6)),
              (std::set{ip("2001:db8::1"), ip("2001:db8::2"), ip("2001:db8::3")}));
    EXPECT_FALSE(p.contains(ip("2001:db8::")));
}

TEST(RelayAddressPool, KeepsBothAddressesOfAnIpv6Slash127) {
    auto p = pool({"2001:db8::/127"}, {20000, 20000});
    std::mt19937_64 rng(5);
    EXPECT_EQ(ips_of(drain(p, rng, v6)), (std::set{ip("2001:db8::"), ip("2001:db8::1")}));
}

TEST(RelayAddressPool, ExhaustsASmallRangeThenSucceedsAfterRelease) {
    auto p = pool({"10.0.0.0/30"}, {16384, 16387});  // 2 hosts × 4 ports
    std::mt19937_64 rng(6);
    const auto all = drain(p, rng, v4);
    EXPECT_EQ(all.size(), 8u);
    EXPECT_EQ(p.in_use(), 8u);
    EXPECT_FALSE(p.acquire(v4, rng));
    const auto freed = at("10.0.0.2:16385");
    ASSERT_TRUE(p.release(freed));
    EXPECT_EQ(p.acquire(v4, rng), freed);
    EXPECT_FALSE(p.acquire(v4, rng));
}

TEST(RelayAddressPool, NeverHandsOutAnAddressTwice) {
    auto p = pool({"10.0.0.0/28"}, {30000, 30099});  // 14 hosts × 100 ports
    std::mt19937_64 rng(7);
    auto held = drain(p, rng, v4);
    ASSERT_EQ(held.size(), 1400u);
    // Churn: release a random half, then acquire until full again, many times over.
    for (int round = 0; round < 20; ++round) {
        std::vector<TransportAddress> in_hand(held.begin(), held.end());
        std::shuffle(in_hand.begin(), in_hand.end(), rng);
        for (std::size_t i = 0; i < in_hand.size() / 2; ++i) {
            ASSERT_TRUE(p.release(in_hand[i]));
            held.erase(in_hand[i]);
        }
        for (const auto& fresh : drain(p, rng, v4))
            ASSERT_TRUE(held.insert(fresh).second) << "already held: " << fresh.to_string();
        ASSERT_EQ(held.size(), 1400u);
        ASSERT_EQ(p.in_use(), 1400u);
    }
}

TEST(RelayAddressPool, SpreadsAcquiresOverIpsAndPorts) {
    auto p = pool({"185.62.212.128/25"});
    std::mt19937_64 rng(8);
    std::set<IpAddress> ips;
    std::set<std::uint16_t> ports;
    for (int i = 0; i < 300; ++i) {
        const auto address = p.acquire(v4, rng);
        ASSERT_TRUE(address);
        ips.insert(address->ip);
        ports.insert(address->port);
        EXPECT_GE(address->port, 16384);
        EXPECT_LE(address->port, 32767);
    }
    EXPECT_GT(ips.size(), 80u);     // of 126
    EXPECT_GT(ports.size(), 280u);  // of 16384: random, not sequential
    EXPECT_LT(*ports.begin(), 20000);
    EXPECT_GT(*ports.rbegin(), 29000);
}

TEST(RelayAddressPool, WeighsRangesBySize) {
    auto p = pool({"10.0.0.0/30", "10.1.0.0/24"});  // 2 hosts and 254 hosts
    std::mt19937_64 rng(9);
    int in_small = 0;
    for (int i = 0; i < 2560; ++i)
        in_small += cidr("10.0.0.0/30").contains(p.acquire(v4, rng)->ip);
    EXPECT_GT(in_small, 0);
    EXPECT_LT(in_small, 60);  // expected 20
}

TEST(RelayAddressPool, SameSeedGivesTheSameAddresses) {
    auto a = pool({"10.0.0.0/24", "2001:db8::/64"});
    auto b = pool({"10.0.0.0/24", "2001:db8::/64"});
    std::mt19937_64 rng_a(10), rng_b(10);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(a.acquire(v4, rng_a), b.acquire(v4, rng_b));
        EXPECT_EQ(a.acquire(v6, rng_a), b.acquire(v6, rng_b));
    }
}

TEST(RelayAddressPool, EvenPortGivesOnlyEvenPorts) {
    auto p = pool({"10.0.0.0/24"});
    std::mt19937_64 rng(11);
    for (int i = 0; i < 500; ++i) {
        const auto address = p.acquire(v4, rng, true);
        ASSERT_TRUE(address);
        EXPECT_EQ(address->port % 2, 0) << address->to_string();
    }
}

TEST(RelayAddressPool, EvenPortRunsOutWhileOddPortsRemain) {
    auto p = pool({"192.0.2.1/32"}, {16385, 16390});  // even: 16386, 16388, 16390
    std::mt19937_64 rng(12);
    EXPECT_EQ(drain(p, rng, v4, true),
              (std::set{at("192.0.2.1:16386"), at("192.0.2.1:16388"), at("192.0.2.1:16390")}));
    const auto odd = drain(p, rng, v4);
    EXPECT_EQ(odd.size(), 3u);
    for (const auto& address : odd) EXPECT_EQ(address.port % 2, 1);
}

TEST(RelayAddressPool, EvenPortSkipsAnIpWhoseEvenPortsAreTaken) {
    auto p = pool({"192.0.2.0/31"}, {20000, 20003});
    ASSERT_TRUE(p.acquire_specific(at("192.0.2.0:20000")));
    ASSERT_TRUE(p.acquire_specific(at("192.0.2.0:20002")));
    std::mt19937_64 rng(13);
    for (int i = 0; i < 2; ++i) EXPECT_EQ(p.acquire(v4, rng, true)->ip, ip("192.0.2.1"));
    EXPECT_FALSE(p.acquire(v4, rng, true));
    EXPECT_TRUE(p.acquire(v4, rng));
}

TEST(RelayAddressPool, EvenPortIsImpossibleInAnOddOnlyRange) {
    auto p = pool({"192.0.2.1/32"}, {16385, 16385});
    std::mt19937_64 rng(14);
    EXPECT_FALSE(p.acquire(v4, rng, true));
    EXPECT_EQ(p.acquire(v4, rng), at("192.0.2.1:16385"));
}

TEST(RelayAddressPool, Ipv6Slash64WorksWithoutEnumerating) {
    auto p = pool({"2001:db8:1:2::/64"});
    std::mt19937_64 rng(15);
    EXPECT_EQ(p.capacity(v6), std::numeric_limits<std::uint64_t>::max());
    std::set<TransportAddress> held;
    for (int i = 0; i < 20000; ++i) {
        const auto address = p.acquire(v6, rng);
        ASSERT_TRUE(address);
        ASSERT_TRUE(cidr("2001:db8:1:2::/64").contains(address->ip));
        ASSERT_TRUE(held.insert(*address).second);
    }
    // Per-IP state only for IPs in use; 2^64 hosts make a repeat IP vanishingly rare.
    EXPECT_EQ(p.tracked_ips(), 20000u);
    EXPECT_GT(ips_of(held).size(), 19990u);
    for (const auto& address : held) ASSERT_TRUE(p.release(address));
    EXPECT_EQ(p.tracked_ips(), 0u);
    EXPECT_EQ(p.in_use(), 0u);
}

TEST(RelayAddressPool, Ipv6WholeSpaceIsUsable) {
    auto p = pool({"::/0"});
    std::mt19937_64 rng(16);
    std::set<std::uint8_t> first_bytes;
    for (int i = 0; i < 200; ++i) first_bytes.insert(p.acquire(v6, rng)->ip.bytes[0]);
    EXPECT_GT(first_bytes.size(), 100u);  // the top bits are random too
}

TEST(RelayAddressPool, ServesBothFamiliesSeparately) {
    auto p = pool({"10.0.0.0/24", "2001:db8::/64"});
    std::mt19937_64 rng(17);
    EXPECT_TRUE(p.acquire(v4, rng)->ip.is_v4());
    EXPECT_FALSE(p.acquire(v6, rng)->ip.is_v4());
    EXPECT_FALSE(p.acquire(v6, rng)->ip.is_v4());
    EXPECT_EQ(p.in_use(v4), 1u);
    EXPECT_EQ(p.in_use(v6), 2u);
    EXPECT_EQ(p.in_use(), 3u);
}

TEST(RelayAddressPool, RefusesAFamilyWithoutARange) {
    auto p = pool({"10.0.0.0/24"});
    std::mt19937_64 rng(18);
    EXPECT_TRUE(p.supports(v4));
    EXPECT_FALSE(p.supports(v6));
    EXPECT_FALSE(p.acquire(v6, rng));
    EXPECT_EQ(p.capacity(v6), 0u);
    EXPECT_FALSE(p.acquire_specific(at("[2001:db8::1]:20000")));

    RelayAddressPool empty({}, {});
    EXPECT_FALSE(empty.supports(v4));
    EXPECT_FALSE(empty.acquire(v4, rng));
}

TEST(RelayAddressPool, AcquireSpecificTakesExactlyThatAddress) {
    auto p = pool({"192.0.2.0/24"}, {20000, 20001});
    EXPECT_TRUE(p.acquire_specific(at("192.0.2.9:20001")));
    EXPECT_TRUE(p.is_in_use(at("192.0.2.9:20001")));
    EXPECT_FALSE(p.acquire_specific(at("192.0.2.9:20001")));
    EXPECT_EQ(p.in_use(), 1u);
    EXPECT_TRUE(p.release(at("192.0.2.9:20001")));
    EXPECT_TRUE(p.acquire_specific(at("192.0.2.9:20001")));
}

TEST(RelayAddressPool, AcquireSpecificRefusesAddressesOutsideThePool) {
    auto p = pool({"192.0.2.0/24"}, {20000, 20001});
    EXPECT_FALSE(p.acquire_specific(at("192.0.2.9:19999")));  // port below the range
    EXPECT_FALSE(p.acquire_specific(at("192.0.2.9:20002")));  // port above the range
    EXPECT_FALSE(p.acquire_specific(at("192.0.3.9:20000")));  // not our IP
    EXPECT_FALSE(p.acquire_specific(at("192.0.2.0:20000")));  // network address
    EXPECT_FALSE(p.acquire_specific(at("192.0.2.255:20000")));  // broadcast address
    EXPECT_EQ(p.in_use(), 0u);
    EXPECT_EQ(p.tracked_ips(), 0u);
}

TEST(RelayAddressPool, RandomAcquireAvoidsSpecificallyTakenAddresses) {
    auto p = pool({"192.0.2.1/32"}, {20000, 20001});
    ASSERT_TRUE(p.acquire_specific(at("192.0.2.1:20000")));
    std::mt19937_64 rng(20);
    EXPECT_EQ(p.acquire(v4, rng), at("192.0.2.1:20001"));
    EXPECT_FALSE(p.acquire(v4, rng));
}

TEST(RelayAddressPool, ReleaseOfAnAddressNotInUseChangesNothing) {
    auto p = pool({"192.0.2.1/32"}, {20000, 20001});
    std::mt19937_64 rng(21);
    const auto address = *p.acquire(v4, rng);
    EXPECT_FALSE(p.release(at("192.0.2.1:19000")));
    EXPECT_FALSE(p.release(at("198.51.100.1:20000")));
    EXPECT_TRUE(p.release(address));
    EXPECT_FALSE(p.release(address));
    EXPECT_EQ(p.in_use(), 0u);
    EXPECT_EQ(p.tracked_ips(), 0u);
}

TEST(RelayAddressPool, CountsNestedRangesOnce) {
    auto p = pool({"10.0.0.0/25", "10.0.0.0/24", "10.0.0.0/24"}, {20000, 20000});
    EXPECT_EQ(p.capacity(v4), 254u);
    std::mt19937_64 rng(22);
    EXPECT_EQ(drain(p, rng, v4).size(), 254u);
}

TEST(RelayAddressPool, RejectsAnEmptyPortRange) {
    EXPECT_THROW(pool({"10.0.0.0/24"}, {20001, 20000}), std::invalid_argument);
    EXPECT_THROW(pool({"10.0.0.0/24"}, {0, 100}), std::invalid_argument);
}

TEST(RelayAddressPool, DefaultPortRangeIsTheWhitelistedOne) {
    auto p = pool({"192.0.2.1/32"});
    EXPECT_EQ(p.ports().min, 16384);
    EXPECT_EQ(p.ports().max, 32767);
    EXPECT_EQ(p.capacity(v4), 16384u);
}

}  // namespace
}  // namespace hallpass::alloc
