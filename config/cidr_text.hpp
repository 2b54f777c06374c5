// CIDR text checks for the config loader: syntax, prefix range, host bits, containment.
// Internal to config/: Config keeps the validated text, and alloc/ turns it into its own
// CidrBlock type, so this helper stays small and private.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "stun/transport_address.hpp"

namespace hallpass::config::detail {

struct CidrText {
    IpAddress network;
    int prefix = 0;

    bool contains(const IpAddress& ip) const;
};

// Either a block or the reason the text is not one (without the "got" part).
struct CidrParse {
    std::optional<CidrText> block;
    std::string error;
};

CidrParse parse_cidr_text(std::string_view text);

}  // namespace hallpass::config::detail
