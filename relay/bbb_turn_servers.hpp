// BigBlueButton's TURN configuration for this server: the turn-stun-servers.xml that
// bbb-web reads from /etc/bigbluebutton/. bbb-web holds the shared secret and makes each
// user's TURN REST credentials itself (expiry:user, HMAC-SHA1), which hallpass accepts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hallpass::relay {

struct BbbTurnServers {
    std::vector<std::string> urls;  // turn: and turns: URLs (bbb-web keeps them in a set: no order)
    std::string secret;
    std::int64_t ttl_seconds = 86400;
};

// The whole file: a STUN bean for every UDP TURN URL's host and port, a TurnServer bean
// per URL, and the StunTurnService that lists them. Values are XML-escaped.
std::string bbb_turn_stun_servers_xml(const BbbTurnServers& servers);

}  // namespace hallpass::relay
