#include "relay/bbb_turn_servers.hpp"

#include <gtest/gtest.h>

namespace hallpass::relay {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(BbbTurnServers, OneTurnBeanPerUrlAndAStunBeanForEachUdpListener) {
    const auto xml = bbb_turn_stun_servers_xml({{"turn:turn.example.org:3478?transport=udp",
                                                 "turn:turn.example.org:3478?transport=tcp",
                                                 "turns:turn.example.org:443?transport=tcp"},
                                                "s3cret", 3600});
    EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
    EXPECT_EQ(count(xml, "class=\"org.bigbluebutton.web.services.turn.TurnServer\""), 3u);
    EXPECT_EQ(count(xml, "class=\"org.bigbluebutton.web.services.turn.StunServer\""), 1u);
    EXPECT_NE(xml.find("<bean id=\"stun0\" class=\"org.bigbluebutton.web.services.turn.StunServer\">\n"
                       "        <constructor-arg index=\"0\" value=\"stun:turn.example.org:3478\"/>"),
              std::string::npos) << xml;
    EXPECT_NE(xml.find("<bean id=\"turn2\" class=\"org.bigbluebutton.web.services.turn.TurnServer\">\n"
                       "        <constructor-arg index=\"0\" value=\"s3cret\"/>\n"
                       "        <constructor-arg index=\"1\" value=\"turns:turn.example.org:443?transport=tcp\"/>\n"
                       "        <constructor-arg index=\"2\" value=\"3600\"/>"),
              std::string::npos) << xml;
    EXPECT_NE(xml.find("<property name=\"stunServers\"><set><ref bean=\"stun0\"/></set></property>"), std::string::npos);
    EXPECT_NE(xml.find("<property name=\"turnServers\"><set><ref bean=\"turn0\"/><ref bean=\"turn1\"/>"
                       "<ref bean=\"turn2\"/></set></property>"),
              std::string::npos);
    EXPECT_EQ(xml.substr(xml.size() - 9), "</beans>\n");
}

TEST(BbbTurnServers, OnlyTlsMeansNoStunServer) {
    const auto xml = bbb_turn_stun_servers_xml({{"turns:bbb.example.org:443?transport=tcp"}, "k", 86400});
    EXPECT_EQ(count(xml, "StunServer\""), 0u);
    EXPECT_NE(xml.find("<property name=\"stunServers\"><set></set></property>"), std::string::npos);
}

TEST(BbbTurnServers, ASecretWithXmlCharactersIsEscaped) {
    const auto xml = bbb_turn_stun_servers_xml({{"turn:[2001:db8::1]:3478"}, "a&b<c>\"d'\te\r\n", 60});
    EXPECT_NE(xml.find("value=\"a&amp;b&lt;c&gt;&quot;d&apos;&#9;e&#13;&#10;\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("value=\"stun:[2001:db8::1]:3478\""), std::string::npos) << xml;
}

}  // namespace
}  // namespace hallpass::relay
