#include "relay/ice_server.hpp"

#include "turn/rest_credentials.hpp"

namespace hallpass::relay {
namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

}  // namespace

std::string ice_server_json(const IceServerRequest& r) {
    const std::string username = turn::rest_username(r.now_unix + r.ttl_seconds, r.user_id);
    std::string urls;
    for (const auto& u : r.urls) urls += (urls.empty() ? "" : ", ") + quoted(u);
    return "{\n  \"urls\": [" + urls + "],\n  \"username\": " + quoted(username) +
           ",\n  \"credential\": " + quoted(turn::rest_password(r.secret, username)) + "\n}\n";
}

}  // namespace hallpass::relay
