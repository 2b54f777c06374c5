#include "turn/rest_credentials.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <span>

#include "stun/integrity.hpp"

namespace hallpass::turn {

std::string rest_password(std::string_view secret, std::string_view username) {
    const std::span<const std::uint8_t> pieces[] = {
        {reinterpret_cast<const std::uint8_t*>(username.data()), username.size()}};
    const auto mac = stun::hmac_sha1(
        {reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()}, pieces);
    unsigned char out[4 * ((mac.size() + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(out, mac.data(), static_cast<int>(mac.size()));
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

std::string rest_username(std::int64_t expiry_unix, std::string_view user_id) {
    std::string s = std::to_string(expiry_unix);
    if (!user_id.empty()) s.append(":").append(user_id);
    return s;
}

std::optional<std::int64_t> rest_expiry(std::string_view username) {
    // coturn accepts both "expiry:user" and a bare "expiry"; so do we.
    const auto colon = username.find(':');
    const std::string_view digits = username.substr(0, colon);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty())
        return std::nullopt;
    return value;
}

}  // namespace hallpass::turn
