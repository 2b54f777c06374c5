// The default total allocation limit: what the relay addresses and the open file limit
// can really hold.
#include <gtest/gtest.h>

#include "alloc/allocation_limit.hpp"

namespace hallpass::alloc {
namespace {

TEST(AllocationLimit, BoundByTheRelayAddressesWhenFilesAreAmple) {
    const auto limit = derive_allocation_limit({16384, 1048576, 10000, 4, 3});
    EXPECT_EQ(limit.value, 16384u);
    EXPECT_EQ(limit.bound, AllocationLimit::Bound::relay_addresses);
    EXPECT_FALSE(limit.files_short);
}

TEST(AllocationLimit, BoundByTheFilesLeftAfterConnections) {
    // 65536 files, minus 32 + 2 × (8 + 3) for the process, minus 10000 connections.
    const auto limit = derive_allocation_limit({1u << 20, 65536, 10000, 2, 3});
    EXPECT_EQ(limit.value, 65536u - 32 - 22 - 10000);
    EXPECT_EQ(limit.bound, AllocationLimit::Bound::open_files);
    EXPECT_FALSE(limit.files_short);
}

TEST(AllocationLimit, SplitsTheFilesWhenConnectionsWouldTakeThemAll) {
    const auto limit = derive_allocation_limit({1u << 20, 1024, 10000, 1, 2});
    EXPECT_EQ(limit.value, (1024u - 32 - 10) / 2);
    EXPECT_TRUE(limit.files_short);
}

TEST(AllocationLimit, UnlimitedConnectionsShareTheFilesAndNoneLeaveThemAll) {
    const auto unlimited = derive_allocation_limit({1u << 20, 10000, UINT64_MAX, 1, 2});
    EXPECT_EQ(unlimited.value, (10000u - 32 - 10) / 2);
    EXPECT_TRUE(unlimited.files_short);
    const auto udp_only = derive_allocation_limit({1u << 20, 10000, 0, 1, 1});
    EXPECT_EQ(udp_only.value, 10000u - 32 - 9);
    EXPECT_FALSE(udp_only.files_short);
}

TEST(AllocationLimit, NeverBelowZeroWithATinyFileLimit) {
    EXPECT_EQ(derive_allocation_limit({100, 16, 10, 4, 3}).value, 0u);
}

}  // namespace
}  // namespace hallpass::alloc
