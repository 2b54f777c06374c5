// CidrBlock: an IP network written as "address/prefix" — the relay ranges handed to school
// IT admins, and the peer deny/allow lists. A pure value type: parsing and membership only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "stun/transport_address.hpp"

namespace hallpass::alloc {

struct CidrParse;

struct CidrBlock {
    IpAddress network;  // host bits always zero (parse and make() mask them off)
    int prefix = 0;     // 0..32 for IPv4, 0..128 for IPv6

    // "10.0.0.0/8", "fc00::/7"; a bare address is a /32 or /128. Host bits that are set
    // ("185.62.212.128/24") are refused: in a config file they are almost always a typo in
    // the prefix (/24 for /25), and silently widening or narrowing a relay range or a peer
    // rule is worse than a start error. The one parser for config/ and alloc/.
    static std::optional<CidrBlock> parse(std::string_view text);
    // The same, with a reason for config error messages when it fails.
    static CidrParse parse_with_reason(std::string_view text);
    // Masks host bits off `address` (for blocks computed, not written); nullopt when prefix
    // is out of range for its family.
    static std::optional<CidrBlock> make(const IpAddress& address, int prefix);

    static int max_prefix(AddressFamily family) { return family == AddressFamily::ipv4 ? 32 : 128; }

    // Same family only: an IPv4-mapped IPv6 address is not inside an IPv4 block (callers
    // that want that meaning pass address.unmapped()).
    bool contains(const IpAddress& address) const;
    // Whether `other` lies wholly inside this block (CIDR blocks nest or are disjoint).
    bool contains(const CidrBlock& other) const;
    std::string to_string() const;

    friend bool operator==(const CidrBlock&, const CidrBlock&) = default;
};

// Either a block, or why the text is not one (error names the offending part).
struct CidrParse {
    std::optional<CidrBlock> block;
    std::string error;
};

}  // namespace hallpass::alloc
