#include "relay/retired_udp_listeners.hpp"

#include <algorithm>

namespace hallpass::relay {

void RetiredUdpListeners::retire(const TransportAddress& address, unsigned workers) {
    if (find(address)) return;
    entries_.push_back({address, std::vector<bool>(workers, false), std::vector<bool>(workers, false)});
}

bool RetiredUdpListeners::open(const TransportAddress& address) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.address == address; });
}

bool RetiredUdpListeners::idle(const TransportAddress& address, unsigned worker) {
    Entry* e = find(address);
    if (!e || worker >= e->idle.size()) return false;
    e->idle[worker] = true;
    return std::all_of(e->idle.begin(), e->idle.end(), [](bool b) { return b; });
}

bool RetiredUdpListeners::closed(const TransportAddress& address, unsigned worker) {
    Entry* e = find(address);
    if (!e || worker >= e->closed.size()) return false;
    e->closed[worker] = true;
    if (!std::all_of(e->closed.begin(), e->closed.end(), [](bool b) { return b; })) return false;
    std::erase_if(entries_, [&](const Entry& x) { return x.address == address; });
    return true;
}

std::vector<TransportAddress> RetiredUdpListeners::addresses() const {
    std::vector<TransportAddress> out;
    for (const auto& e : entries_) out.push_back(e.address);
    return out;
}

RetiredUdpListeners::Entry* RetiredUdpListeners::find(const TransportAddress& address) {
    for (auto& e : entries_)
        if (e.address == address) return &e;
    return nullptr;
}

}  // namespace hallpass::relay
