// SegmentGroups: which datagrams of a batch may leave as one UDP GSO send.
#include "relay/segment_groups.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hallpass::relay {
namespace {

TransportAddress address(std::uint16_t port) {
    TransportAddress a;
    a.ip = IpAddress::v4(127, 0, 0, 1);
    a.port = port;
    return a;
}

class SegmentGroupsTest : public ::testing::Test {
protected:
    // Sizes of the datagrams in each group, in order.
    std::vector<std::vector<std::size_t>> shape() const {
        std::vector<std::vector<std::size_t>> out;
        for (const auto& g : groups.groups()) {
            std::vector<std::size_t> sizes;
            for (auto i = g.first; i != SegmentGroups::none; i = groups.next(i)) sizes.push_back(groups.datagram(i).bytes.size());
            EXPECT_EQ(sizes.size(), g.count);
            out.push_back(sizes);
        }
        return out;
    }
    void add(int fd, std::uint16_t port, std::size_t size) {
        groups.add({fd, address(port), std::span<const std::uint8_t>(storage.data(), size), 0});
    }

    std::vector<std::uint8_t> storage = std::vector<std::uint8_t>(65536);
    SegmentGroups groups;
};

using Sizes = std::vector<std::vector<std::size_t>>;

TEST_F(SegmentGroupsTest, EqualDatagramsToOneDestinationFormOneGroup) {
    for (int i = 0; i < 5; ++i) add(7, 5000, 164);
    EXPECT_EQ(shape(), (Sizes{{164, 164, 164, 164, 164}}));
    EXPECT_EQ(groups.groups()[0].segment_size, 164);
}

TEST_F(SegmentGroupsTest, DestinationsAndSocketsStayApartAndKeepTheirOrder) {
    add(7, 5000, 100);
    add(7, 5001, 100);
    add(8, 5000, 100);
    add(7, 5000, 100);
    add(7, 5001, 100);
    ASSERT_EQ(groups.groups().size(), 3u);
    EXPECT_EQ(shape(), (Sizes{{100, 100}, {100, 100}, {100}}));
    EXPECT_EQ(groups.datagram(groups.groups()[0].first).to.port, 5000);
    EXPECT_EQ(groups.datagram(groups.groups()[1].first).to.port, 5001);
    EXPECT_EQ(groups.datagram(groups.groups()[2].first).fd, 8);
}

TEST_F(SegmentGroupsTest, AShorterDatagramEndsTheGroup) {
    add(7, 5000, 1200);
    add(7, 5000, 1200);
    add(7, 5000, 700);
    add(7, 5000, 1200);
    EXPECT_EQ(shape(), (Sizes{{1200, 1200, 700}, {1200}}));
}

TEST_F(SegmentGroupsTest, ALongerDatagramStartsANewGroup) {
    add(7, 5000, 700);
    add(7, 5000, 1200);
    add(7, 5000, 1200);
    EXPECT_EQ(shape(), (Sizes{{700}, {1200, 1200}}));
}

TEST_F(SegmentGroupsTest, GroupsStopAtTheSegmentCount) {
    for (unsigned i = 0; i < SegmentGroups::max_segments + 3; ++i) add(7, 5000, 100);
    EXPECT_EQ(groups.groups().size(), 2u);
    EXPECT_EQ(groups.groups()[0].count, SegmentGroups::max_segments);
    EXPECT_EQ(groups.groups()[1].count, 3);
    for (const auto& g : groups.groups()) EXPECT_LE(g.bytes, SegmentGroups::max_bytes);
}

TEST_F(SegmentGroupsTest, DatagramsAboveAnEthernetSegmentStandAlone) {
    // Grouped, they would make the kernel refuse the send on a 1500-byte MTU route.
    add(7, 5000, SegmentGroups::max_segment_size + 1);
    add(7, 5000, SegmentGroups::max_segment_size + 1);
    add(7, 5000, SegmentGroups::max_segment_size);
    add(7, 5000, SegmentGroups::max_segment_size);
    EXPECT_EQ(shape(), (Sizes{{1453}, {1453}, {1452, 1452}}));
}

TEST_F(SegmentGroupsTest, EmptyDatagramsStandAlone) {
    // A zero-length segment would be lost inside a group.
    add(7, 5000, 120);
    add(7, 5000, 120);
    add(7, 5000, 0);
    add(7, 5000, 0);
    EXPECT_EQ(shape(), (Sizes{{120, 120}, {0}, {0}}));
}

TEST_F(SegmentGroupsTest, ClearStartsAFreshBatch) {
    add(7, 5000, 100);
    groups.clear();
    EXPECT_TRUE(groups.empty());
    add(7, 5000, 100);
    EXPECT_EQ(shape(), (Sizes{{100}}));
}

}  // namespace
}  // namespace hallpass::relay
