// STUN/TURN error codes (RFC 8489 §14.8, RFC 8656 §19) with their reason phrases.
#pragma once

#include <cstdint>
#include <string_view>

namespace hallpass::stun {

enum class ErrorCode : std::uint16_t {
    try_alternate = 300,
    bad_request = 400,
    unauthenticated = 401,
    forbidden = 403,
    unknown_attribute = 420,
    allocation_mismatch = 437,
    stale_nonce = 438,
    address_family_not_supported = 440,
    wrong_credentials = 441,
    unsupported_transport_protocol = 442,
    peer_address_family_mismatch = 443,
    allocation_quota_reached = 486,
    server_error = 500,
    insufficient_capacity = 508,
};

std::string_view reason_of(ErrorCode code);

}  // namespace hallpass::stun
