// NonceIssuer: nonces that need no per-client state (RFC 8489 §9.2.2 leaves the format to
// the server). A nonce carries its issue time and a MAC over that time and the client's
// transport address, so it is bound to that address and goes stale after `lifetime`.
//
// It is short on purpose — 16 characters: base64 of a 32-bit issue time and a 64-bit
// HMAC-SHA256 prefix — because it rides in every 401, the one answer an unauthenticated
// (possibly spoofed) sender gets, and that answer must stay near the size of the request.
// 64 bits are plenty: a forged nonce only spares a client the 401 round trip; the request
// still needs the password's MESSAGE-INTEGRITY, which covers the nonce.
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

    static constexpr std::size_t size = 16;
    // Held in place: a 401 is the answer to unauthenticated traffic, which must cost no
    // heap allocation.
    struct Text {
        std::array<char, size> chars{};
        std::string_view view() const { return {chars.data(), chars.size()}; }
    };
    Text issue(const TransportAddress& client, std::int64_t now_unix) const;
    // Anything not issued by us to this client within the lifetime is stale: the client
    // answers 438 by retrying with the fresh nonce it is given.
    Verdict check(std::string_view nonce, const TransportAddress& client,
                  std::int64_t now_unix) const;

private:
    std::array<std::uint8_t, 8> mac(std::uint32_t issued, const TransportAddress& client) const;

    std::array<std::uint8_t, 32> key_;
    std::int64_t lifetime_;
};

}  // namespace hallpass::turn
