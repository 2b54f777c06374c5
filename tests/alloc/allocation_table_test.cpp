// AllocationTable: bounded permissions and channels per allocation, and expiry that
// handles what is due (within a budget) instead of sweeping.
#include <gtest/gtest.h>

#include "alloc/allocation_table.hpp"

namespace hallpass::alloc {
namespace {

using std::chrono::seconds;

FiveTuple tuple(std::uint16_t port) {
    return {*TransportAddress::parse("203.0.113.5:" + std::to_string(port)),
            *TransportAddress::parse("198.51.100.1:3478"), Transport::udp};
}
IpAddress peer(int n) { return IpAddress::v4(8, 8, static_cast<std::uint8_t>(n / 256), static_cast<std::uint8_t>(n % 256)); }

class Table : public ::testing::Test {
protected:
    Allocation& make(std::uint16_t port, Millis lifetime = seconds(600)) {
        Allocation& a = table.create(tuple(port));
        table.set_expiry(a, now + lifetime);
        return a;
    }
    std::vector<AllocationId> expire(std::size_t budget = 100000) {
        std::vector<AllocationId> ended;
        table.expire(now, budget, [&](Allocation& a) { ended.push_back(a.id); });
        return ended;
    }

    AllocationTable table{TableLimits{4, 3}};
    Millis now{10'000'000};
};

TEST_F(Table, PermissionsStopAtTheLimitButRefreshesPass) {
    Allocation& a = make(1);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(table.install_permission(a, peer(i), now + seconds(300)));
    EXPECT_FALSE(table.install_permission(a, peer(4), now + seconds(300)));
    EXPECT_FALSE(table.permitted(a.id, peer(4), now));
    EXPECT_TRUE(table.install_permission(a, peer(2), now + seconds(600)));  // a refresh
    EXPECT_EQ(a.permissions.size(), 4u);
}

TEST_F(Table, RoomForPermissionsCountsOnlyNewDistinctPeers) {
    Allocation& a = make(1);
    for (int i = 0; i < 3; ++i) table.install_permission(a, peer(i), now + seconds(300));
    const std::vector<IpAddress> refresh_and_one{peer(0), peer(1), peer(9), peer(9)};
    EXPECT_TRUE(table.has_room_for_permissions(a, refresh_and_one));
    const std::vector<IpAddress> two_new{peer(8), peer(9)};
    EXPECT_FALSE(table.has_room_for_permissions(a, two_new));
}

TEST_F(Table, ChannelsStopAtTheLimit) {
    Allocation& a = make(1);
    for (std::uint16_t i = 0; i < 3; ++i)
        ASSERT_EQ(table.bind_channel(a, 0x4000 + i, {peer(i), 5000}, now + seconds(600)), ChannelBindVerdict::ok);
    EXPECT_EQ(table.bind_channel(a, 0x4003, {peer(3), 5000}, now + seconds(600)),
              ChannelBindVerdict::too_many_channels);
    // Refreshing a bound channel is always fine.
    EXPECT_EQ(table.bind_channel(a, 0x4001, {peer(1), 5000}, now + seconds(900)), ChannelBindVerdict::ok);
}

TEST_F(Table, ExpiredPermissionsAndCooledChannelsFreeTheirPlaces) {
    Allocation& a = make(1, seconds(3600));
    for (int i = 0; i < 4; ++i) table.install_permission(a, peer(i), now + seconds(300));
    table.bind_channel(a, 0x4000, {peer(0), 5000}, now + seconds(600));
    now += seconds(300);
    expire();
    EXPECT_TRUE(a.permissions.empty());
    EXPECT_EQ(table.permission_count(), 0u);
    EXPECT_TRUE(table.install_permission(a, peer(7), now + seconds(300)));
    // The channel is expired at 600 s but keeps its number for 5 more minutes.
    now += seconds(300);
    expire();
    EXPECT_EQ(a.channels.size(), 1u);
    now += seconds(300);
    expire();
    EXPECT_TRUE(a.channels.empty());
    EXPECT_EQ(table.channel_count(), 0u);
}

TEST_F(Table, RefreshedThingsLiveOn) {
    Allocation& a = make(1);
    table.install_permission(a, peer(1), now + seconds(300));
    now += seconds(200);
    table.install_permission(a, peer(1), now + seconds(300));
    table.set_expiry(a, now + seconds(600));
    now += seconds(200);
    EXPECT_TRUE(expire().empty());
    EXPECT_TRUE(table.permitted(a.id, peer(1), now));
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(Table, EndsExpiredAllocationsOnce) {
    Allocation& a = make(1, seconds(10));
    const AllocationId id = a.id;
    make(2, seconds(20));
    now += seconds(10);
    EXPECT_EQ(expire(), std::vector<AllocationId>{id});
    EXPECT_EQ(table.size(), 1u);
    now += seconds(10);
    EXPECT_EQ(expire().size(), 1u);
    EXPECT_EQ(table.size(), 0u);
    now += seconds(1000);
    EXPECT_TRUE(expire().empty());
    EXPECT_EQ(table.scheduled_expiries(), 0u);
}

TEST_F(Table, ExpiryWorkPerCallIsBounded) {
    AllocationTable big;
    for (std::uint16_t i = 0; i < 5000; ++i) big.set_expiry(big.create(tuple(i)), now + seconds(60));
    std::size_t ended = 0;
    EXPECT_EQ(big.expire(now, 1000, [&](Allocation&) { ++ended; }), 0u);
    now += seconds(60);
    EXPECT_EQ(big.expire(now, 1000, [&](Allocation&) { ++ended; }), 1000u);
    EXPECT_EQ(ended, 1000u);
    EXPECT_EQ(big.size(), 4000u);
    while (big.expire(now, 1000, [&](Allocation&) { ++ended; }) > 0) {
    }
    EXPECT_EQ(ended, 5000u);
    EXPECT_EQ(big.size(), 0u);
}

TEST_F(Table, AShorterLifetimeEndsTheAllocationOnTime) {
    Allocation& a = make(1, seconds(3600));
    const AllocationId id = a.id;
    now += seconds(100);
    table.set_expiry(a, now + seconds(600));  // a Refresh asking for less
    now += seconds(600);
    EXPECT_EQ(expire(), std::vector<AllocationId>{id});
    // Its first, later entry finds nothing when it comes due.
    now += seconds(3600);
    EXPECT_TRUE(expire().empty());
    EXPECT_EQ(table.scheduled_expiries(), 0u);
}

TEST_F(Table, RefreshesKeepOneWheelEntryPerAllocation) {
    Allocation& a = make(1, seconds(600));
    for (int i = 0; i < 100; ++i) {
        now += seconds(60);
        table.set_expiry(a, now + seconds(i % 2 ? 600 : 300));  // longer, shorter, longer...
        expire();
    }
    EXPECT_LE(table.scheduled_expiries(), 2u);
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(Table, AFreedSlotsStaleEntriesTouchNothingOfTheNextOccupant) {
    Allocation& a = make(1, seconds(10));
    table.install_permission(a, peer(1), now + seconds(5));
    table.remove(a.id);
    Allocation& b = make(2, seconds(600));
    table.install_permission(b, peer(1), now + seconds(300));
    now += seconds(10);
    EXPECT_TRUE(expire().empty());
    EXPECT_TRUE(table.permitted(b.id, peer(1), now));
}

}  // namespace
}  // namespace hallpass::alloc
