// NonceIssuer: nonces that need no per-client state (RFC 8489 §9.2.2 leaves the format to
// the server). A nonce carries its issue time and a MAC over that time and the client's
// transport address, so it is bound to that address and goes stale after `lifetime`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "stun/transport_address.hpp"

namespace hallpass::turn {

class NonceIssuer {
public:
    enum class Verdict { valid, stale };

    NonceIssuer(std::array<std::uint8_t, 32> key, std::int64_t lifetime_seconds);

    std::string issue(const TransportAddress& client, std::int64_t now_unix) const;
    // Anything not issued by us to this client within the lifetime is stale: the client
    // answers 438 by retrying with the fresh nonce it is given.
    Verdict check(std::string_view nonce, const TransportAddress& client,
                  std::int64_t now_unix) const;

private:
    std::string mac_hex(std::uint64_t issued, const TransportAddress& client) const;

    std::array<std::uint8_t, 32> key_;
    std::int64_t lifetime_;
};

}  // namespace hallpass::turn
