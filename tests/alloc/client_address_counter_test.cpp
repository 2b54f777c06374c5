// ClientAddressCounter: per-address connection counts, IPv6 by prefix.
#include <gtest/gtest.h>

#include "alloc/client_address_counter.hpp"

namespace hallpass::alloc {
namespace {

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

TEST(ClientAddressCounter, StopsOneAddressAtTheLimit) {
    ClientAddressCounter c(2, 64);
    EXPECT_TRUE(c.admit(ip("192.0.2.1")));
    EXPECT_TRUE(c.admit(ip("192.0.2.1")));
    EXPECT_FALSE(c.admit(ip("192.0.2.1")));
    EXPECT_TRUE(c.admit(ip("192.0.2.2")));
    c.release(ip("192.0.2.1"));
    EXPECT_TRUE(c.admit(ip("192.0.2.1")));
}

TEST(ClientAddressCounter, CountsIpv6ByItsPrefix) {
    ClientAddressCounter c(2, 64);
    EXPECT_TRUE(c.admit(ip("2001:db8:1:2::1")));
    EXPECT_TRUE(c.admit(ip("2001:db8:1:2:ffff::9")));
    EXPECT_FALSE(c.admit(ip("2001:db8:1:2:abcd::1")));  // same /64, fresh address
    EXPECT_TRUE(c.admit(ip("2001:db8:1:3::1")));        // the next /64
    EXPECT_EQ(c.tracked(), 2u);
}

TEST(ClientAddressCounter, PrefixIsConfigurable) {
    ClientAddressCounter c(1, 128);
    EXPECT_TRUE(c.admit(ip("2001:db8::1")));
    EXPECT_TRUE(c.admit(ip("2001:db8::2")));
}

TEST(ClientAddressCounter, MappedAddressesCountAsIpv4) {
    ClientAddressCounter c(1, 64);
    EXPECT_TRUE(c.admit(ip("::ffff:192.0.2.1")));
    EXPECT_FALSE(c.admit(ip("192.0.2.1")));
}

TEST(ClientAddressCounter, ForgetsAddressesAtZero) {
    ClientAddressCounter c(0, 64);
    for (int i = 0; i < 100; ++i) c.admit(ip("192.0.2.1"));
    for (int i = 0; i < 100; ++i) c.release(ip("192.0.2.1"));
    c.release(ip("192.0.2.9"));  // never admitted: harmless
    EXPECT_EQ(c.tracked(), 0u);
}

// A reload changes the prefix: new connections count under the new one, and an open one is
// released under the key it was admitted with.
TEST(ClientAddressCounter, APrefixChangeKeepsOpenConnectionsUnderTheirOwnKey) {
    ClientAddressCounter c(1, 64);
    const auto old_key = c.admit(ip("2001:db8:1:2::1"));
    ASSERT_TRUE(old_key);
    EXPECT_EQ(*old_key, ip("2001:db8:1:2::"));
    EXPECT_FALSE(c.admit(ip("2001:db8:1:2::2")));
    c.set_ipv6_prefix(128);
    const auto new_key = c.admit(ip("2001:db8:1:2::2"));
    ASSERT_TRUE(new_key);
    EXPECT_EQ(*new_key, ip("2001:db8:1:2::2"));
    c.release(*old_key);
    c.release(*new_key);
    EXPECT_EQ(c.tracked(), 0u);
}

}  // namespace
}  // namespace hallpass::alloc
