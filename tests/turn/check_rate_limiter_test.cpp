// The check's credential rate limit: per client address (IPv6 per prefix), in total, and a
// table that a flood of fresh addresses cannot grow.
#include <gtest/gtest.h>

#include "turn/check_rate_limiter.hpp"

using namespace hallpass;
using turn::CheckRateLimiter;
using turn::CheckRateLimits;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
alloc::Millis at(std::int64_t ms) { return alloc::Millis{ms}; }

}  // namespace

TEST(CheckRateLimiter, GivesAMinutesWorthThenOneEveryFewSeconds) {
    CheckRateLimiter limiter({.per_client_per_minute = 6, .total_per_minute = 600});
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(limiter.allow(ip("198.51.100.7"), at(0))) << i;
    EXPECT_FALSE(limiter.allow(ip("198.51.100.7"), at(0)));
    EXPECT_FALSE(limiter.allow(ip("198.51.100.7"), at(9'999)));  // one per 10 s
    EXPECT_TRUE(limiter.allow(ip("198.51.100.7"), at(10'000)));
    EXPECT_FALSE(limiter.allow(ip("198.51.100.7"), at(10'000)));
    EXPECT_EQ(limiter.retry_after_seconds(), 10u);
    // Another address has its own.
    EXPECT_TRUE(limiter.allow(ip("198.51.100.8"), at(10'000)));
}

TEST(CheckRateLimiter, CountsAnIpv6ClientByItsPrefix) {
    CheckRateLimiter limiter({.per_client_per_minute = 2, .total_per_minute = 600, .ipv6_prefix = 64});
    EXPECT_TRUE(limiter.allow(ip("2001:db8:1:2::1"), at(0)));
    EXPECT_TRUE(limiter.allow(ip("2001:db8:1:2::ffff"), at(0)));
    EXPECT_FALSE(limiter.allow(ip("2001:db8:1:2:abcd::9"), at(0)));  // same /64, fresh address
    EXPECT_TRUE(limiter.allow(ip("2001:db8:1:3::1"), at(0)));
    // A v4-mapped address is its IPv4 address.
    EXPECT_TRUE(limiter.allow(ip("::ffff:198.51.100.9"), at(0)));
    EXPECT_TRUE(limiter.allow(ip("198.51.100.9"), at(0)));
    EXPECT_FALSE(limiter.allow(ip("198.51.100.9"), at(0)));
}

TEST(CheckRateLimiter, OneIpv6SiteCannotTakeTheNodesTotalWithManyPrefixes) {
    CheckRateLimiter limiter({.per_client_per_minute = 5, .total_per_minute = 1000, .ipv6_prefix = 64});
    int given = 0;
    for (int i = 0; i < 256; ++i) {  // every /64 of one /56
        auto a = *IpAddress::parse("2001:db8:1:100::1");
        a.bytes[7] = static_cast<std::uint8_t>(i);
        for (int j = 0; j < 5; ++j) given += limiter.allow(a, at(0));
    }
    EXPECT_EQ(given, 5 * 4);  // the /48's share: four clients' worth
    EXPECT_TRUE(limiter.allow(ip("2001:db8:2::1"), at(0)));  // another site is served
}

TEST(CheckRateLimiter, BoundsTheTotalOverManyAddresses) {
    CheckRateLimiter limiter({.per_client_per_minute = 5, .total_per_minute = 10});
    int given = 0;
    for (std::uint32_t i = 0; i < 100; ++i) given += limiter.allow(IpAddress::v4(0xC6336400u + i), at(0));
    EXPECT_EQ(given, 10);
    // A client refused by its own limit spends nothing of the total.
    CheckRateLimiter other({.per_client_per_minute = 1, .total_per_minute = 3});
    EXPECT_TRUE(other.allow(ip("203.0.113.1"), at(0)));
    for (int i = 0; i < 50; ++i) EXPECT_FALSE(other.allow(ip("203.0.113.1"), at(0)));
    EXPECT_TRUE(other.allow(ip("203.0.113.2"), at(0)));
    EXPECT_TRUE(other.allow(ip("203.0.113.3"), at(0)));
}

TEST(CheckRateLimiter, AFloodOfFreshAddressesCannotGrowTheTable) {
    CheckRateLimiter limiter({.per_client_per_minute = 1, .total_per_minute = 60000, .table_size = 64});
    for (std::uint32_t i = 0; i < 10000; ++i) limiter.allow(IpAddress::v4(0x0A000000u + i), at(0));
    EXPECT_LE(limiter.tracked(), 64u);
    // Full of clients that are being limited: a new one is refused (fail closed) ...
    EXPECT_FALSE(limiter.allow(ip("192.0.2.1"), at(1)));
    // ... until their buckets have refilled, when their entries are reused.
    EXPECT_TRUE(limiter.allow(ip("192.0.2.1"), at(60'000)));
    EXPECT_LE(limiter.tracked(), 64u);
}
