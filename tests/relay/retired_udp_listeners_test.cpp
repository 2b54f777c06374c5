// RetiredUdpListeners: a removed UDP address's sockets close together, once every worker
// has no allocation through it, and the address counts as open until the last one closed.
#include "relay/retired_udp_listeners.hpp"

#include <gtest/gtest.h>

namespace hallpass::relay {
namespace {

TransportAddress at(const char* text) { return *TransportAddress::parse(text); }

TEST(RetiredUdpListeners, CloseTogetherOnceEveryWorkerIsIdle) {
    RetiredUdpListeners r;
    const auto a = at("127.0.0.1:3478");
    r.retire(a, 3);
    EXPECT_TRUE(r.open(a));
    EXPECT_FALSE(r.idle(a, 0));
    EXPECT_FALSE(r.idle(a, 0));  // saying it twice changes nothing
    EXPECT_FALSE(r.idle(a, 2));
    EXPECT_TRUE(r.idle(a, 1));
    EXPECT_FALSE(r.closed(a, 1));
    EXPECT_FALSE(r.closed(a, 0));
    EXPECT_TRUE(r.open(a));
    EXPECT_TRUE(r.closed(a, 2));
    EXPECT_FALSE(r.open(a));
    EXPECT_TRUE(r.addresses().empty());
}

TEST(RetiredUdpListeners, AddressesAreKeptApartAndUnknownOnesIgnored) {
    RetiredUdpListeners r;
    const auto a = at("127.0.0.1:3478"), b = at("127.0.0.1:3479");
    r.retire(a, 1);
    r.retire(b, 2);
    r.retire(a, 1);  // once only
    EXPECT_EQ(r.addresses(), (std::vector{a, b}));
    EXPECT_TRUE(r.idle(a, 0));
    EXPECT_FALSE(r.idle(b, 0));
    EXPECT_FALSE(r.idle(at("127.0.0.1:1"), 0));
    EXPECT_FALSE(r.idle(b, 7));  // no such worker
    EXPECT_TRUE(r.closed(a, 0));
    EXPECT_EQ(r.addresses(), std::vector{b});
}

TEST(UdpOverlaps, SamePortAndFamilyWithTheSameIpOrAWildcard) {
    EXPECT_TRUE(sockets_overlap(at("127.0.0.1:3478"), at("127.0.0.1:3478")));
    EXPECT_TRUE(sockets_overlap(at("0.0.0.0:3478"), at("127.0.0.1:3478")));
    EXPECT_TRUE(sockets_overlap(at("127.0.0.1:3478"), at("0.0.0.0:3478")));
    EXPECT_TRUE(sockets_overlap(at("[::]:3478"), at("[::1]:3478")));
    EXPECT_FALSE(sockets_overlap(at("127.0.0.1:3478"), at("127.0.0.2:3478")));
    EXPECT_FALSE(sockets_overlap(at("127.0.0.1:3478"), at("127.0.0.1:3479")));
    EXPECT_FALSE(sockets_overlap(at("0.0.0.0:3478"), at("[::1]:3478")));  // another family
}

}  // namespace
}  // namespace hallpass::relay
