// TokenBucket and BandwidthLimit: limits.allocation_bps holds over time, passes a burst
// the size of a video key frame, and costs nothing when off.
#include <gtest/gtest.h>

#include "alloc/token_bucket.hpp"

namespace hallpass::alloc {
namespace {

TEST(TokenBucket, NoLimitPassesEverything) {
    TokenBucket b;
    for (int i = 0; i < 100000; ++i) ASSERT_TRUE(BandwidthLimit{}.admits(b, 1500, Millis{0}));
}

TEST(TokenBucket, HoldsTheRateOverTime) {
    const BandwidthLimit limit{8'000'000};  // 1 MB/s
    TokenBucket b;
    std::size_t passed = 0;
    // 10 s of 1000-byte packets offered at 4 MB/s: one per 0.25 ms, in 1 ms steps of 4.
    for (int ms = 0; ms < 10000; ++ms)
        for (int k = 0; k < 4; ++k) passed += limit.admits(b, 1000, Millis{ms}) ? 1000 : 0;
    // 10 s at 1 MB/s, plus the initial burst of one second.
    EXPECT_GE(passed, 10'500'000u);
    EXPECT_LE(passed, 11'000'000u);
}

TEST(TokenBucket, PassesTrafficUnderTheLimitWhole) {
    const BandwidthLimit limit{10'000'000};
    TokenBucket b;
    // A 1.5 Mbit/s classroom video stream: 1200-byte packets, 156 per second, with a
    // 60-packet key frame every 2 s arriving in one go.
    std::size_t dropped = 0;
    for (int s = 0; s < 20; ++s) {
        for (int i = 0; i < 156; ++i)
            dropped += !limit.admits(b, 1200, Millis{s * 1000 + i * 6});
        if (s % 2 == 0)
            for (int i = 0; i < 60; ++i) dropped += !limit.admits(b, 1200, Millis{s * 1000 + 999});
    }
    EXPECT_EQ(dropped, 0u);
}

TEST(TokenBucket, BurstIsAtLeastALargeFrame) {
    EXPECT_EQ((BandwidthLimit{8000}).burst_bytes(), 65536u);
    EXPECT_EQ((BandwidthLimit{80'000'000}).burst_bytes(), 10'000'000u);
}

TEST(TokenBucket, AClockThatGoesBackDoesNotMintTokens) {
    const BandwidthLimit limit{400'000};  // 50 kB/s, burst 64 KiB
    TokenBucket b;
    std::size_t passed = 0;
    for (int i = 0; i < 200; ++i) passed += limit.admits(b, 1000, Millis{5000}) ? 1 : 0;
    EXPECT_EQ(passed, 65u);
    EXPECT_FALSE(limit.admits(b, 1000, Millis{1000}));
}

TEST(TokenBucket, CountsAnyUnitAndSaysWhenItIsFullAgain) {
    TokenBucket b;
    EXPECT_TRUE(b.full_at(Millis{0}, 10, 20));  // a new bucket is full
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(b.take(1, Millis{0}, 10, 20));
    EXPECT_FALSE(b.take(1, Millis{0}, 10, 20));
    EXPECT_FALSE(b.full_at(Millis{1000}, 10, 20));
    EXPECT_TRUE(b.take(1, Millis{100}, 10, 20));  // 0.1 s at 10 a second: one
    EXPECT_TRUE(b.full_at(Millis{3000}, 10, 20));
}

}  // namespace
}  // namespace hallpass::alloc
