// Attribute type codes (RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1) and the rule that
// decides which unknown ones must be refused.
#pragma once

#include <cstdint>
#include <string_view>

namespace hallpass::stun {

enum class AttributeType : std::uint16_t {
    mapped_address = 0x0001,
    username = 0x0006,
    message_integrity = 0x0008,
    error_code = 0x0009,
    unknown_attributes = 0x000A,
    channel_number = 0x000C,
    lifetime = 0x000D,
    xor_peer_address = 0x0012,
    data = 0x0013,
    realm = 0x0014,
    nonce = 0x0015,
    xor_relayed_address = 0x0016,
    requested_address_family = 0x0017,
    even_port = 0x0018,
    requested_transport = 0x0019,
    dont_fragment = 0x001A,
    message_integrity_sha256 = 0x001C,
    password_algorithm = 0x001D,
    userhash = 0x001E,
    xor_mapped_address = 0x0020,
    reservation_token = 0x0022,
    priority = 0x0024,
    use_candidate = 0x0025,
    additional_address_family = 0x8000,
    address_error_code = 0x8001,
    password_algorithms = 0x8002,
    alternate_domain = 0x8003,
    icmp = 0x8004,
    software = 0x8022,
    alternate_server = 0x8023,
    fingerprint = 0x8028,
    ice_controlled = 0x8029,
    ice_controlling = 0x802A,
};

// RFC 8489 §14: 0x0000-0x7FFF are comprehension-required.
constexpr bool comprehension_required(std::uint16_t type) { return type < 0x8000; }

// Comprehension-required types this server understands; any other one in a request is
// answered with 420 and UNKNOWN-ATTRIBUTES. USERHASH is left out on purpose: we never
// offer the RFC 8489 security feature that would let a client send it.
constexpr bool understood(std::uint16_t type) {
    switch (static_cast<AttributeType>(type)) {
        case AttributeType::mapped_address:
        case AttributeType::username:
        case AttributeType::message_integrity:
        case AttributeType::error_code:
        case AttributeType::unknown_attributes:
        case AttributeType::channel_number:
        case AttributeType::lifetime:
        case AttributeType::xor_peer_address:
        case AttributeType::data:
        case AttributeType::realm:
        case AttributeType::nonce:
        case AttributeType::xor_relayed_address:
        case AttributeType::requested_address_family:
        case AttributeType::even_port:
        case AttributeType::requested_transport:
        case AttributeType::dont_fragment:
        case AttributeType::message_integrity_sha256:
        case AttributeType::password_algorithm:
        case AttributeType::xor_mapped_address:
        case AttributeType::reservation_token:
            return true;
        default:
            return !comprehension_required(type);
    }
}

std::string_view attribute_name(std::uint16_t type);

}  // namespace hallpass::stun
