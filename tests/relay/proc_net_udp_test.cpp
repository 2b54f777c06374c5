#include "relay/proc_net_udp.hpp"

#include <gtest/gtest.h>

namespace hallpass::relay {
namespace {

// Lines as Linux 6.1 prints them (header kept; trailing spaces as the kernel pads them).
constexpr const char* udp4 =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            \n"
    "  282: 0100007F:0D96 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 14930 2 0000000000000000 0        \n"
    " 1041: 0500000A:4000 00000000:0000 07 00000000:00000000 00:00000000 00000000   998        0 98765 2 0000000000000000 0        \n"
    " 1042: 00000000:4E20 00000000:0000 07 00000000:00000000 00:00000000 00000000   998        0 11 2 0000000000000000 0        \n";

constexpr const char* udp6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    "  127: 00000000000000000000000001000000:0D96 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 22222 2 0000000000000000 0\n"
    "  128: B80D0120000000000000000001000000:4E21 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 33333 2 0000000000000000 0\n";

TEST(ProcNetUdp, ReadsAddressPortAndInodeOfEveryIpv4Socket) {
    const auto s = parse_proc_net_udp(udp4);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].ip, *IpAddress::parse("127.0.0.1"));
    EXPECT_EQ(s[0].port, 3478);
    EXPECT_EQ(s[0].inode, 14930u);
    EXPECT_EQ(s[0].uid, 0u);
    EXPECT_EQ(s[1].ip, *IpAddress::parse("10.0.0.5"));
    EXPECT_EQ(s[1].port, 16384);
    EXPECT_EQ(s[1].uid, 998u);
    EXPECT_TRUE(s[2].ip.is_wildcard());
    EXPECT_EQ(s[2].port, 20000);
}

TEST(ProcNetUdp, ReadsIpv6WordsInHostOrder) {
    const auto s = parse_proc_net_udp(udp6);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].ip, *IpAddress::parse("::1"));
    EXPECT_EQ(s[1].ip, *IpAddress::parse("2001:db8::1"));
    EXPECT_EQ(s[1].port, 20001);
    EXPECT_EQ(s[1].inode, 33333u);
}

TEST(ProcNetUdp, SkipsLinesThatDoNotParse) {
    EXPECT_TRUE(parse_proc_net_udp("").empty());
    EXPECT_TRUE(parse_proc_net_udp("  1: 0100007F:0D96 00000000:0000 07\n").empty());           // truncated
    EXPECT_TRUE(parse_proc_net_udp("  1: 0100007G:0D96 a b c d e 0 g 5\n").empty());            // not hex
    EXPECT_TRUE(parse_proc_net_udp("  1: 0100007F:10000 a b c d e 0 g 5\n").empty());           // port > 65535
    EXPECT_TRUE(parse_proc_net_udp("  1: 0100007F:0D96 a b c d e 0 g x5\n").empty());           // inode
    EXPECT_TRUE(parse_proc_net_udp("  1: 0100007F:0D96 a b c d e -1 g 5\n").empty());           // uid
    EXPECT_EQ(parse_proc_net_udp("  1: 0100007F:0D96 a b c d e 0 g 5").size(), 1u);  // no final newline
}

}  // namespace
}  // namespace hallpass::relay
