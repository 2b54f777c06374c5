#include "alloc/reservation_table.hpp"

#include <algorithm>

namespace hallpass::alloc {

void ReservationTable::add(const ReservationToken& token, const TransportAddress& address, Millis now) {
    entries_.push_back({token, address, now + hold});
}

std::optional<TransportAddress> ReservationTable::take(const ReservationToken& token, Millis now) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.token == token; });
    if (it == entries_.end() || now >= it->expires) return std::nullopt;
    const TransportAddress address = it->address;
    entries_.erase(it);
    return address;
}

std::vector<TransportAddress> ReservationTable::expire(Millis now) {
    std::vector<TransportAddress> out;
    std::erase_if(entries_, [&](const Entry& e) {
        if (now < e.expires) return false;
        out.push_back(e.address);
        return true;
    });
    return out;
}

}  // namespace hallpass::alloc
