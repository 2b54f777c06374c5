#include "alloc/client_address_counter.hpp"

#include "alloc/cidr_block.hpp"

namespace hallpass::alloc {

IpAddress ClientAddressCounter::key_of(const IpAddress& client) const {
    const IpAddress ip = client.unmapped();
    if (ip.is_v4()) return ip;
    return CidrBlock::make(ip, ipv6_prefix_)->network;
}

std::optional<IpAddress> ClientAddressCounter::admit(const IpAddress& client) {
    const IpAddress key = key_of(client);
    auto& count = counts_[key];
    if (limit_ != 0 && count >= limit_) return std::nullopt;  // at the limit, so count is not 0
    ++count;
    return key;
}

void ClientAddressCounter::release(const IpAddress& key) {
    const auto it = counts_.find(key);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
}

std::size_t ClientAddressCounter::of(const IpAddress& client) const {
    const auto it = counts_.find(key_of(client));
    return it == counts_.end() ? 0 : it->second;
}

}  // namespace hallpass::alloc
