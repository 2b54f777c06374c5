// NonceIssuer: nonces that need no per-client state (RFC 8489 §9.2.2 leaves the format to
// the server). A nonce carries its issue time and a MAC over that time and the client's IP
// address, so it is bound to that address and goes stale after `lifetime`.
//
// Every node of a realm uses the same key (key_for_realm), so a nonce one node hands out is
// good at the others: a client sent to an alternate node by 300 Try Alternate carries the
// redirecting node's NONCE there (libwebrtc does, and does not retry an Allocate after 438),
// over a new TCP connection as well (hence the IP, not the port). The key need not be
// secret: a nonce proves nothing by itself. Each request is authenticated by its
// MESSAGE-INTEGRITY, made with the user's key over the nonce; a captured request replayed
// later still carries its old nonce and is stale. Knowing the key only spares a client the
// 401 round trip, which anyone can have by asking.
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
    // The key every node of `realm` uses.
    static std::array<std::uint8_t, 32> key_for_realm(std::string_view realm);

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
    std::array<std::uint8_t, 8> mac(std::uint32_t issued, const IpAddress& client) const;

    std::array<std::uint8_t, 32> key_;
    std::int64_t lifetime_;
};

}  // namespace hallpass::turn
