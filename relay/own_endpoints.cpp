#include "relay/own_endpoints.hpp"

#include <ifaddrs.h>

#include <algorithm>
#include <cstring>

#include "relay/socket_address.hpp"

namespace hallpass::relay {
namespace {

std::vector<IpAddress> interface_addresses() {
    std::vector<IpAddress> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)) continue;
        sockaddr_storage s{};
        std::memcpy(&s, i->ifa_addr, i->ifa_addr->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
        out.push_back(from_socket_address(s).ip);
    }
    ::freeifaddrs(list);
    return out;
}

}  // namespace

std::vector<TransportAddress> own_endpoints(const config::Config& c) {
    std::vector<TransportAddress> listeners(c.listen.udp.begin(), c.listen.udp.end());
    for (const auto* list : {&c.listen.tcp, &c.listen.tls})
        for (const auto& l : *list) listeners.push_back(l.address);
    const auto interfaces = interface_addresses();
    std::vector<TransportAddress> out;
    for (const auto& l : listeners) {
        if (!l.ip.is_wildcard()) {
            out.push_back(l);
        } else {
            for (const auto& ip : interfaces)
                if (ip.family == l.ip.family) out.push_back({ip, l.port});
        }
        // Behind 1:1 NAT a client knows the public address, which hairpins back to us.
        for (const auto& entry : c.relay.advertise) out.push_back({entry.public_ip, l.port});
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace hallpass::relay
