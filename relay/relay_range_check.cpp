#include "relay/relay_range_check.hpp"

#include <random>
#include <stdexcept>

#include "alloc/relay_address_pool.hpp"
#include "relay/udp_socket.hpp"

namespace hallpass::relay {

void check_relay_ranges(const config::Config& config) {
    alloc::RelayAddressPool pool(config.relay.ranges, {config.relay.ports.min, config.relay.ports.max});
    std::mt19937_64 rng(std::random_device{}());
    for (auto family : {AddressFamily::ipv4, AddressFamily::ipv6}) {
        if (!pool.supports(family)) continue;
        auto probe = pool.acquire(family, rng);
        if (!probe) continue;
        probe->port = 0;
        if (bind_relay(*probe).error == EADDRNOTAVAIL)
            throw std::runtime_error("relay.ranges: " + probe->ip.to_string() +
                                     " is not an address of this host; relay addresses must be "
                                     "assigned to an interface (use relay.advertise for 1:1 NAT)");
    }
}

}  // namespace hallpass::relay
