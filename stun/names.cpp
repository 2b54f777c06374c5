// Human-readable names for methods, attributes and error codes: for parse-error places,
// logs and tests.
#include "stun/attribute_type.hpp"
#include "stun/error_codes.hpp"
#include "stun/message_type.hpp"

namespace hallpass::stun {

std::string_view method_name(std::uint16_t method) {
    switch (static_cast<Method>(method)) {
        case Method::binding: return "Binding";
        case Method::allocate: return "Allocate";
        case Method::refresh: return "Refresh";
        case Method::send: return "Send";
        case Method::data: return "Data";
        case Method::create_permission: return "CreatePermission";
        case Method::channel_bind: return "ChannelBind";
    }
    return "unknown method";
}

std::string_view attribute_name(std::uint16_t type) {
    using T = AttributeType;
    switch (static_cast<T>(type)) {
        case T::mapped_address: return "MAPPED-ADDRESS";
        case T::username: return "USERNAME";
        case T::message_integrity: return "MESSAGE-INTEGRITY";
        case T::error_code: return "ERROR-CODE";
        case T::unknown_attributes: return "UNKNOWN-ATTRIBUTES";
        case T::channel_number: return "CHANNEL-NUMBER";
        case T::lifetime: return "LIFETIME";
        case T::xor_peer_address: return "XOR-PEER-ADDRESS";
        case T::data: return "DATA";
        case T::realm: return "REALM";
        case T::nonce: return "NONCE";
        case T::xor_relayed_address: return "XOR-RELAYED-ADDRESS";
        case T::requested_address_family: return "REQUESTED-ADDRESS-FAMILY";
        case T::even_port: return "EVEN-PORT";
        case T::requested_transport: return "REQUESTED-TRANSPORT";
        case T::dont_fragment: return "DONT-FRAGMENT";
        case T::message_integrity_sha256: return "MESSAGE-INTEGRITY-SHA256";
        case T::password_algorithm: return "PASSWORD-ALGORITHM";
        case T::userhash: return "USERHASH";
        case T::xor_mapped_address: return "XOR-MAPPED-ADDRESS";
        case T::reservation_token: return "RESERVATION-TOKEN";
        case T::priority: return "PRIORITY";
        case T::use_candidate: return "USE-CANDIDATE";
        case T::additional_address_family: return "ADDITIONAL-ADDRESS-FAMILY";
        case T::address_error_code: return "ADDRESS-ERROR-CODE";
        case T::password_algorithms: return "PASSWORD-ALGORITHMS";
        case T::alternate_domain: return "ALTERNATE-DOMAIN";
        case T::icmp: return "ICMP";
        case T::software: return "SOFTWARE";
        case T::alternate_server: return "ALTERNATE-SERVER";
        case T::fingerprint: return "FINGERPRINT";
        case T::ice_controlled: return "ICE-CONTROLLED";
        case T::ice_controlling: return "ICE-CONTROLLING";
    }
    return "attribute";
}

std::string_view reason_of(ErrorCode code) {
    switch (code) {
        case ErrorCode::try_alternate: return "Try Alternate";
        case ErrorCode::bad_request: return "Bad Request";
        case ErrorCode::unauthenticated: return "Unauthenticated";
        case ErrorCode::forbidden: return "Forbidden";
        case ErrorCode::unknown_attribute: return "Unknown Attribute";
        case ErrorCode::allocation_mismatch: return "Allocation Mismatch";
        case ErrorCode::stale_nonce: return "Stale Nonce";
        case ErrorCode::address_family_not_supported: return "Address Family not Supported";
        case ErrorCode::wrong_credentials: return "Wrong Credentials";
        case ErrorCode::unsupported_transport_protocol: return "Unsupported Transport Protocol";
        case ErrorCode::peer_address_family_mismatch: return "Peer Address Family Mismatch";
        case ErrorCode::allocation_quota_reached: return "Allocation Quota Reached";
        case ErrorCode::server_error: return "Server Error";
        case ErrorCode::insufficient_capacity: return "Insufficient Capacity";
    }
    return "Error";
}

}  // namespace hallpass::stun
