#include "turn/peer_policy.hpp"

namespace hallpass::turn {
namespace {

IpAddress v4_from(const IpAddress& ip, std::size_t a, std::size_t b, std::size_t c, std::size_t d) {
    return IpAddress::v4(ip.bytes[a], ip.bytes[b], ip.bytes[c], ip.bytes[d]);
}

bool starts_with(const IpAddress& ip, std::initializer_list<std::uint8_t> prefix) {
    std::size_t i = 0;
    for (auto byte : prefix)
        if (ip.bytes[i++] != byte) return false;
    return true;
}

}  // namespace

EmbeddedIpv4 embedded_ipv4(const IpAddress& address) {
    EmbeddedIpv4 out;
    const IpAddress ip = address.unmapped();
    if (ip.is_v4()) {
        if (address.family != ip.family) out.addresses[out.count++] = ip;  // ::ffff:a.b.c.d
        return out;
    }
    auto add = [&](IpAddress v4) { out.addresses[out.count++] = v4; };
    // RFC 6052 §2.2: the IPv4 bits sit after the prefix, skipping bits 64-71 (the u octet).
    if (starts_with(ip, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
        add(v4_from(ip, 12, 13, 14, 15));  // 64:ff9b::/96
    } else if (starts_with(ip, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) {
        add(v4_from(ip, 6, 7, 9, 10));     // 64:ff9b:1::/48 used as a /48
        add(v4_from(ip, 7, 9, 10, 11));    // ... as a /56
        add(v4_from(ip, 9, 10, 11, 12));   // ... as a /64
        add(v4_from(ip, 12, 13, 14, 15));  // ... as a /96
    } else if (starts_with(ip, {0x20, 0x02})) {
        add(v4_from(ip, 2, 3, 4, 5));      // 6to4, RFC 3056 §2
    }
    return out;
}

const std::vector<alloc::CidrBlock>& PeerPolicy::default_deny_list() {
    static const char* const blocks[] = {
        // IPv4 (RFC 6890 and its updates)
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
        // IPv6: unspecified, loopback and IPv4-compatible (::/96 holds ::/128 and ::1/128),
        // discard-only, Teredo, benchmarking, documentation, unique local, link-local,
        // site-local, multicast
        "::/96", "100::/64", "2001::/32", "2001:2::/48", "2001:db8::/32", "3fff::/20",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"};
    // Parsed once, however many policies are built.
    static const std::vector<alloc::CidrBlock> list = [] {
        std::vector<alloc::CidrBlock> out;
        for (const char* b : blocks) out.push_back(*alloc::CidrBlock::parse(b));
        return out;
    }();
    return list;
}

PeerPolicy::PeerPolicy(const PeerRules& rules)
    : allow_(rules.allow),
      deny_(rules.deny),
      builtin_(default_deny_list()),
      relay_addresses_(rules.relay_addresses),
      relay_port_min_(rules.relay_port_min),
      relay_port_max_(rules.relay_port_max) {
    for (const auto& endpoint : rules.own_endpoints) own_.insert({endpoint.ip.unmapped(), endpoint.port});
}

bool PeerPolicy::permits_one(const IpAddress& ip) const {
    if (deny_.contains(ip)) return false;
    if (allow_.contains(ip)) return true;
    return !builtin_.contains(ip);
}

bool PeerPolicy::permits(const IpAddress& peer) const {
    const IpAddress ip = peer.unmapped();
    const EmbeddedIpv4 inside = embedded_ipv4(ip);
    // An operator's deny wins over every allow, also when the address is reached through
    // an IPv6 prefix the operator allowed (NAT64, 6to4).
    if (deny_.contains(ip)) return false;
    for (const IpAddress& v4 : inside)
        if (deny_.contains(v4)) return false;
    if (allow_.contains(ip)) return true;
    if (builtin_.contains(ip)) return false;
    for (const IpAddress& v4 : inside)
        if (!permits_one(v4)) return false;
    return true;
}

bool PeerPolicy::is_own_endpoint(const TransportAddress& peer) const {
    if (own_.empty()) return false;
    if (own_.contains({peer.ip.unmapped(), peer.port})) return true;
    for (const IpAddress& v4 : embedded_ipv4(peer.ip.unmapped()))
        if (own_.contains({v4, peer.port})) return true;
    return false;
}

bool PeerPolicy::permits(const TransportAddress& peer) const {
    return !is_own_endpoint(peer) && permits(peer.ip);
}

bool PeerPolicy::denied(const IpAddress& ip) const {
    if (deny_.contains(ip)) return true;
    for (const IpAddress& v4 : embedded_ipv4(ip))
        if (deny_.contains(v4)) return true;
    return false;
}

bool PeerPolicy::permits_probe(const TransportAddress& peer, const IpAddress& client) const {
    const IpAddress ip = peer.ip.unmapped();
    if (is_own_endpoint(peer)) return false;
    // A relay address first: on a loopback trial the client's address is one too.
    if (relay_addresses_.contains(ip) && peer.port >= relay_port_min_ && peer.port <= relay_port_max_ &&
        !denied(ip))
        return true;
    return ip == client.unmapped() && permits(ip);
}

}  // namespace hallpass::turn
