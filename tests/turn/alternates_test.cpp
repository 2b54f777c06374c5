// alternates_except: a node leaves itself out of the alternates it sends clients to.
#include <gtest/gtest.h>

#include "tests/turn/turn_harness.hpp"
#include "turn/alternates.hpp"

namespace hallpass::turn::testing {
namespace {

std::vector<std::string> addresses(const std::vector<Alternate>& list) {
    std::vector<std::string> out;
    for (const auto& a : list) out.push_back(a.address.to_string() + (a.domain.empty() ? "" : " " + a.domain));
    return out;
}

TEST(Alternates, OneListOfEveryNodeServesEachOfThem) {
    const std::vector<Alternate> every_node{{at("203.0.113.10:443"), "turn1.example.org"},
                                            {at("203.0.113.11:443"), "turn2.example.org"},
                                            {at("[2001:db8::11]:443"), "turn2.example.org"}};
    // Node 2, on its own public addresses (both families) with a listener on 443.
    const std::vector<TransportAddress> node2{at("203.0.113.11:443"), at("[2001:db8::11]:443"), at("10.0.0.2:443")};
    EXPECT_EQ(addresses(alternates_except(every_node, node2)),
              std::vector<std::string>{"203.0.113.10:443 turn1.example.org"});
}

TEST(Alternates, OnlyTheSameAddressAndPortIsOwn) {
    const std::vector<Alternate> list{{at("203.0.113.11:3478"), ""}, {at("203.0.113.11:3479"), ""}};
    EXPECT_EQ(addresses(alternates_except(list, {at("203.0.113.11:3478")})),
              std::vector<std::string>{"203.0.113.11:3479"});
    // An IPv4-mapped alternate is the IPv4 address it maps.
    EXPECT_TRUE(alternates_except({{at("[::ffff:203.0.113.11]:3478"), ""}}, {at("203.0.113.11:3478")}).empty());
    EXPECT_EQ(alternates_except(list, {}).size(), 2u);
}

}  // namespace
}  // namespace hallpass::turn::testing
