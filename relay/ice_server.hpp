// The RTCIceServer entry a web app hands a browser for this server: TURN URLs with a
// short-lived TURN REST username and credential.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hallpass::relay {

struct IceServerRequest {
    std::vector<std::string> urls;  // e.g. "turn:turn.example.org:3478?transport=udp"
    std::string secret;
    std::string user_id;
    std::int64_t ttl_seconds = 86400;
    std::int64_t now_unix = 0;
};

std::string ice_server_json(const IceServerRequest& request);

}  // namespace hallpass::relay
