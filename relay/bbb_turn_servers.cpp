#include "relay/bbb_turn_servers.hpp"

#include <string_view>

namespace hallpass::relay {
namespace {

std::string xml_attribute(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            // An XML parser turns a literal tab or line break in an attribute into a space
            // (attribute-value normalisation): bbb-web would sign with another secret.
            case '\t': out += "&#9;"; break;
            case '\n': out += "&#10;"; break;
            case '\r': out += "&#13;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

// "turn:host:port?transport=udp" (or without a transport, which means UDP) -> "stun:host:port":
// the same listener answers Binding requests.
std::string stun_url_of(std::string_view url) {
    if (url.rfind("turn:", 0) != 0) return {};
    const auto query = url.find('?');
    if (query != std::string_view::npos && url.substr(query) != "?transport=udp") return {};
    return "stun:" + std::string(url.substr(5, query == std::string_view::npos ? url.npos : query - 5));
}

std::string bean(const std::string& id, const char* kind, const std::vector<std::string>& args) {
    std::string out = "    <bean id=\"" + id + "\" class=\"org.bigbluebutton.web.services.turn." + kind + "\">\n";
    for (std::size_t i = 0; i < args.size(); ++i)
        out += "        <constructor-arg index=\"" + std::to_string(i) + "\" value=\"" + xml_attribute(args[i]) +
               "\"/>\n";
    return out + "    </bean>\n";
}

std::string set_of(const std::string& prefix, std::size_t n) {
    std::string out = "<set>";
    for (std::size_t i = 0; i < n; ++i) out += "<ref bean=\"" + prefix + std::to_string(i) + "\"/>";
    return out + "</set>";
}

}  // namespace

std::string bbb_turn_stun_servers_xml(const BbbTurnServers& s) {
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- hallpass for BigBlueButton: /etc/bigbluebutton/turn-stun-servers.xml, owner\n"
        "     root:bigbluebutton, mode 0640 (it holds the shared secret); then\n"
        "     `systemctl restart bbb-web`. -->\n"
        "<beans xmlns=\"http://www.springframework.org/schema/beans\"\n"
        "       xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
        "       xsi:schemaLocation=\"http://www.springframework.org/schema/beans\n"
        "           http://www.springframework.org/schema/beans/spring-beans-2.5.xsd\">\n";
    std::size_t stuns = 0;
    for (const auto& url : s.urls)
        if (const auto stun = stun_url_of(url); !stun.empty()) out += bean("stun" + std::to_string(stuns++), "StunServer", {stun});
    for (std::size_t i = 0; i < s.urls.size(); ++i)
        out += bean("turn" + std::to_string(i), "TurnServer", {s.secret, s.urls[i], std::to_string(s.ttl_seconds)});
    out += "    <bean id=\"stunTurnService\" class=\"org.bigbluebutton.web.services.turn.StunTurnService\">\n"
           "        <property name=\"stunServers\">" + set_of("stun", stuns) + "</property>\n"
           "        <property name=\"turnServers\">" + set_of("turn", s.urls.size()) + "</property>\n"
           "    </bean>\n"
           "</beans>\n";
    return out;
}

}  // namespace hallpass::relay
