// ClientAddressCounter: open TCP/TLS connections per client address, for
// limits.connections_per_ip. An IPv4 client is one address; an IPv6 client is counted by
// its /64 (limits.connections_ipv6_prefix), because one host is handed a whole /64 and can
// draw a fresh source address per connection. Not thread-safe: relay/ guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "stun/transport_address.hpp"

namespace hallpass::alloc {

class ClientAddressCounter {
public:
    // limit 0: unlimited (still counted). ipv6_prefix: 1..128.
    ClientAddressCounter(std::uint32_t limit, int ipv6_prefix) : limit_(limit), ipv6_prefix_(ipv6_prefix) {}

    // A reload's limit and prefix, for connections admitted from now on; open ones are
    // released under the key they were counted with.
    void set_limit(std::uint32_t limit) { limit_ = limit; }
    void set_ipv6_prefix(int ipv6_prefix) { ipv6_prefix_ = ipv6_prefix; }
    // Counts one connection from `client` and returns the key it is counted under, for
    // release(); nullopt (and nothing counted) at the limit.
    std::optional<IpAddress> admit(const IpAddress& client);
    void release(const IpAddress& key);
    std::size_t of(const IpAddress& client) const;
    // Distinct keys (addresses or /64s) with a connection open.
    std::size_t tracked() const { return counts_.size(); }
    // The key a client is counted under: itself, or its IPv6 prefix.
    IpAddress key_of(const IpAddress& client) const;

private:
    std::uint32_t limit_;
    int ipv6_prefix_;
    std::unordered_map<IpAddress, std::uint32_t> counts_;
};

}  // namespace hallpass::alloc
