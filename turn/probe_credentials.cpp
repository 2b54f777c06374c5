#include "turn/probe_credentials.hpp"

#include <span>

#include "stun/integrity.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn {

std::string probe_username(std::int64_t expiry_unix, const IpAddress& client) {
    return rest_username(expiry_unix, std::string(probe_user_prefix) + client.to_string());
}

std::optional<IpAddress> probe_client(std::string_view username) {
    const auto colon = username.find(':');
    if (colon == std::string_view::npos || !rest_expiry(username)) return std::nullopt;
    const std::string_view id = username.substr(colon + 1);
    if (!id.starts_with(probe_user_prefix)) return std::nullopt;
    return IpAddress::parse(id.substr(probe_user_prefix.size()));
}

std::string probe_key(std::string_view shared_secret) {
    // A fixed label under the secret: the key says what it is for, and tells nothing about
    // the secret.
    constexpr std::string_view label = "hallpass check credentials v1";
    const std::span<const std::uint8_t> pieces[] = {
        {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()}};
    const auto mac = stun::hmac_sha1(
        {reinterpret_cast<const std::uint8_t*>(shared_secret.data()), shared_secret.size()}, pieces);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const auto byte : mac) {
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
    }
    return out;
}

}  // namespace hallpass::turn
