#include "turn/probe_credentials.hpp"

#include <span>

#include "stun/integrity.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn {

std::string probe_username(std::int64_t expiry_unix, std::string_view nonce, const IpAddress& client) {
    return rest_username(expiry_unix, std::string(probe_user_prefix) + std::string(nonce) + ":" + client.to_string());
}

namespace {

// What follows "<expiry>:hallpass-check:", or nullopt when the username is not of that form.
std::optional<std::string_view> probe_part(std::string_view username) {
    const auto colon = username.find(':');
    if (colon == std::string_view::npos || !rest_expiry(username)) return std::nullopt;
    const std::string_view id = username.substr(colon + 1);
    if (!id.starts_with(probe_user_prefix)) return std::nullopt;
    return id.substr(probe_user_prefix.size());
}

bool is_nonce(std::string_view s) {
    return !s.empty() && s.size() <= 32 &&
           s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

bool is_probe_username(std::string_view username) { return probe_part(username).has_value(); }

std::optional<IpAddress> probe_client(std::string_view username) {
    const auto part = probe_part(username);
    if (!part) return std::nullopt;
    const auto colon = part->find(':');
    if (colon == std::string_view::npos || !is_nonce(part->substr(0, colon))) return std::nullopt;
    return IpAddress::parse(part->substr(colon + 1));
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
