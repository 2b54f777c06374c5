// CidrBlock and CidrSet: parsing (with reasons for config errors) and membership.
#include <gtest/gtest.h>

#include "alloc/cidr_block.hpp"
#include "alloc/cidr_set.hpp"

namespace hallpass::alloc {
namespace {

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }
CidrBlock cidr(std::string_view text) { return *CidrBlock::parse(text); }

TEST(CidrBlock, ParsesIpv4AndIpv6Blocks) {
    const auto v4 = CidrBlock::parse("185.62.212.128/25");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->network, ip("185.62.212.128"));
    EXPECT_EQ(v4->prefix, 25);
    const auto v6 = CidrBlock::parse("fc00::/7");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->network, ip("fc00::"));
    EXPECT_EQ(v6->prefix, 7);
}

TEST(CidrBlock, BareAddressIsAHostBlock) {
    EXPECT_EQ(cidr("192.0.2.7").prefix, 32);
    EXPECT_EQ(cidr("2001:db8::1").prefix, 128);
}

TEST(CidrBlock, RefusesHostBitsAndSaysWhatTheNetworkWouldBe) {
    // In a config file, set host bits are a typo in the prefix far more often than not.
    const auto parsed = CidrBlock::parse_with_reason("185.62.212.128/24");
    EXPECT_FALSE(parsed.block);
    EXPECT_EQ(parsed.error, "host bits are set (the network would be 185.62.212.0/24)");
    EXPECT_FALSE(CidrBlock::parse("2001:db8::ffff/32"));
    EXPECT_FALSE(CidrBlock::parse("1.2.3.4/0"));
}

TEST(CidrBlock, MakeMasksHostBitsOff) {
    EXPECT_EQ(CidrBlock::make(ip("10.1.2.3"), 8)->to_string(), "10.0.0.0/8");
    EXPECT_EQ(CidrBlock::make(ip("2001:db8::ffff"), 32)->to_string(), "2001:db8::/32");
    EXPECT_EQ(CidrBlock::make(ip("192.0.2.255"), 28)->to_string(), "192.0.2.240/28");
    EXPECT_FALSE(CidrBlock::make(ip("192.0.2.255"), 33));
}

TEST(CidrBlock, RejectsEmptyTextWithReason) {
    const auto parsed = CidrBlock::parse_with_reason("");
    EXPECT_FALSE(parsed.block);
    EXPECT_EQ(parsed.error, "empty CIDR block");
}

TEST(CidrBlock, RejectsBadAddressAndNamesIt) {
    const auto parsed = CidrBlock::parse_with_reason("10.0.0.256/8");
    EXPECT_FALSE(parsed.block);
    EXPECT_NE(parsed.error.find("'10.0.0.256' is not an IPv4 or IPv6 address"), std::string::npos)
        << parsed.error;
    EXPECT_FALSE(CidrBlock::parse("/8"));
    EXPECT_FALSE(CidrBlock::parse("example.com/8"));
}

TEST(CidrBlock, RejectsPrefixThatIsNotANumber) {
    for (auto text : {"10.0.0.0/", "10.0.0.0/x", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/8 ",
                      "10.0.0.0/-1", "10.0.0.0/0008", "10.0.0.0/8/8"}) {
        const auto parsed = CidrBlock::parse_with_reason(text);
        EXPECT_FALSE(parsed.block) << text;
        EXPECT_NE(parsed.error.find("is not a number"), std::string::npos) << parsed.error;
    }
}

TEST(CidrBlock, RejectsPrefixTooLongForTheFamily) {
    const auto v4 = CidrBlock::parse_with_reason("10.0.0.0/33");
    EXPECT_FALSE(v4.block);
    EXPECT_NE(v4.error.find("prefix /33 is out of range for IPv4 (0-32)"), std::string::npos)
        << v4.error;
    const auto v6 = CidrBlock::parse_with_reason("::/129");
    EXPECT_FALSE(v6.block);
    EXPECT_NE(v6.error.find("out of range for IPv6 (0-128)"), std::string::npos) << v6.error;
    EXPECT_TRUE(CidrBlock::parse("::/128"));
    EXPECT_TRUE(CidrBlock::parse("0.0.0.0/32"));
}

TEST(CidrBlock, SuccessfulParseHasNoError) {
    const auto parsed = CidrBlock::parse_with_reason("10.0.0.0/8");
    EXPECT_TRUE(parsed.block);
    EXPECT_TRUE(parsed.error.empty());
}

TEST(CidrBlock, ContainsIpv4MembersOnly) {
    const auto block = cidr("100.64.0.0/10");
    EXPECT_TRUE(block.contains(ip("100.64.0.0")));
    EXPECT_TRUE(block.contains(ip("100.127.255.255")));
    EXPECT_FALSE(block.contains(ip("100.128.0.0")));
    EXPECT_FALSE(block.contains(ip("100.63.255.255")));
}

TEST(CidrBlock, ContainsIpv6MembersOnly) {
    const auto block = cidr("fe80::/10");
    EXPECT_TRUE(block.contains(ip("fe80::1")));
    EXPECT_TRUE(block.contains(ip("febf:ffff::1")));
    EXPECT_FALSE(block.contains(ip("fec0::")));
    EXPECT_TRUE(cidr("::1/128").contains(ip("::1")));
    EXPECT_FALSE(cidr("::1/128").contains(ip("::2")));
}

TEST(CidrBlock, ZeroPrefixContainsTheWholeFamily) {
    EXPECT_TRUE(cidr("0.0.0.0/0").contains(ip("255.255.255.255")));
    EXPECT_TRUE(cidr("::/0").contains(ip("ffff::1")));
}

TEST(CidrBlock, NeverContainsTheOtherFamily) {
    EXPECT_FALSE(cidr("0.0.0.0/0").contains(ip("::")));
    EXPECT_FALSE(cidr("::/0").contains(ip("10.0.0.1")));
    // An IPv4-mapped IPv6 address is matched as IPv4 only once the caller unmaps it.
    EXPECT_FALSE(cidr("10.0.0.0/8").contains(ip("::ffff:10.0.0.1")));
    EXPECT_TRUE(cidr("10.0.0.0/8").contains(ip("::ffff:10.0.0.1").unmapped()));
}

TEST(CidrBlock, ContainsNestedBlocks) {
    EXPECT_TRUE(cidr("10.0.0.0/8").contains(cidr("10.1.0.0/16")));
    EXPECT_FALSE(cidr("10.1.0.0/16").contains(cidr("10.0.0.0/8")));
    EXPECT_FALSE(cidr("10.0.0.0/8").contains(cidr("11.0.0.0/16")));
}

TEST(CidrSet, MatchesAnyOfItsBlocks) {
    CidrSet set;
    EXPECT_TRUE(set.empty());
    EXPECT_FALSE(set.contains(ip("10.0.0.1")));
    set.add(cidr("10.0.0.0/8"));
    set.add(cidr("fc00::/7"));
    EXPECT_FALSE(set.empty());
    EXPECT_EQ(set.size(), 2u);
    EXPECT_TRUE(set.contains(ip("10.200.0.1")));
    EXPECT_TRUE(set.contains(ip("fd12::1")));
    EXPECT_FALSE(set.contains(ip("11.0.0.1")));
    EXPECT_FALSE(set.contains(ip("2001:db8::1")));
}

}  // namespace
}  // namespace hallpass::alloc
