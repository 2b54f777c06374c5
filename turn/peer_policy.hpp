// PeerPolicy: which peers an allocation may relay to (DESIGN.md "Defaults that protect the
// host"). In order:
//   1. hallpass's own listener addresses are never a peer, whatever the lists say: a client
//      must not make the relay talk to its own listening ports (another
//      allocation's relay address stays a fine peer: WebRTC needs it when both ends relay);
//   2. an operator's `deny` entry refuses, even inside a broader `allow` (and also when the
//      denied IPv4 address is named through an allowed NAT64 or 6to4 prefix);
//   3. an operator's `allow` entry permits, even inside the built-in deny list (a media
//      server on a private address beside hallpass);
//   4. the built-in deny list refuses private, loopback, link-local, multicast,
//      documentation, benchmarking and other special ranges;
//   5. an IPv6 address that embeds an IPv4 one — IPv4-mapped ::ffff:0:0/96, NAT64
//      64:ff9b::/96 and 64:ff9b:1::/48 (RFC 6052, RFC 8215), 6to4 2002::/16 (RFC 3056) — is
//      judged by the IPv4 address inside as well, since that is where its packets end up.
#pragma once

#include <array>
#include <boost/unordered/unordered_flat_set.hpp>
#include <vector>

#include "alloc/cidr_block.hpp"
#include "alloc/cidr_set.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::turn {

struct PeerRules {
    std::vector<alloc::CidrBlock> allow;
    std::vector<alloc::CidrBlock> deny;
    // The server's own listening addresses, concrete (relay/ expands a wildcard listener to
    // each address of the host, and adds advertised public addresses).
    std::vector<TransportAddress> own_endpoints;
    // The server's own relay addresses: its relay ranges and the public addresses it
    // advertises for them, and their port range. The only peers a probe allocation may have
    // besides its client.
    std::vector<alloc::CidrBlock> relay_addresses;
    std::uint16_t relay_port_min = 0;
    std::uint16_t relay_port_max = 65535;
};

// The IPv4 addresses an IPv6 address may carry traffic to: one for IPv4-mapped, NAT64
// 64:ff9b::/96 and 6to4; for the local-use NAT64 prefix 64:ff9b:1::/48, one for each
// prefix length an operator may have chosen inside it (/48, /56, /64, /96). Empty for
// other addresses.
// Iterable itself, so that `for (auto& v4 : embedded_ipv4(ip))` keeps the temporary alive
// (a span into it would not).
struct EmbeddedIpv4 {
    std::array<IpAddress, 4> addresses{};
    std::size_t count = 0;
    const IpAddress* begin() const { return addresses.data(); }
    const IpAddress* end() const { return addresses.data() + count; }
};
EmbeddedIpv4 embedded_ipv4(const IpAddress& address);

class PeerPolicy {
public:
    explicit PeerPolicy(const PeerRules& rules);

    // The address rules alone (2-5), for a peer IP.
    bool permits(const IpAddress& peer) const;
    // All of them, for a peer transport address (CreatePermission's XOR-PEER-ADDRESS,
    // ChannelBind, Send).
    bool permits(const TransportAddress& peer) const;
    bool is_own_endpoint(const TransportAddress& peer) const;
    // For an allocation made with probe credentials minted for `client`: a relay address
    // and port of the server's that no operator `deny` covers, or `client` itself where
    // permits() would let any allocation reach it.
    bool permits_probe(const TransportAddress& peer, const IpAddress& client) const;

    static const std::vector<alloc::CidrBlock>& default_deny_list();

private:
    bool permits_one(const IpAddress& ip) const;
    bool denied(const IpAddress& ip) const;  // by an operator deny, embedded IPv4 included

    alloc::CidrSet allow_;
    alloc::CidrSet deny_;
    alloc::CidrSet builtin_;
    alloc::CidrSet relay_addresses_;
    std::uint16_t relay_port_min_ = 0;
    std::uint16_t relay_port_max_ = 65535;
    boost::unordered_flat_set<TransportAddress> own_;
};

}  // namespace hallpass::turn
