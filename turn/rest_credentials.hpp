// The "TURN REST API" shared-secret scheme (draft-uberti-behave-turn-rest, as used by
// BigBlueButton): username = "<expiry unix time>:<user id>",
// password = base64(HMAC-SHA1(secret, username)).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hallpass::turn {

std::string rest_password(std::string_view secret, std::string_view username);
std::string rest_username(std::int64_t expiry_unix, std::string_view user_id);
// The expiry of a REST username; nullopt when the username is not of that form.
std::optional<std::int64_t> rest_expiry(std::string_view username);

}  // namespace hallpass::turn
